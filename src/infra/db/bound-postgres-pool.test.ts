/**
 * The PostgreSQL pool behind a TCP fault proxy (issue 15 faults): statements and connection waits are bounded,
 * link failures are a 503 (DatabaseUnavailableError), never an uncaught exception or an endless wait, and the
 * pool serves again by itself once the database is back.
 */
import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { PG_ADMIN_URL, requireService } from '../../../test/support/services.ts'
import { startFaultProxy, type FaultProxy } from '../../../test/support/start-fault-proxy.ts'
import { AppError } from '../../domain/errors.ts'
import { createDb, migrate, type Db } from './create-db.ts'
import { DatabaseUnavailableError } from './database-unavailable-error.ts'

const hasPostgres = await requireService('PostgreSQL', '127.0.0.1', 5432)
const CONNECT_MS = 400
const QUERY_MS = 500
/** Timers and scheduling on a loaded machine. */
const MARGIN_MS = 700

async function timed<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
  const t0 = performance.now()
  try {
    return { value: await p, ms: performance.now() - t0 }
  } catch (error) {
    return { error, ms: performance.now() - t0 }
  }
}

const one = (db: Db) => sql<{ one: number }>`SELECT 1 AS one`.execute(db.db).then((r) => r.rows[0].one)

function expectUnavailable(r: { error?: unknown; ms: number }, bound: number) {
  expect(r.error).toBeInstanceOf(DatabaseUnavailableError)
  expect((r.error as AppError).status).toBe(503)
  // The driver's text (with the database's address) is kept for logs, never as the message.
  expect((r.error as Error).message).not.toMatch(/127\.0\.0\.1|ECONN|terminated/)
  expect(r.ms).toBeLessThan(bound + MARGIN_MS)
}

describe.runIf(hasPostgres)('bounded PostgreSQL pool (issue 15 faults)', () => {
  let proxy: FaultProxy
  let handle: Db
  const uncaught: unknown[] = []
  const onUncaught = (e: unknown) => uncaught.push(e)

  beforeAll(async () => {
    proxy = await startFaultProxy({ host: '127.0.0.1', port: 5432 })
    const url = new URL(PG_ADMIN_URL)
    url.host = `${proxy.host}:${proxy.port}`
    handle = createDb({
      kind: 'postgres',
      postgresUrl: url.toString(),
      poolSize: 3,
      connectTimeoutMs: CONNECT_MS,
      queryTimeoutMs: QUERY_MS,
    })
    process.on('uncaughtException', onUncaught)
  })
  afterEach(async () => {
    await proxy.restore()
  })
  afterAll(async () => {
    process.off('uncaughtException', onUncaught)
    await handle?.close()
    await proxy?.close()
  })

  it('a connection reset during a statement rejects it with a 503 and never crashes the process', async () => {
    expect(await one(handle)).toBe(1)
    const slow = timed(sql`SELECT pg_sleep(0.3)`.execute(handle.db))
    await new Promise((r) => setTimeout(r, 100))
    proxy.resetConnections()
    expectUnavailable(await slow, QUERY_MS)
    // Another statement on a connection the reset killed must not throw pg's 'error' event at the process.
    const again = await Promise.all([timed(one(handle)), timed(one(handle))])
    await new Promise((r) => setTimeout(r, 100))
    expect(uncaught).toEqual([])
    for (const r of again) if (r.error) expectUnavailable(r, QUERY_MS)
    expect(await one(handle)).toBe(1)
  })

  it('black-holed: a statement on a pooled connection ends within the query timeout; then recovers', async () => {
    expect(await one(handle)).toBe(1)
    await proxy.blackHole()
    const stuck = await Promise.all([timed(one(handle)), timed(one(handle)), timed(one(handle))])
    for (const r of stuck) expectUnavailable(r, QUERY_MS)
    // Connections that timed out were dropped, not handed back to wait behind their lost statement.
    const second = await timed(one(handle))
    expectUnavailable(second, Math.max(QUERY_MS, CONNECT_MS))
    await proxy.restore()
    await expect.poll(() => one(handle).catch(() => 0), { timeout: 5000 }).toBe(1)
    expect(uncaught).toEqual([])
  })

  it('refused: a 503 at once; pool waits are bounded too; then recovers', async () => {
    await proxy.refuse()
    const refused = await timed(one(handle))
    expectUnavailable(refused, CONNECT_MS)
    await proxy.restore()
    await expect.poll(() => one(handle).catch(() => 0), { timeout: 5000 }).toBe(1)
    // Every connection of the pool busy: the next caller waits at most the connect timeout for one (#79).
    const busy = Array.from({ length: 3 }, () => sql`SELECT pg_sleep(0.45)`.execute(handle.db))
    const queued = await timed(one(handle))
    expectUnavailable(queued, CONNECT_MS)
    await Promise.all(busy)
  })

  it('a statement the server rejects is not "unavailable": its own error passes through', async () => {
    const r = await timed(sql`SELECT * FROM no_such_table_here`.execute(handle.db))
    expect(r.error).not.toBeInstanceOf(DatabaseUnavailableError)
    expect((r.error as { code?: string }).code).toBe('42P01')
    expect(await one(handle)).toBe(1)
  })

  it('a statement longer than the query timeout fails, but migrations are not bounded by it', async () => {
    const long = await timed(sql`SELECT pg_sleep(0.8)`.execute(handle.db))
    expectUnavailable(long, QUERY_MS)
    // Runs the migrations of a fresh database through the bounded handle: none may be cut by the bound.
    const name = `gw_bound_${Date.now().toString(36)}`
    // Creating a database can take longer than the bound on a busy machine: done over a direct connection.
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    const url = new URL(PG_ADMIN_URL)
    url.host = `${proxy.host}:${proxy.port}`
    url.pathname = `/${name}`
    const fresh = createDb({
      kind: 'postgres',
      postgresUrl: url.toString(),
      connectTimeoutMs: CONNECT_MS,
      queryTimeoutMs: 1,
    })
    try {
      await migrate(fresh)
      // The bound is back for everything after the migrations.
      await expect(sql`SELECT pg_sleep(0.05)`.execute(fresh.db)).rejects.toBeInstanceOf(
        DatabaseUnavailableError,
      )
    } finally {
      await fresh.close()
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.end()
    }
  })
})
