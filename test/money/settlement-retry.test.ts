import { existsSync, readdirSync } from 'node:fs'
import Database from 'better-sqlite3'
import { sql } from 'kysely'
import pg from 'pg'
import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { MODELS, startProxyFixture, type ProxyFixture } from '../support/proxy-fixture.ts'
import { bearer, buildTestApp, type TestApp } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { toBig } from '../../src/infra/db/convert-row-values.ts'
import { sweepReservations } from '../../src/billing/reserve-funds.ts'
import type { DbKind } from '../../src/infra/db/create-db.ts'
import type { HoldsKept } from '../../src/infra/db/claim-sqlite-holds.ts'
import { settlementStats } from '../../src/billing/settlement-stats.ts'

const kinds = await testDbKinds()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Fault {
  release(): Promise<void>
}

/**
 * The database refuses the settlement's writes until released. SQLite: a second connection holds the write lock
 * (BEGIN EXCLUSIVE) and the gateway's connection gives up after 100 ms instead of 10 s. PostgreSQL: a second
 * connection holds usage_logs (or `pgTables`) locked and the backends that wait for it are terminated, as an
 * administrator (or a failover) would.
 */
async function refuseWrites(kind: DbKind, t: TestApp, pgTables = ['usage_logs']): Promise<Fault> {
  if (kind === 'sqlite') {
    await sql`PRAGMA busy_timeout = 100`.execute(t.tdb.db.db)
    const other = new Database(t.tdb.url.slice('sqlite:'.length))
    other.exec('BEGIN EXCLUSIVE')
    return {
      release: async () => {
        other.exec('ROLLBACK')
        other.close()
      },
    }
  }
  const locker = new pg.Client({ connectionString: t.tdb.url })
  await locker.connect()
  await locker.query('BEGIN')
  await locker.query(`LOCK TABLE ${pgTables.join(', ')} IN ACCESS EXCLUSIVE MODE`)
  const killer = new pg.Client({ connectionString: t.tdb.url })
  await killer.connect()
  let on = true
  const kills = (async () => {
    while (on) {
      await killer.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
      )
      await sleep(30)
    }
  })()
  return {
    release: async () => {
      on = false
      await kills
      await locker.query('COMMIT')
      await locker.end()
      await killer.end()
    },
  }
}

interface SettlementCounters {
  pending: number
  failed_attempts: number
  recovered: number
  left_for_next_start: number
  replayed_at_start: number
}

async function counters(t: TestApp): Promise<SettlementCounters> {
  const r = await t.inject({ method: 'GET', url: '/ready' })
  return (r.json() as { settlements: SettlementCounters }).settlements
}

const journals = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('pending-settlements-'))

/** Every database with its holds in rows, and SQLite with them in memory (the one process reserving on its file). */
const modes: [DbKind, HoldsKept][] = [
  ...kinds.map((k): [DbKind, HoldsKept] => [k, 'database']),
  ['sqlite', 'memory'],
]

describe.each(modes)('settlements the database refuses (%s, holds in the %s)', (kind, holdsKept) => {
  let f: ProxyFixture | null = null
  let second: TestApp | null = null

  afterEach(async () => {
    await second?.close()
    second = null
    await f?.close().catch(() => undefined)
    f = null
  })

  async function start() {
    f = await startProxyFixture(kind, { holdsKept })
    expect(f.t.proxy.billing.memoryHolds !== null).toBe(holdsKept === 'memory')
    for (const [unit, price] of [
      ['input_token', 2.5],
      ['output_token', 10],
    ] as const) {
      const r = await f.t.inject({
        method: 'POST',
        url: '/admin/prices',
        headers: bearer(f.adminJwt),
        payload: { model_name: MODELS.openai, unit, price_per_unit: price },
      })
      expect(r.statusCode).toBe(201)
    }
    return f
  }

  async function money(fx: ProxyFixture, requestId: string) {
    const db = fx.t.tdb.db.db
    const u = await db
      .selectFrom('users')
      .select(['quota_nano', 'reserved_nano'])
      .where('username', '=', 'user')
      .executeTakeFirstOrThrow()
    const rows = await db.selectFrom('usage_logs').selectAll().where('request_id', '=', requestId).execute()
    const ledger = await db
      .selectFrom('balance_ledger')
      .selectAll()
      .where('request_id', '=', requestId)
      .execute()
    const open = await db.selectFrom('reservations').selectAll().where('request_id', '=', requestId).execute()
    // The running gateway's holds (after a restart, the new one's: the stopped one's went with it).
    const inMemory = (second ?? fx.t).proxy.billing.memoryHolds?.heldByUser('user') ?? 0n
    return { balance: toBig(u.quota_nano), reserved: toBig(u.reserved_nano), rows, ledger, open, inMemory }
  }

  /**
   * A request answered by a slow provider, the database refusing writes from the moment the provider has it: the
   * client gets its answer, the settlement fails. Resolves once the settlement has failed `failures` times.
   */
  async function answeredWhileRefused(fx: ProxyFixture, failures: number, pgTables?: string[]) {
    const prompt = `settle me later ${Math.random()}`
    const before = await money(fx, 'none')
    const startCounters = await counters(fx.t)
    const answer = request(`${fx.gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${fx.key}`,
        'content-type': 'application/json',
        'x-fake-scenario': 'delay:600',
      },
      body: JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: prompt }] }),
    })
    await expect
      .poll(() => fx.upstream.requests.some((r) => r.body.includes(prompt)), { timeout: 3000 })
      .toBe(true)
    const fault = await refuseWrites(kind, fx.t, pgTables)
    try {
      const res = await answer
      expect(res.statusCode).toBe(200)
      await res.body.text()
      const requestId = String(res.headers['x-request-id'])
      await expect
        .poll(async () => (await counters(fx.t)).failed_attempts - startCounters.failed_attempts, {
          timeout: 20_000,
          interval: 50,
        })
        .toBeGreaterThanOrEqual(failures)
      return { requestId, before, startCounters, fault }
    } catch (err) {
      await fault.release()
      throw err
    }
  }

  /** The request's money landed exactly once: one usage row, one ledger row, the balance charged its cost once. */
  async function expectSettledOnce(fx: ProxyFixture, requestId: string, before: { balance: bigint }) {
    const m = await money(fx, requestId)
    expect(m.rows).toHaveLength(1)
    const cost = toBig(m.rows[0].cost_nano)
    expect(cost).toBeGreaterThan(0n)
    expect(m.ledger).toHaveLength(1)
    expect(toBig(m.ledger[0].amount_nano)).toBe(-cost)
    expect(toBig(m.ledger[0].balance_after_nano)).toBe(before.balance - cost)
    expect(before.balance - m.balance).toBe(cost)
    expect(m.reserved).toBe(0n)
    expect(m.open).toHaveLength(0)
    expect(m.inMemory).toBe(0n)
  }

  const ask = (fx: ProxyFixture, key: string, prompt: string) =>
    request(`${fx.gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: MODELS.openai,
        max_tokens: 100,
        messages: [{ role: 'user', content: prompt }],
      }),
    })

  /** SPEC §6 and docs/security.md: a hold the database cannot take fails closed, 503 with its retry hint. */
  async function expectRefusedWhileLocked(fx: ProxyFixture, key = fx.key) {
    const prompt = `not now ${Math.random()}`
    const another = await ask(fx, key, prompt)
    const body = (await another.body.json()) as { error: { type?: string; code?: string } }
    expect(another.statusCode).toBe(503)
    expect(another.headers['retry-after']).toBe('1')
    expect(body.error.code ?? body.error.type).toBe('service_unavailable')
    expect(fx.upstream.requests.some((r) => r.body.includes(prompt))).toBe(false)
  }

  it('issue 15 defect 12: retries a refused settlement with backoff until it lands, exactly once, and counts it', async () => {
    const fx = await start()
    const { requestId, before, startCounters, fault } = await answeredWhileRefused(fx, 2)
    try {
      const now = await counters(fx.t)
      expect(now.pending).toBeGreaterThanOrEqual(1)
      // While the settlement waits, its reservation keeps holding the money (usage_logs itself is locked now).
      const open = await fx.t.tdb.db.db
        .selectFrom('reservations')
        .select('request_id')
        .where('request_id', '=', requestId)
        .execute()
      expect(open).toHaveLength(holdsKept === 'memory' ? 0 : 1)
      if (holdsKept === 'memory') expect(fx.t.proxy.billing.memoryHolds?.open()).toBe(1)
      expect(journals(fx.t.deps.config.DATA_DIR)).toHaveLength(1)
      // Meanwhile, on SQLite (the whole file refuses writes; PostgreSQL's fault locks usage_logs alone), a new
      // request that needs a hold is refused — holds in memory included: while settlements wait, their admission
      // first checks that the database takes a write (hold-funds-in-memory.ts).
      if (kind === 'sqlite') await expectRefusedWhileLocked(fx)
    } finally {
      await fault.release()
    }

    await expect.poll(async () => (await money(fx, requestId)).rows.length, { timeout: 40_000 }).toBe(1)
    await expect.poll(async () => (await counters(fx.t)).pending, { timeout: 5000 }).toBe(0)
    // More retries would change nothing: still exactly once.
    await sleep(300)
    await expectSettledOnce(fx, requestId, before)
    expect((await counters(fx.t)).recovered).toBeGreaterThan(startCounters.recovered)
    expect(journals(fx.t.deps.config.DATA_DIR)).toHaveLength(0)
    expect(fx.t.logs.join('\n')).toContain('retried until it lands')
  }, 60_000)

  it('a request whose hold the database refuses is answered 503 and gives back its token-limit record and concurrency slot', async () => {
    const fx = await start()
    // Room for one request's estimate per minute (its prompt and max_tokens of 100), and one at a time: a refused
    // request that kept either would refuse the key's next request once the database is back.
    const limited = await fx.createKey({ tpm: 150, max_concurrency: 1 })
    const { fault } = await answeredWhileRefused(fx, 1, ['usage_logs', 'reservations'])
    try {
      await expectRefusedWhileLocked(fx, limited)
      await expectRefusedWhileLocked(fx, limited)
    } finally {
      await fault.release()
    }
    await expect.poll(async () => (await counters(fx.t)).pending, { timeout: 40_000 }).toBe(0)
    const back = await ask(fx, limited, 'the database is back')
    await back.body.text()
    expect(back.statusCode).toBe(200)
  }, 60_000)

  it('issue 15 defect 12: graceful shutdown waits for a refused settlement to land', async () => {
    const fx = await start()
    const { requestId, before, fault } = await answeredWhileRefused(fx, 1)
    const stopping = fx.t.shutdown(15_000)
    await sleep(700)
    await fault.release()
    await stopping
    await expectSettledOnce(fx, requestId, before)
    expect(journals(fx.t.deps.config.DATA_DIR)).toHaveLength(0)
  }, 60_000)

  it('issue 15 defect 12: a settlement still refused at shutdown lands at the next start, before its reservation could be swept', async () => {
    const fx = await start()
    const { requestId, before, fault } = await answeredWhileRefused(fx, 1)
    try {
      const left = settlementStats.leftForNextStart
      await fx.t.shutdown(1000)
      expect(settlementStats.leftForNextStart).toBeGreaterThan(left)
    } finally {
      await fault.release()
    }
    const dir = fx.t.deps.config.DATA_DIR
    expect(journals(dir)).toHaveLength(1)
    // A hold in rows stays for the sweep; one in memory went with the process.
    expect((await money(fx, requestId)).open).toHaveLength(holdsKept === 'memory' ? 0 : 1)
    expect((await money(fx, requestId)).rows).toHaveLength(0)

    // The next start (same database, same data folder), then the sweep main.ts runs before serving.
    second = await buildTestApp(kind, { shared: fx.t })
    await sweepReservations(fx.t.tdb.db.db, Date.now())
    await expectSettledOnce(fx, requestId, before)
    expect(journals(dir)).toHaveLength(0)
    expect(existsSync(dir)).toBe(true)
  }, 60_000)
})
