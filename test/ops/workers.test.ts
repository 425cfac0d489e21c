import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/start-fake-upstream.ts'
import { REPO_ROOT, spawnGateway, type SpawnedGateway } from '../support/spawn-gateway.ts'
import { createEmptyPostgres, type EmptyPostgres } from '../support/create-empty-postgres.ts'
import { REDIS_TEST_URL, requireService } from '../support/services.ts'

/**
 * Issue 20, acceptance 2: WORKERS=2 started as a user starts it (`node --import tsx src/main.ts`), each request on a
 * connection of its own so the cluster spreads them over both workers; `x-gateway-worker` says which one answered.
 */
interface Answer {
  status: number
  worker: string
  body: string
}

/** One request on a new connection (no keep-alive), so consecutive requests reach both workers. */
function send(base: string, method: string, url: string, headers: Record<string, string>, body?: string) {
  return new Promise<Answer>((resolve, reject) => {
    const req = http.request(`${base}${url}`, { method, headers, agent: false }, (res) => {
      let text = ''
      res.on('data', (d: Buffer) => (text += d.toString()))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, worker: String(res.headers['x-gateway-worker']), body: text }),
      )
    })
    req.on('error', reject)
    req.end(body)
  })
}

const MODEL = 'gpt-4o-mini'
const SLOW_MODEL = 'sc_slow-events_1500__gpt-4o-mini'
const METRICS_TOKEN = randomBytes(32).toString('base64url')

interface Cluster {
  gw: SpawnedGateway
  dataDir: string
  jwt: string
  admin(method: string, url: string, body?: unknown): Promise<Record<string, unknown>>
  call(method: string, url: string, jwt: string | null, body?: unknown): Promise<Record<string, unknown>>
  chat(key: string, model?: string): Promise<Answer>
  /** Worker number → pid, from the workers' "listening" lines. */
  workerPids(): Map<string, number>
}

async function startCluster(
  upstream: FakeUpstream,
  dataDir: string,
  env: Record<string, string>,
  workers = '2',
): Promise<Cluster> {
  const gw = await spawnGateway({
    command: process.execPath,
    args: ['--import', 'tsx', 'src/main.ts'],
    cwd: REPO_ROOT,
    env: { DATA_DIR: dataDir, WORKERS: workers, LOG_LEVEL: 'info', METRICS_TOKEN, ...env },
  })
  const json = async (method: string, url: string, jwt: string | null, body?: unknown) => {
    const r = await send(
      gw.url,
      method,
      url,
      { 'content-type': 'application/json', ...(jwt ? { authorization: `Bearer ${jwt}` } : {}) },
      body === undefined ? undefined : JSON.stringify(body),
    )
    if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${r.body}`)
    return (r.body ? JSON.parse(r.body) : {}) as Record<string, unknown>
  }
  const password = readFileSync(path.join(dataDir, 'initial-admin-password'), 'utf8').trim()
  const jwt = String((await json('POST', '/auth/login', null, { username: 'admin', password })).access_token)
  return {
    gw,
    dataDir,
    jwt,
    admin: (method, url, body) => json(method, url, jwt, body),
    call: json,
    chat: (key, model = MODEL) =>
      send(
        gw.url,
        'POST',
        '/v1/chat/completions',
        { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        JSON.stringify({ model, stream: model === SLOW_MODEL, messages: [{ role: 'user', content: 'hi' }] }),
      ),
    workerPids: () => {
      const pids = new Map<string, number>()
      for (const line of gw.output().split('\n')) {
        const m = /"pid":(\d+).*"msg":"worker (\d+) listening at/.exec(line)
        if (m) pids.set(m[2], Number(m[1]))
      }
      return pids
    },
  }
}

/** A channel on the fake upstream in a group everyone sees, priced so that holds are not zero. */
async function seed(c: Cluster, upstream: FakeUpstream) {
  const ch = await c.admin('POST', '/admin/channels', {
    name: 'fake',
    provider: 'openai',
    base_url: `${upstream.url}/v1`,
    api_key: 'sk-workers-canary-123456',
    models: [MODEL, SLOW_MODEL],
  })
  const open = await c.admin('POST', '/admin/groups', { name: 'open', all_visible: true })
  await c.admin('POST', `/admin/groups/${String(open.id)}/channels/${String(ch.id)}`)
  for (const model of [MODEL, SLOW_MODEL])
    await c.admin('POST', '/admin/prices', { model_name: model, unit: 'input_token', price_per_unit: 1 })
  return { channelId: String(ch.id) }
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
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
    c = await startCluster(upstream, path.join(root, 'data'), {})
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
    c = await startCluster(upstream, path.join(root, 'data'), { REDIS_URL: REDIS_TEST_URL })
    ;({ channelId } = await seed(c, upstream))
  }, 180_000)
  afterAll(async () => {
    await c?.gw.stop()
    await upstream?.close()
    if (root) rmSync(root, { recursive: true, force: true })
  })
  if (redisUp) acceptanceCases(() => ({ c, channelId }))
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
    c = await startCluster(upstream, path.join(root, 'data'), {
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
