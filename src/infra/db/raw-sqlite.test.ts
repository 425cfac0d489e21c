import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { createDb, migrate, type Db } from './create-db.ts'
import { withRawSqlite } from './raw-sqlite.ts'

let dir: string
let handle: Db | undefined
afterEach(async () => {
  await handle?.close()
  handle = undefined
  rmSync(dir, { recursive: true, force: true })
})

describe('withRawSqlite', () => {
  it('waits for an open Kysely transaction, so its statements never join (or roll back with) it', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'raw-sqlite-'))
    handle = createDb({ kind: 'sqlite', sqlitePath: path.join(dir, 'gateway.db') })
    await migrate(handle)
    const db = handle.db
    await sql`CREATE TABLE probe (name TEXT PRIMARY KEY)`.execute(db)
    const order: string[] = []
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    // A transaction that writes, then yields for a while, then fails and rolls back.
    const tx = db
      .transaction()
      .execute(async (trx) => {
        await sql`INSERT INTO probe (name) VALUES ('in-transaction')`.execute(trx)
        order.push('transaction wrote')
        await held
        throw new Error('roll back')
      })
      .catch(() => order.push('transaction rolled back'))
    await new Promise((r) => setTimeout(r, 20))
    const raw = withRawSqlite(db, (sqlite) => {
      order.push('raw ran')
      return sqlite.prepare("INSERT INTO probe (name) VALUES ('raw')").run().changes
    })
    await new Promise((r) => setTimeout(r, 20))
    expect(order).toEqual(['transaction wrote'])
    release()
    await tx
    expect((await raw)?.value).toBe(1)
    // It ran only once the transaction had ended, and its row survived the rollback.
    expect(order.sort()).toEqual(['raw ran', 'transaction rolled back', 'transaction wrote'])
    const rows = await sql<{ name: string }>`SELECT name FROM probe ORDER BY name`.execute(db)
    expect(rows.rows.map((r) => r.name)).toEqual(['raw'])
  })

  it('is not available on PostgreSQL handles', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'raw-sqlite-'))
    const pgLike = createDb({ kind: 'postgres', postgresUrl: 'postgres://postgres@127.0.0.1:5432/test' })
    try {
      expect(await withRawSqlite(pgLike.db, () => 1)).toBeUndefined()
    } finally {
      await pgLike.close()
    }
  })
})
