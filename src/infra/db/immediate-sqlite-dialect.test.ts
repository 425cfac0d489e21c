import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { createDb, type Db } from './create-db.ts'

const INCREMENTS = 150

/**
 * Read, yield, then write what was read plus one: the shape of every check-then-act transaction (a top-up reading
 * the balance it replaces, an import keeping existing rows). Run from two processes, a DEFERRED begin fails at once
 * with SQLITE_BUSY_SNAPSHOT whenever the other committed between the read and the write (or SQLITE_BUSY, also at
 * once, while the other holds the write lock).
 */
const incrementSource = `
import { createDb } from ${JSON.stringify(path.resolve(import.meta.dirname, 'create-db.ts'))}
import { sql } from 'kysely'
const { db, close } = createDb({ kind: 'sqlite', sqlitePath: process.argv[1] })
await sql\`select 1\`.execute(db)
// Both processes start together: loading takes longer than the increments.
process.stdout.write('ready\\n')
await new Promise((r) => process.stdin.once('data', r))
process.stdin.destroy()
let failed = 0
for (let i = 0; i < ${INCREMENTS}; i++) {
  try {
    await db.transaction().execute(async (trx) => {
      const { rows } = await sql\`select n from counter where id = 1\`.execute(trx)
      await new Promise((r) => setImmediate(r))
      await sql\`update counter set n = \${Number(rows[0].n) + 1} where id = 1\`.execute(trx)
    })
  } catch (err) {
    // DEFERRED: SQLITE_BUSY_SNAPSHOT, or SQLITE_BUSY at once while the other holds the write lock.
    failed++
    process.stderr.write(String(err.code) + ' ')
  }
}
await close()
process.stdout.write('failed ' + failed)
`

interface Incrementer {
  ready: Promise<void>
  go(): void
  done: Promise<{ code: number | null; failed: number; stderr: string }>
}

function startIncrements(file: string): Incrementer {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', incrementSource, file],
    { cwd: path.resolve(import.meta.dirname, '..', '..', '..'), stdio: ['pipe', 'pipe', 'pipe'] },
  )
  let out = ''
  let stderr = ''
  let onReady = () => {}
  const ready = new Promise<void>((r) => (onReady = r))
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString()
    if (out.includes('ready')) onReady()
  })
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const done = new Promise<{ code: number | null; failed: number; stderr: string }>((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code) => {
      onReady()
      resolve({ code, failed: Number(/failed (\d+)/.exec(out)?.[1] ?? NaN), stderr })
    })
  })
  return { ready, go: () => child.stdin.end('go\n'), done }
}

describe('SQLite transactions begin IMMEDIATE', () => {
  const open: Db[] = []
  const raw: SQLite.Database[] = []
  let dir = ''
  afterEach(async () => {
    for (const db of open.splice(0)) await db.close()
    for (const db of raw.splice(0)) db.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  async function counterFile(): Promise<string> {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gw-immediate-'))
    const file = path.join(dir, 'gateway.db')
    const setup = createDb({ kind: 'sqlite', sqlitePath: file })
    await sql`create table counter (id integer primary key, n integer not null)`.execute(setup.db)
    await sql`insert into counter values (1, 0)`.execute(setup.db)
    await setup.close()
    return file
  }

  it('takes the write lock at BEGIN, before the first write; a read-only transaction does not', async () => {
    const file = await counterFile()
    const gateway = createDb({ kind: 'sqlite', sqlitePath: file })
    open.push(gateway)
    // Another process's connection, which does not wait for a lock.
    const other = new SQLite(file, { timeout: 0 })
    raw.push(other)
    const bump = () => other.prepare('update counter set n = n + 100 where id = 1').run()

    await gateway.db.transaction().execute(async (trx) => {
      await sql`select n from counter`.execute(trx)
      expect(bump).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }) as Error)
      await sql`update counter set n = n + 1 where id = 1`.execute(trx)
    })
    await gateway.db
      .transaction()
      .setAccessMode('read only')
      .execute(async (trx) => {
        await sql`select n from counter`.execute(trx)
        expect(bump().changes).toBe(1)
      })
    expect(other.prepare('select n from counter').get()).toEqual({ n: 101 })
  })

  it('read-then-write transactions from two processes on one file all commit, none lost', async () => {
    const file = await counterFile()
    const procs = [startIncrements(file), startIncrements(file)]
    await Promise.all(procs.map((p) => p.ready))
    for (const p of procs) p.go()
    const [a, b] = await Promise.all(procs.map((p) => p.done))
    expect(a.stderr + b.stderr).toBe('')
    expect([a.code, b.code, a.failed, b.failed]).toEqual([0, 0, 0, 0])
    const check = new SQLite(file)
    raw.push(check)
    expect(check.prepare('select n from counter').get()).toEqual({ n: 2 * INCREMENTS })
  }, 60_000)
})
