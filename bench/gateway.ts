/**
 * Starts the real gateway for the benchmark and the soak as `npm start` runs it (SQLite, or PostgreSQL in a
 * throw-away database; WORKERS workers) and provisions an OpenAI channel and an Anthropic channel pointing at the
 * mock upstream, one group, priced models, a group rate-limit rule, a user with a balance, and the user's key.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync } from 'node:zlib'
import Database from 'better-sqlite3'
import pg from 'pg'
import { request } from 'undici'
import {
  type Child,
  freePort,
  POOL_CONNECTIONS,
  productionCommand,
  productionEnv,
  spawnNode,
  waitUntilReady,
} from './processes.ts'

export type BenchDb = 'sqlite' | 'postgres'

export interface RunningGateway {
  child: Child
  url: string
  /** Plaintext client key (`sk-…`). */
  key: string
  db: BenchDb
  /** The gateway's DATA_DIR (SQLite database, audit files under sessions/). */
  dataDir: string
  /** Stops the process, counts its `usage_logs` rows and audit files, and removes its data directory and database. */
  stop(): Promise<{
    counts: BillingCounts | undefined
    audit: AuditCounts | undefined
    /** Why the audit files could not be read back, when `audit` is undefined. */
    auditError?: string
  }>
}

export interface GatewayOptions {
  db: BenchDb
  core: number | string
  upstreamUrl: string
  /** Model of the OpenAI channel. */
  model: string
  /** Model of the Anthropic channel (default claude-haiku-4-5): Messages natively, Chat by translation. */
  anthropicModel?: string
  /** WORKERS (default 1: the whole gateway in one process). */
  workers?: number
  /** Extra node flags, e.g. `--cpu-prof` or `--import <probe>`, before those of `npm start`. */
  nodeFlags?: string[]
  /** Base URL of the PostgreSQL server (without a database name). */
  postgresUrl?: string
  /** Extra environment for the gateway (e.g. `AUDIT_BODIES`). */
  env?: Record<string, string>
  /** Folder in which the gateway's data folder (SQLite database, audit files) is created. Default: the OS temp folder. */
  dataParent?: string
}

async function call(
  url: string,
  method: 'GET' | 'POST',
  body: unknown,
  token?: string,
): Promise<Record<string, unknown>> {
  const res = await request(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.body.text()
  if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode}: ${text.slice(0, 500)}`)
  return text ? (JSON.parse(text) as Record<string, unknown>) : {}
}

async function createDatabase(baseUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${baseUrl}/postgres` })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE "${name}"`)
  } finally {
    await client.end()
  }
}

async function dropDatabase(baseUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${baseUrl}/postgres` })
  await client.connect()
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  } finally {
    await client.end()
  }
}

/** Data directories and databases of gateways not yet stopped, for an interrupted benchmark. */
const pendingCleanups = new Set<() => Promise<void>>()

/** Removes the data of every gateway still running; call after their processes are gone. */
export async function cleanupGateways(): Promise<void> {
  await Promise.all([...pendingCleanups].map((c) => c()))
}

export interface AuditCounts {
  files: number
  /** Records written without bodies (the writer shed them under pressure, or the request was unauthenticated). */
  metadataOnly: number
}

/** Every audit file under `sessions/`, read back: how many there are and how many hold metadata only. */
export function countAuditRecords(sessionsDir: string): AuditCounts {
  const counts: AuditCounts = { files: 0, metadataOnly: 0 }
  for (const day of readdirSync(sessionsDir)) {
    for (const name of readdirSync(join(sessionsDir, day))) {
      let record: { kind?: string }
      try {
        record = JSON.parse(
          brotliDecompressSync(readFileSync(join(sessionsDir, day, name))).toString('utf8'),
        ) as {
          kind?: string
        }
      } catch (error) {
        throw new Error(`${day}/${name}: ${error instanceof Error ? error.message : String(error)}`)
      }
      counts.files++
      if (record.kind === 'metadata') counts.metadataOnly++
    }
  }
  return counts
}

export interface BillingCounts {
  usageRows: number
  /** Usage rows with a cost charged to the balance (not 499s the load generator cut at the end of a run). */
  chargedRows: number
  /** The settlements' ledger rows (the user's opening balance is a ledger row too, of another kind). */
  ledgerRows: number
  openReservations: number
  /** Reservations still held in the gateway's memory (SQLite, WORKERS=1) once the load stopped, from `/metrics`. */
  heldInMemory?: number
  /** Money, in nano-USD: the usage rows' charged cost, the settlements' ledger sum, users' and keys' used and reserved. */
  costNano: bigint
  ledgerNano: bigint
  userUsedNano: bigint
  userReservedNano: bigint
  keyUsedNano: bigint
  keyReservedNano: bigint
  /** Usage rows by HTTP status. */
  byStatus: Record<string, number>
}

const COUNTS_SQL =
  'SELECT (SELECT count(*) FROM usage_logs) AS usage_rows, ' +
  '(SELECT count(*) FROM usage_logs WHERE cost_nano <> 0 AND covered_by_package = 0) AS charged_rows, ' +
  "(SELECT count(*) FROM balance_ledger WHERE kind = 'settle') AS ledger_rows, " +
  '(SELECT count(*) FROM reservations) AS open_reservations, ' +
  '(SELECT CAST(coalesce(sum(cost_nano), 0) AS TEXT) FROM usage_logs WHERE covered_by_package = 0) AS cost_nano, ' +
  "(SELECT CAST(coalesce(sum(amount_nano), 0) AS TEXT) FROM balance_ledger WHERE kind = 'settle') AS ledger_nano, " +
  '(SELECT CAST(coalesce(sum(used_nano), 0) AS TEXT) FROM users) AS user_used_nano, ' +
  '(SELECT CAST(coalesce(sum(reserved_nano), 0) AS TEXT) FROM users) AS user_reserved_nano, ' +
  '(SELECT CAST(coalesce(sum(used_nano), 0) AS TEXT) FROM tokens) AS key_used_nano, ' +
  '(SELECT CAST(coalesce(sum(reserved_nano), 0) AS TEXT) FROM tokens) AS key_reserved_nano'
const STATUS_SQL = 'SELECT status, count(*) AS n FROM usage_logs GROUP BY status'

/**
 * The gateway's `gateway_reservations_held_in_memory` once its last settlements had time to land (up to 3 s):
 * holds in memory leave no row to count afterwards. Undefined when /metrics cannot be read.
 */
async function readHeldInMemory(url: string, jwt: string): Promise<number | undefined> {
  let held: number | undefined
  for (let i = 0; i < 30; i++) {
    try {
      const res = await request(`${url}/metrics`, { headers: { authorization: `Bearer ${jwt}` } })
      const text = await res.body.text()
      const line = /^gateway_reservations_held_in_memory (\S+)$/m.exec(text)
      held = line ? Number(line[1]) : undefined
    } catch {
      held = undefined
    }
    if (held === 0 || held === undefined) return held
    await new Promise((r) => setTimeout(r, 100))
  }
  return held
}

/** What the gateway wrote: one usage row per request, one ledger row per charged request, no reservation left. */
async function countBillingRows(location: string): Promise<BillingCounts> {
  type Row = Record<string, unknown>
  const toCounts = (r: Row, statuses: Row[]): BillingCounts => ({
    usageRows: Number(r.usage_rows),
    chargedRows: Number(r.charged_rows),
    ledgerRows: Number(r.ledger_rows),
    openReservations: Number(r.open_reservations),
    costNano: BigInt(String(r.cost_nano)),
    ledgerNano: BigInt(String(r.ledger_nano)),
    userUsedNano: BigInt(String(r.user_used_nano)),
    userReservedNano: BigInt(String(r.user_reserved_nano)),
    keyUsedNano: BigInt(String(r.key_used_nano)),
    keyReservedNano: BigInt(String(r.key_reserved_nano)),
    byStatus: Object.fromEntries(statuses.map((s) => [String(s.status), Number(s.n)])),
  })
  if (location.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: location })
    await client.connect()
    try {
      const counts = (await client.query<Row>(COUNTS_SQL)).rows[0]
      return toCounts(counts, (await client.query<Row>(STATUS_SQL)).rows)
    } finally {
      await client.end()
    }
  }
  const db = new Database(location, { readonly: true, fileMustExist: true })
  try {
    return toCounts(db.prepare(COUNTS_SQL).get() as Row, db.prepare(STATUS_SQL).all() as Row[])
  } finally {
    db.close()
  }
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const dataDir = mkdtempSync(join(options.dataParent ?? tmpdir(), 'any-gateway-bench-'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const env: NodeJS.ProcessEnv = {
    ...productionEnv(),
    DATA_DIR: dataDir,
    GATEWAY_PORT: String(port),
    GATEWAY_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // In-process rate limiter: the benchmark measures the gateway, not Redis.
    REDIS_URL: '',
    WORKERS: String(options.workers ?? 1),
    // The floor's pool size (bench/floor-proxy.mjs), so that 1,000 idle streams reach the upstream through either.
    UPSTREAM_CONNECTIONS: String(POOL_CONNECTIONS),
    ...options.env,
  }
  const pgBase = (options.postgresUrl ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '')
  const dbName = `any_gateway_bench_${randomBytes(6).toString('hex')}`
  let dbCreated = false
  const cleanup = async (): Promise<void> => {
    pendingCleanups.delete(cleanup)
    if (dbCreated) await dropDatabase(pgBase, dbName).catch(() => undefined)
    dbCreated = false
    // BENCH_KEEP_DATA=1 leaves the folder for the caller to remove later: deleting ~100,000 audit files makes
    // file creation slow for the next minutes on some file systems (an ext4 without journal skips recently freed
    // inodes one by one), which would burden the benchmark that runs next.
    if (process.env.BENCH_KEEP_DATA === '1')
      process.stderr.write(`kept the gateway's data folder ${dataDir}\n`)
    else rmSync(dataDir, { recursive: true, force: true })
  }
  pendingCleanups.add(cleanup)

  let child: Child | undefined
  try {
    if (options.db === 'postgres') {
      await createDatabase(pgBase, dbName)
      dbCreated = true
      env.DATABASE_URL = `${pgBase}/${dbName}`
      env.JWT_SECRET = randomBytes(32).toString('hex')
      env.ENCRYPTION_KEY = randomBytes(32).toString('hex')
    } else {
      env.DATABASE_URL = ''
    }
    child = spawnNode({
      name: 'gateway',
      core: options.core,
      args: [...(options.nodeFlags ?? []), ...productionCommand()],
      env,
    })
    await waitUntilReady(child, async () => {
      const res = await request(`${url}/health`)
      await res.body.dump()
      return res.statusCode === 200
    })

    const password = readFileSync(join(dataDir, 'initial-admin-password'), 'utf8').trim()
    const login = await call(`${url}/auth/login`, 'POST', { username: 'admin', password })
    const jwt = String(login.access_token)
    const group = await call(`${url}/admin/groups`, 'POST', { name: 'bench', all_visible: true }, jwt)
    const groupId = String(group.id)
    const anthropicModel = options.anthropicModel ?? 'claude-haiku-4-5'
    for (const [provider, model] of [
      ['openai', options.model],
      ['anthropic', anthropicModel],
    ] as const) {
      const channel = await call(
        `${url}/admin/channels`,
        'POST',
        {
          name: `bench-mock-${provider}`,
          provider,
          base_url: `${options.upstreamUrl}/v1`,
          api_key: `sk-bench-${randomBytes(12).toString('hex')}`,
          models: [model],
        },
        jwt,
      )
      await call(`${url}/admin/groups/${groupId}/channels/${String(channel.id)}`, 'POST', {}, jwt)
      // Money and limits on, as in production: priced models, a user with a balance (so every request holds a
      // reservation and settles to the ledger) and a group rate-limit rule checked and recorded per request.
      for (const [unit, price] of [
        ['input_token', 0.15],
        ['output_token', 0.6],
        ['cache_read_token', 0.075],
      ] as const) {
        await call(`${url}/admin/prices`, 'POST', { model_name: model, unit, price_per_unit: price }, jwt)
      }
    }
    await call(
      `${url}/admin/rate-limits`,
      'POST',
      { group_id: groupId, window_sec: 60, limit_type: 'request_limit', value: 1_000_000_000 },
      jwt,
    )
    const userPassword = randomBytes(12).toString('hex')
    await call(
      `${url}/admin/users`,
      'POST',
      { username: 'bench-user', password: userPassword, quota_usd: 1_000_000 },
      jwt,
    )
    const userLogin = await call(`${url}/auth/login`, 'POST', {
      username: 'bench-user',
      password: userPassword,
    })
    const token = await call(`${url}/user/tokens`, 'POST', { name: 'bench' }, String(userLogin.access_token))
    const key = String(token.key)
    if (!key.startsWith('sk-')) throw new Error('POST /user/tokens returned no sk- key')

    const started = child
    return {
      child: started,
      url,
      key,
      db: options.db,
      dataDir,
      async stop() {
        const heldInMemory = await readHeldInMemory(url, jwt)
        await started.stop(10_000)
        let counts: BillingCounts | undefined
        try {
          counts = await countBillingRows(env.DATABASE_URL ? env.DATABASE_URL : join(dataDir, 'gateway.db'))
          counts.heldInMemory = heldInMemory
        } catch {
          counts = undefined
        }
        let audit: AuditCounts | undefined
        let auditError: string | undefined
        try {
          audit = countAuditRecords(join(dataDir, 'sessions'))
        } catch (error) {
          auditError = error instanceof Error ? error.message : String(error)
        }
        await cleanup()
        return { counts, audit, auditError }
      },
    }
  } catch (error) {
    await child?.stop(3000)
    await cleanup()
    throw error
  }
}
