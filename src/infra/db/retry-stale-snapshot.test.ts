import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import type { Database } from './database-types.ts'
import { createDb, migrate, type Db } from './create-db.ts'
import { retryStaleSnapshot } from './retry-stale-snapshot.ts'

describe('retryStaleSnapshot', () => {
  const open: Db[] = []
  let dir = ''
  afterEach(async () => {
    for (const db of open.splice(0)) await db.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('runs a SQLite transaction again when another connection committed between its read and its write', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gw-snapshot-'))
    const file = path.join(dir, 'gateway.db')
    const b = createDb({ kind: 'sqlite', sqlitePath: file })
    open.push(b)
    await migrate(b)
    // Kysely's own SQLite dialect begins DEFERRED (createDb's begins IMMEDIATE and never meets this).
    const raw = new SQLite(file)
    raw.pragma('journal_mode = WAL')
    const a = { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) }) }
    open.push({ kind: 'sqlite', db: a.db, close: () => a.db.destroy() })
    let attempts = 0
    // Reads, lets another process (here: another connection) commit, then writes: the first attempt's snapshot is
    // stale, and SQLite refuses it at once.
    const readThenWrite = () =>
      a.db.transaction().execute(async (trx) => {
        attempts++
        const before = await trx.selectFrom('gateway_instances').select('id').execute()
        if (attempts === 1)
          await b.db
            .insertInto('gateway_instances')
            .values({ id: 'other', host: 'h', pid: 1, started_at: 0, heartbeat_at: 0 })
            .execute()
        await trx
          .insertInto('gateway_instances')
          .values({ id: `mine-${attempts}`, host: 'h', pid: 2, started_at: 0, heartbeat_at: 0 })
          .execute()
        return before.length
      })
    await expect(readThenWrite()).rejects.toMatchObject({ code: 'SQLITE_BUSY_SNAPSHOT' })
    attempts = 0
    await b.db.deleteFrom('gateway_instances').execute()
    // The second attempt saw the other commit.
    expect(await retryStaleSnapshot(readThenWrite)).toBe(1)
    expect(attempts).toBe(2)
    const ids = (await a.db.selectFrom('gateway_instances').select('id').execute()).map((r) => r.id).sort()
    expect(ids).toEqual(['mine-2', 'other'])
  })

  it('passes other errors through at once', async () => {
    let attempts = 0
    const failing = () => {
      attempts++
      return Promise.reject(Object.assign(new Error('no such table'), { code: 'SQLITE_ERROR' }))
    }
    await expect(retryStaleSnapshot(failing)).rejects.toThrow('no such table')
    expect(attempts).toBe(1)
  })
})
