import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/start-fake-upstream.ts'
import { createEmptyPostgres, type EmptyPostgres } from '../support/create-empty-postgres.ts'
import { REDIS_TEST_URL, requireService } from '../support/services.ts'
import { runAnyGateway } from '../cli/run-any-gateway.ts'
import {
  holdsByPid,
  METRICS_TOKEN,
  openTestDb,
  send,
  startCluster,
  seed,
  waitFor,
  type Answer,
  type Cluster,
  type Sent,
} from './workers-cluster.ts'

/**
 * Issue 20, acceptance 2: WORKERS=2 started as a user starts it (`node --import tsx src/main.ts`); see
 * workers-cluster.ts for how requests reach both workers.
 */

/** Both workers admit `key` (their caches hold it), then requests keep going until `stop()`. */
async function keepKeyInUse(c: Cluster, key: string): Promise<{ stop(): Promise<void> }> {
  const seen = new Set<string>()
  await waitFor('both workers to admit the key', async () => {
    const r = await c.chat(key)
    expect(r.status).toBe(200)
    seen.add(r.worker)
    return seen.size === 2
  })
  let going = true
  const loop = (async () => {
    while (going) await c.chat(key).catch(() => undefined)
  })()
  return {
    stop: async () => {
      going = false
      await loop
    },
  }
}

/** Two keys' worth of the acceptance: revocation reaches the other worker within a second; 10 of 30 admitted. */
function acceptanceCases(get: () => { c: Cluster; channelId: string }) {
  it('a key revoked through one worker is refused by the other within a second', async () => {
    const { c } = get()
    const created = await c.admin('POST', '/user/tokens', { name: 'revoked' })
    const key = String(created.key)
    // Both workers cache the key as valid (their caches keep it 5 s unless told).
    const lastOk = new Map<string, number>()
    await waitFor('both workers to admit the key', async () => {
      const r = await c.chat(key)
      expect(r.status).toBe(200)
      lastOk.set(r.worker, Date.now())
      return lastOk.size === 2 && [...lastOk.values()].every((t) => Date.now() - t < 1500)
    })
    const revoked = await send(c.gw.url, 'DELETE', `/user/tokens/${String(created.id)}`, {
      authorization: `Bearer ${c.jwt}`,
    })
    expect(revoked.status).toBeLessThan(300)
    const revokedAt = Date.now()
    const other = revoked.worker === '1' ? '2' : '1'
    await new Promise((r) => setTimeout(r, 1000))
    const after: Answer[] = []
    while (!after.some((a) => a.worker === other)) after.push(await c.chat(key))
    // The other worker's cached entry was fresh enough that only the invalidation explains the refusal.
    expect(Date.now() - (lastOk.get(other) ?? 0)).toBeLessThan(4500)
    expect(Date.now() - revokedAt).toBeLessThan(3000)
    for (const a of after) expect(a.status, `worker ${a.worker}`).toBe(401)
  })

  it('a request limit of 10 across both workers admits exactly 10 of 30 concurrent requests', async () => {
    const { c, channelId } = get()
    const group = await c.admin('POST', '/admin/groups', { name: `limited-${Date.now()}` })
    const gid = String(group.id)
    await c.admin('POST', `/admin/groups/${gid}/channels/${channelId}`)
    await c.admin('POST', '/admin/rate-limits', {
      group_id: gid,
      window_sec: 600,
      limit_type: 'request_limit',
      value: 10,
    })
    // A key bound to the group whose owner has no balance: past the group's package the rule refuses (429)
    // instead of the balance paying (SPEC §7).
    const owner = `bob${Date.now()}`
    const password = randomBytes(18).toString('base64url')
    await c.admin('POST', '/admin/users', { username: owner, password, quota_usd: 0, role: 'admin' })
    const ownerJwt = String(
      (await c.call('POST', '/auth/login', null, { username: owner, password })).access_token,
    )
    const key = String(
      (await c.call('POST', '/user/tokens', ownerJwt, { name: 'limited', group_id: gid })).key,
    )
    const answers = await Promise.all(Array.from({ length: 30 }, () => c.chat(key)))
    const statuses = answers.map((a) => a.status)
    expect(statuses.filter((s) => s === 200)).toHaveLength(10)
    expect(statuses.filter((s) => s === 429)).toHaveLength(20)
    expect(new Set(answers.map((a) => a.worker))).toEqual(new Set(['1', '2']))
  })
}

describe('issue 20: WORKERS=2, SQLite without Redis', () => {
  let upstream: FakeUpstream
  let c: Cluster
  let channelId: string
  let root: string
  beforeAll(async () => {
    upstream = await startFakeUpstream({ maxRecordedRequests: 0 })
    root = mkdtempSync(path.join(os.tmpdir(), 'gw-workers-'))
    c = await startCluster(path.join(root, 'data'), {})
    ;({ channelId } = await seed(c, upstream))
  }, 180_000)
  afterAll(async () => {
    await c?.gw.stop()
    await upstream?.close()
    if (root) rmSync(root, { recursive: true, force: true })
  })

  acceptanceCases(() => ({ c, channelId }))

  it('/metrics on one port shows the totals of both workers', async () => {
    const r = await send(c.gw.url, 'GET', '/metrics', { authorization: `Bearer ${METRICS_TOKEN}` })
    expect(r.status).toBe(200)
    const limited = /^gateway_rate_limit_decisions_total\{outcome="limited"\} (\d+)$/m.exec(r.body)
    // The limit test's 20 refusals, whichever worker refused them.
    expect(Number(limited?.[1])).toBe(20)
    const db = /^gateway_dependency_up\{dependency="database"\} (\d+)$/m.exec(r.body)
    expect(Number(db?.[1])).toBe(1)
  })

  it('`any-gateway key revoke` without Redis reaches both running workers within a second, through the database', async () => {
    const created = await c.admin('POST', '/user/tokens', { name: 'cli-revoked-no-redis' })
    const key = String(created.key)
    const id = String(created.id)
    // Both workers hold the key as valid in their caches (5 s each unless told), used all along the CLI's run.
    const traffic = await keepKeyInUse(c, key)
    try {
      const revoked = await runAnyGateway(['key', 'revoke', id], { DATA_DIR: c.dataDir })
      expect(revoked.status, revoked.stderr).toBe(0)
      expect(revoked.stderr).not.toContain('could not be told')
      const doneAt = Date.now()
      await traffic.stop()
      // The CLI told the gateways where they look without Redis: a row naming the key in `cache_changes`.
      const db = await openTestDb({ sqlitePath: path.join(c.dataDir, 'gateway.db') })
      try {
        const rows = await db.all<{ what: string }>('SELECT what FROM cache_changes WHERE target = ?', [id])
        expect(rows).toEqual([{ what: 'keys' }])
      } finally {
        await db.close()
      }
      // Both workers refuse it within a second of the CLI's end; their caches alone would take up to 5 s.
      const refusedAt = new Map<string, number>()
      while (refusedAt.size < 2 && Date.now() - doneAt < 3000) {
        const a = await c.chat(key)
        if (a.status === 401 && !refusedAt.has(a.worker)) refusedAt.set(a.worker, Date.now())
      }
      expect([...refusedAt.keys()].sort()).toEqual(['1', '2'])
      for (const [worker, at] of refusedAt) expect(at - doneAt, `worker ${worker}`).toBeLessThan(1000)
      const after: Answer[] = []
      while (new Set(after.map((a) => a.worker)).size < 2) after.push(await c.chat(key))
      for (const a of after) expect(a.status, `worker ${a.worker}`).toBe(401)
    } finally {
      await traffic.stop()
    }
  }, 120_000)

  // Last in this suite: the killed worker takes its share of the metrics above with it.
  it('a worker killed with SIGKILL is restarted, the port keeps serving and only its holds are released', async () => {
    const key = String((await c.admin('POST', '/user/tokens', { name: 'crash', quota_usd: 100 })).key)
    const db = await openTestDb({ sqlitePath: path.join(c.dataDir, 'gateway.db') })
    const held: Sent[] = []
    let cut = 0
    const hold = () => {
      const h = c.hold(key)
      h.answer.catch(() => cut++)
      return h
    }
    try {
      const pids = c.workerPids()
      const victim = pids.get('1')!
      const survivor = pids.get('2')!
      // Requests the upstream never answers keep their holds on both workers.
      await waitFor('holds on both workers', async () => {
        if (held.length < 20) held.push(hold())
        const holds = await holdsByPid(db)
        return (holds.get(victim) ?? 0) >= 2 && (holds.get(survivor) ?? 0) >= 2
      })
      await new Promise((r) => setTimeout(r, 300))
      const before = await holdsByPid(db)
      process.kill(victim, 'SIGKILL')

      // The killed worker's holds are released at once (the primary saw it die); the live worker's stay.
      await waitFor(
        'the killed worker’s holds released',
        async () => !(await holdsByPid(db)).has(victim),
        10_000,
      )
      expect((await holdsByPid(db)).get(survivor)).toBe(before.get(survivor))
      // Its clients see their connections cut (not left hanging); the survivor's are still waiting.
      await waitFor('the killed worker’s clients cut off', () => cut >= before.get(victim)!, 10_000)
      expect(cut).toBeLessThan(held.length)

      // The port keeps serving meanwhile, and worker 1 comes back as another process.
      const during = await c.chat(key)
      expect(during.status).toBe(200)
      await waitFor('worker 1 restarted', () => (c.workerPids().get('1') ?? victim) !== victim, 60_000)
      expect(c.gw.output()).toContain('worker died; restarting it')
      const seen = new Set<string>()
      await waitFor('both workers answering again', async () => {
        const r: Answer = await c.chat(key)
        expect(r.status).toBe(200)
        seen.add(r.worker)
        return seen.size === 2
      })
      expect(c.workerPids().get('2')).toBe(survivor)
    } finally {
      for (const h of held) h.abort()
      await Promise.allSettled(held.map((h) => h.answer))
      await db.close()
    }
    // The survivor's own holds end with their requests: nothing stays held.
    const dbAfter = await openTestDb({ sqlitePath: path.join(c.dataDir, 'gateway.db') })
    try {
      await waitFor('no holds left', async () => (await holdsByPid(dbAfter)).size === 0, 15_000)
    } finally {
      await dbAfter.close()
    }
  }, 120_000)
})

describe('issue 20: WORKERS=2, SQLite with Redis', async () => {
  const redisUp = await requireService('Redis', '127.0.0.1', Number(new URL(REDIS_TEST_URL).port || 6379))
  let upstream: FakeUpstream
  let c: Cluster
  let channelId: string
  let root: string
  beforeAll(async () => {
    if (!redisUp) return
    upstream = await startFakeUpstream({ maxRecordedRequests: 0 })
    root = mkdtempSync(path.join(os.tmpdir(), 'gw-workers-'))
    c = await startCluster(path.join(root, 'data'), { REDIS_URL: REDIS_TEST_URL })
    ;({ channelId } = await seed(c, upstream))
  }, 180_000)
  afterAll(async () => {
    await c?.gw.stop()
    await upstream?.close()
    if (root) rmSync(root, { recursive: true, force: true })
  })
  if (redisUp) acceptanceCases(() => ({ c, channelId }))

  it.runIf(redisUp)(
    '`any-gateway key revoke` reaches both running workers within a second over Redis',
    async () => {
      const created = await c.admin('POST', '/user/tokens', { name: 'cli-revoked' })
      const key = String(created.key)
      const id = String(created.id)
      const heard: string[] = []
      const sub = new Redis(REDIS_TEST_URL)
      await sub.subscribe('gateway:invalidate')
      sub.on('message', (_channel: string, text: string) => heard.push(text))
      // Both workers hold the key as valid in their caches, used all along the CLI's run.
      const traffic = await keepKeyInUse(c, key)
      try {
        const revoked = await runAnyGateway(['key', 'revoke', id], {
          DATA_DIR: c.dataDir,
          REDIS_URL: REDIS_TEST_URL,
        })
        expect(revoked.status, revoked.stderr).toBe(0)
        expect(revoked.stderr).not.toContain('could not be told')
        const doneAt = Date.now()
        await traffic.stop()
        // The CLI told the gateways on the channel they listen on, naming the key.
        await waitFor('the CLI’s message', () => heard.length > 0, 2000)
        expect(heard.map((t) => JSON.parse(t) as Record<string, unknown>)).toContainEqual(
          expect.objectContaining({ what: 'keys', id }),
        )
        await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - doneAt))))
        const after: Answer[] = []
        while (new Set(after.map((a) => a.worker)).size < 2) after.push(await c.chat(key))
        expect(Date.now() - doneAt).toBeLessThan(4000)
        for (const a of after) expect(a.status, `worker ${a.worker}`).toBe(401)
      } finally {
        await traffic.stop()
        sub.disconnect()
      }
    },
    120_000,
  )
})

describe('issue 20: WORKERS=2, PostgreSQL with Redis', async () => {
  const pgUp = await requireService('PostgreSQL', '127.0.0.1', 5432)
  const redisUp = await requireService('Redis', '127.0.0.1', Number(new URL(REDIS_TEST_URL).port || 6379))
  let upstream: FakeUpstream
  let c: Cluster
  let channelId: string
  let root: string
  let database: EmptyPostgres
  beforeAll(async () => {
    if (!pgUp || !redisUp) return
    upstream = await startFakeUpstream({ maxRecordedRequests: 0 })
    database = await createEmptyPostgres('gw_workers')
    root = mkdtempSync(path.join(os.tmpdir(), 'gw-workers-'))
    c = await startCluster(path.join(root, 'data'), {
      REDIS_URL: REDIS_TEST_URL,
      DATABASE_URL: database.url,
      JWT_SECRET: randomBytes(32).toString('hex'),
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    })
    ;({ channelId } = await seed(c, upstream))
  }, 180_000)
  afterAll(async () => {
    await c?.gw.stop()
    await upstream?.close()
    await database?.drop()
    if (root) rmSync(root, { recursive: true, force: true })
  })
  if (pgUp && redisUp) {
    acceptanceCases(() => ({ c, channelId }))
    it('registers each worker as a live instance that owns its holds', async () => {
      const client = new pg.Client({ connectionString: database.url })
      await client.connect()
      try {
        const { rows } = await client.query<{ n: string }>(
          'select count(*) as n from gateway_instances where heartbeat_at > $1',
          [Date.now() - 60_000],
        )
        expect(Number(rows[0].n)).toBe(2)
      } finally {
        await client.end()
      }
    })
  }
})
