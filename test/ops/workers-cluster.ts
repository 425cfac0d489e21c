import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import type { FakeUpstream } from '../fake-upstream/start-fake-upstream.ts'
import { REPO_ROOT, spawnGateway, type SpawnedGateway } from '../support/spawn-gateway.ts'

/**
 * Issue 20's test bench: gateways started as a user starts them (`node --import tsx src/main.ts`, WORKERS=n), each
 * request on a connection of its own so the cluster spreads them over the workers; `x-gateway-worker` says which
 * one answered.
 */
export interface Answer {
  status: number
  worker: string
  body: string
}

export interface Sent {
  answer: Promise<Answer>
  /** Hangs up (a client that gives up); `answer` then rejects. */
  abort(): void
}

/**
 * One request on a new connection (no keep-alive), so consecutive requests reach every worker. A connection cut in
 * the middle of the answer (a killed worker) rejects instead of leaving the promise pending forever.
 */
export function sendRequest(
  base: string,
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: string,
  timeoutMs = 30_000,
): Sent {
  let req: http.ClientRequest | undefined
  const answer = new Promise<Answer>((resolve, reject) => {
    req = http.request(`${base}${url}`, { method, headers, agent: false }, (res) => {
      let text = ''
      res.on('data', (d: Buffer) => (text += d.toString()))
      res.on('error', reject)
      res.on('close', () => {
        if (!res.complete) reject(new Error(`${method} ${url}: connection closed mid-answer`))
      })
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, worker: String(res.headers['x-gateway-worker']), body: text }),
      )
    })
    req.setTimeout(timeoutMs, () => req?.destroy(new Error(`${method} ${url}: no answer in ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end(body)
  })
  return { answer, abort: () => req?.destroy(new Error('aborted by the test')) }
}

export const send = (
  base: string,
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> => sendRequest(base, method, url, headers, body).answer

export const MODEL = 'gpt-4o-mini'
export const SLOW_MODEL = 'sc_slow-events_1500__gpt-4o-mini'
/** The fake upstream accepts and never answers: the request, and its hold, stay in flight until the client leaves. */
export const STALL_MODEL = 'sc_stall-headers__gpt-4o-mini'
export const METRICS_TOKEN = randomBytes(32).toString('base64url')

export interface Cluster {
  gw: SpawnedGateway
  dataDir: string
  jwt: string
  admin(method: string, url: string, body?: unknown): Promise<Record<string, unknown>>
  call(method: string, url: string, jwt: string | null, body?: unknown): Promise<Record<string, unknown>>
  chat(key: string, model?: string): Promise<Answer>
  /** A chat request left in flight (STALL_MODEL): abort it to end it. */
  hold(key: string): Sent
  /** Worker number → pid, from the workers' "listening" lines (a restarted worker's last). */
  workerPids(): Map<string, number>
}

export async function startCluster(
  dataDir: string,
  env: Record<string, string>,
  workers = '2',
  login = true,
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
  let jwt = ''
  if (login) {
    const password = readFileSync(path.join(dataDir, 'initial-admin-password'), 'utf8').trim()
    jwt = String((await json('POST', '/auth/login', null, { username: 'admin', password })).access_token)
  }
  const chatRequest = (key: string, model: string) =>
    sendRequest(
      gw.url,
      'POST',
      '/v1/chat/completions',
      { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      JSON.stringify({ model, stream: model === SLOW_MODEL, messages: [{ role: 'user', content: 'hi' }] }),
      model === MODEL ? 30_000 : 180_000,
    )
  return {
    gw,
    dataDir,
    jwt,
    admin: (method, url, body) => json(method, url, jwt, body),
    call: json,
    chat: (key, model = MODEL) => chatRequest(key, model).answer,
    hold: (key) => chatRequest(key, STALL_MODEL),
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
export async function seed(c: Cluster, upstream: FakeUpstream) {
  const models = [MODEL, SLOW_MODEL, STALL_MODEL]
  const ch = await c.admin('POST', '/admin/channels', {
    name: 'fake',
    provider: 'openai',
    base_url: `${upstream.url}/v1`,
    api_key: 'sk-workers-canary-123456',
    models,
  })
  const open = await c.admin('POST', '/admin/groups', { name: 'open', all_visible: true })
  await c.admin('POST', `/admin/groups/${String(open.id)}/channels/${String(ch.id)}`)
  for (const model of models)
    await c.admin('POST', '/admin/prices', { model_name: model, unit: 'input_token', price_per_unit: 1 })
  return { channelId: String(ch.id) }
}

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** The gateway's database seen from outside (SQLite file or PostgreSQL), `?` placeholders on both. */
export interface TestDb {
  all<T>(sql: string, params?: unknown[]): Promise<T[]>
  close(): Promise<void>
}

export async function openTestDb(where: { sqlitePath: string } | { postgresUrl: string }): Promise<TestDb> {
  if ('sqlitePath' in where) {
    const db = new Database(where.sqlitePath)
    db.pragma('busy_timeout = 5000')
    return {
      all: async <T>(sql: string, params: unknown[] = []) => {
        const st = db.prepare(sql)
        return (st.reader ? st.all(...params) : (st.run(...params), [])) as T[]
      },
      close: async () => void db.close(),
    }
  }
  const client = new pg.Client({ connectionString: where.postgresUrl })
  await client.connect()
  return {
    all: async <T>(sql: string, params: unknown[] = []) => {
      let n = 0
      const text = sql.replace(/\?/g, () => `$${++n}`)
      return (await client.query(text, params)).rows as T[]
    },
    close: () => client.end(),
  }
}

/** The in-flight holds by the pid of the gateway process that owns them (NULL owners under pid 0). */
export async function holdsByPid(db: TestDb): Promise<Map<number, number>> {
  const rows = await db.all<{ pid: number | null; n: number | string }>(
    `select g.pid as pid, count(*) as n from reservations r
       left join gateway_instances g on g.id = r.instance_id group by g.pid`,
  )
  return new Map(rows.map((r) => [Number(r.pid ?? 0), Number(r.n)]))
}
