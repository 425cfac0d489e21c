import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/start-fake-upstream.ts'
import { createEmptyPostgres, type EmptyPostgres } from '../support/create-empty-postgres.ts'
import { requireService } from '../support/services.ts'
import {
  holdsByPid,
  openTestDb,
  seed,
  startCluster,
  waitFor,
  type Cluster,
  type Sent,
  type TestDb,
} from './workers-cluster.ts'

/**
 * Issue 20: the orphan sweep (docs/architecture.md, "Several workers and hosts"). Holds of a gateway process that is
 * gone — its heartbeat stale past the threshold, or its row removed — are released, their funds given back; the
 * holds of live workers are not, even when another gateway starts late on the same database and runs its start-up
 * sweep while their requests are in flight (the fake upstream never answers them).
 */
const HOLD_NANO = 7_000_000

function sweepCases(
  kind: string,
  open: () => Promise<{ env: Record<string, string>; dataDir: () => string; db: () => Promise<TestDb> }>,
  cleanup: () => Promise<void>,
) {
  describe(`issue 20: the orphan sweep on ${kind}`, () => {
    let upstream: FakeUpstream
    let a: Cluster
    let setup: Awaited<ReturnType<typeof open>>
    beforeAll(async () => {
      upstream = await startFakeUpstream({ maxRecordedRequests: 0 })
      setup = await open()
      a = await startCluster(setup.dataDir(), setup.env)
      await seed(a, upstream)
    }, 180_000)
    afterAll(async () => {
      await a?.gw.stop()
      await upstream?.close()
      await cleanup()
    })

    it('a late gateway on the same database releases dead processes’ holds and leaves live workers’ alone', async () => {
      const created = await a.admin('POST', '/user/tokens', { name: 'swept', quota_usd: 100 })
      const key = String(created.key)
      const keyId = String(created.id)
      const db = await setup.db()
      const held: Sent[] = []
      let late: Cluster | undefined
      const reserved = async () =>
        Number(
          (
            await db.all<{ r: string | number }>('select reserved_nano as r from tokens where id = ?', [
              keyId,
            ])
          )[0].r,
        )
      try {
        const pids = a.workerPids()
        await waitFor('holds on both workers', async () => {
          if (held.length < 20) held.push(a.hold(key))
          const holds = await holdsByPid(db)
          return [...pids.values()].every((pid) => (holds.get(pid) ?? 0) >= 2)
        })
        await new Promise((r) => setTimeout(r, 300))
        const live = await holdsByPid(db)
        const liveReserved = await reserved()
        expect(liveReserved).toBeGreaterThan(0)

        // A process that died a while ago (heartbeat 2 minutes old) and one whose row is already gone, each holding
        // part of the key's cap; written in one statement so a sweep sees both or neither.
        const dead = `dead-${randomUUID()}`
        const now = Date.now()
        await db.all(
          'insert into gateway_instances (id, host, pid, started_at, heartbeat_at) values (?, ?, ?, ?, ?)',
          [dead, 'gone-host', 999_999, now - 600_000, now - 120_000],
        )
        await db.all('update tokens set reserved_nano = reserved_nano + ? where id = ?', [
          2 * HOLD_NANO,
          keyId,
        ])
        await db.all(
          `insert into reservations (request_id, username, token_id, user_amount_nano, token_amount_nano,
             created_at, instance_id) values (?, null, ?, 0, ?, ?, ?), (?, null, ?, 0, ?, ?, ?)`,
          [
            `dead-${randomUUID()}`,
            keyId,
            HOLD_NANO,
            now - 130_000,
            dead,
            `gone-${randomUUID()}`,
            keyId,
            HOLD_NANO,
            now - 130_000,
            `gone-${randomUUID()}`,
          ],
        )
        expect(await reserved()).toBe(liveReserved + 2 * HOLD_NANO)

        // Another gateway starts on the same database (another host would): its start-up sweep runs before it serves.
        late = await startCluster(setup.dataDir(), setup.env, '1', false)
        const after = await holdsByPid(db)
        for (const pid of pids.values()) expect(after.get(pid), `worker pid ${pid}`).toBe(live.get(pid))
        expect(after.has(0), 'holds of processes that are gone').toBe(false)
        expect(after.has(999_999)).toBe(false)
        expect(await reserved()).toBe(liveReserved)
        expect(a.gw.output() + late.gw.output()).toMatch(
          /"swept":2,.*released reservations of gateway processes/,
        )
        // The live workers' requests are still waiting on the upstream: nothing of theirs was touched.
        let settled = 0
        for (const h of held)
          void h.answer.then(
            () => settled++,
            () => settled++,
          )
        await new Promise((r) => setTimeout(r, 100))
        expect(settled).toBe(0)
      } finally {
        await late?.gw.stop()
        for (const h of held) h.abort()
        await Promise.allSettled(held.map((h) => h.answer))
      }
      // Their clients gone, the live workers release their own holds.
      try {
        await waitFor('no holds left', async () => (await holdsByPid(db)).size === 0, 15_000)
        expect(await reserved()).toBe(0)
      } finally {
        await db.close()
      }
    }, 180_000)
  })
}

let sqliteRoot = ''
sweepCases(
  'SQLite',
  async () => {
    sqliteRoot = mkdtempSync(path.join(os.tmpdir(), 'gw-sweep-'))
    const dataDir = path.join(sqliteRoot, 'data')
    return {
      env: {},
      dataDir: () => dataDir,
      db: () => openTestDb({ sqlitePath: path.join(dataDir, 'gateway.db') }),
    }
  },
  async () => {
    if (sqliteRoot) rmSync(sqliteRoot, { recursive: true, force: true })
  },
)

const pgUp = await requireService('PostgreSQL', '127.0.0.1', 5432)
let database: EmptyPostgres | undefined
const pgRoots: string[] = []
if (pgUp)
  sweepCases(
    'PostgreSQL',
    async () => {
      database = await createEmptyPostgres('gw_sweep')
      const env = {
        DATABASE_URL: database.url,
        JWT_SECRET: randomBytes(32).toString('hex'),
        ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      }
      return {
        env,
        // Each gateway its own DATA_DIR (another host's); the database and the secrets are shared.
        dataDir: () => {
          pgRoots.push(mkdtempSync(path.join(os.tmpdir(), 'gw-sweep-')))
          return path.join(pgRoots[pgRoots.length - 1], 'data')
        },
        db: () => openTestDb({ postgresUrl: database!.url }),
      }
    },
    async () => {
      await database?.drop()
      for (const r of pgRoots) rmSync(r, { recursive: true, force: true })
    },
  )
