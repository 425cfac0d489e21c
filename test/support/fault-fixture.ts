import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { Kysely } from 'kysely'
import pino from 'pino'
import { request } from 'undici'
import { expect } from 'vitest'
import { buildApp, REDACT_PATHS, type BuiltApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config/load-config.ts'
import type { Config } from '../../src/config/config-schema.ts'
import type { DbKind } from '../../src/infra/db/create-db.ts'
import type { Database } from '../../src/infra/db/database-types.ts'
import { hashPassword } from '../../src/infra/crypto/password-hash.ts'
import { toBig, toBigOrNull } from '../../src/infra/db/convert-row-values.ts'
import type { ProxyOutcome } from '../../src/proxy/handle-proxy-request.ts'
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/start-fake-upstream.ts'
import { insertTestUser } from './insert-test-user.ts'
import { createTestDatabase, type TestDatabase } from './test-databases.ts'
import type { FaultProxy } from './start-fault-proxy.ts'

/**
 * A listening gateway whose dependencies can sit behind fault proxies (test/support/start-fault-proxy.ts): it is
 * built from its configuration exactly as `npm start` builds it (its own database pool from DATABASE_URL, its own
 * Redis client and LDAP settings), so the pool, timeout and reconnect settings under test are the real ones.
 * The test reads money back over its own direct connection, which no fault touches.
 */
export interface FaultGateway {
  kind: DbKind
  built: BuiltApp
  config: Readonly<Config>
  /** http://127.0.0.1:PORT */
  gateway: string
  /** A direct connection to the gateway's database, for checks (never through the fault proxy). */
  db: Kysely<Database>
  upstream: FakeUpstream
  secrets: { adminKey: string; fallbackKey: string }
  adminJwt: string
  /** The user who pays: a local account with a balance of BALANCE_USD. */
  username: string
  password: string
  key: string
  channelId: string
  outcomes: ProxyOutcome[]
  /** Resolves once the gateway has finished (answered and settled, or refused) every proxied request sent. */
  finished(timeoutMs?: number): Promise<void>
  logs: string[]
  /** A proxied chat completion; never waits longer than `giveUpMs` (the test then fails, it does not hang). */
  chat(opts?: ChatOptions): Promise<Answer>
  /** The same through the Anthropic surface (`/v1/messages`, an anthropic channel). */
  messages(opts?: ChatOptions): Promise<Answer>
  /** Any request to the gateway, timed, bounded like `chat`. */
  call(method: string, path: string, opts?: CallOptions): Promise<Answer>
  /** Asserts that no money of the default payer was lost or made up (see `expectMoneyReconciled`). */
  expectMoneyReconciled(): Promise<void>
  /**
   * Another paying user with a key of their own, so that one step's money is checked apart from the others'.
   * `key` adds fields to the key's creation (`rpm`, `tpm`, `max_concurrency`...); `balanceUsd` sets the balance.
   */
  newPayer(opts?: { key?: Record<string, unknown>; balanceUsd?: number }): Promise<Payer>
  close(): Promise<void>
}

export interface Payer {
  username: string
  /** The key's id, for admin actions on it. */
  keyId: string
  /** A session of the payer, for the user API. */
  jwt: string
  password: string
  key: string
  chat: (opts?: ChatOptions) => Promise<Answer>
  messages: (opts?: ChatOptions) => Promise<Answer>
  expectMoneyReconciled: () => Promise<void>
}

export interface ChatOptions {
  stream?: boolean
  model?: string
  headers?: Record<string, string>
  giveUpMs?: number
}

export interface CallOptions {
  body?: unknown
  headers?: Record<string, string>
  giveUpMs?: number
}

export interface Answer {
  status: number
  text: string
  headers: Record<string, string | string[] | undefined>
  ms: number
  /** Set when the gateway did not answer within `giveUpMs`, or the connection broke. */
  failure?: string
}

export const MODEL = 'gpt-4o-mini'
export const ANTHROPIC_MODEL = 'claude-sonnet-5-5'
export const BALANCE_USD = 100

export interface FaultGatewayOptions {
  env?: Record<string, string>
  /** PostgreSQL only: the gateway reaches its database through this proxy (in front of 127.0.0.1:5432). */
  databaseProxy?: FaultProxy
  /** The channel's base URL (default: the fake upstream's `/v1`), e.g. through a fault proxy. */
  channelBaseUrl?: (upstream: FakeUpstream) => string
  channel?: Record<string, unknown>
}

export async function startFaultGateway(kind: DbKind, opts: FaultGatewayOptions = {}): Promise<FaultGateway> {
  const tdb: TestDatabase = await createTestDatabase(kind)
  const upstream = await startFakeUpstream()
  const secrets = {
    jwt: randomBytes(32).toString('base64url'),
    adminKey: randomBytes(32).toString('base64url'),
    fallbackKey: randomBytes(32).toString('base64url'),
    encryptionKey: randomBytes(32).toString('hex'),
  }
  let databaseUrl = tdb.url
  if (opts.databaseProxy) {
    if (kind !== 'postgres') throw new Error('a database proxy only makes sense for PostgreSQL')
    const u = new URL(tdb.url)
    u.host = `${opts.databaseProxy.host}:${opts.databaseProxy.port}`
    databaseUrl = u.toString()
  }
  const { config } = loadConfig({
    DATA_DIR: tdb.dir,
    DATABASE_URL: databaseUrl,
    JWT_SECRET: secrets.jwt,
    ENCRYPTION_KEY: secrets.encryptionKey,
    ADMIN_KEY: secrets.adminKey,
    ADMIN_FALLBACK_KEY: secrets.fallbackKey,
    AUDIT_BODIES: 'metadata',
    LOG_LEVEL: 'info',
    ...opts.env,
  })
  const logs: string[] = []
  const logger = pino(
    { level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    { write: (line: string) => void logs.push(line) },
  )
  const outcomes: ProxyOutcome[] = []
  // SQLite is one file shared by the test's handle and the gateway's; PostgreSQL gets the gateway's own pool.
  const built = await buildApp({
    config,
    logger,
    db: kind === 'sqlite' ? tdb.db : undefined,
    onProxyFinished: (o) => outcomes.push(o),
  })
  await built.app.listen({ port: 0, host: '127.0.0.1' })
  const gateway = `http://127.0.0.1:${(built.app.server.address() as AddressInfo).port}`
  const db = tdb.db.db

  await insertTestUser(db, {
    username: 'admin',
    passwordHash: await hashPassword('admin-password'),
    role: 'superadmin',
    quotaNano: null,
  })

  const call = async (method: string, path: string, o: CallOptions = {}): Promise<Answer> => {
    const giveUpMs = o.giveUpMs ?? 20_000
    const t0 = performance.now()
    const headers: Record<string, string> = { ...o.headers }
    if (o.body !== undefined) headers['content-type'] = 'application/json'
    try {
      const res = await request(`${gateway}${path}`, {
        method: method as 'POST',
        headers,
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
        headersTimeout: giveUpMs,
        bodyTimeout: giveUpMs,
        signal: AbortSignal.timeout(giveUpMs),
      })
      const text = await res.body.text()
      return { status: res.statusCode, text, headers: res.headers, ms: performance.now() - t0 }
    } catch (err) {
      const e = err as { code?: string; message: string }
      return { status: 0, text: '', headers: {}, ms: performance.now() - t0, failure: e.code ?? e.message }
    }
  }
  const admin = async (method: string, path: string, body?: unknown) => {
    const r = await call(method, path, { body, headers: { 'x-admin-key': secrets.adminKey } })
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`)
    return JSON.parse(r.text || '{}') as Record<string, unknown>
  }

  const login = await call('POST', '/auth/login', { body: { username: 'admin', password: 'admin-password' } })
  const adminJwt = (JSON.parse(login.text) as { access_token: string }).access_token
  const group = await admin('POST', '/admin/groups', { name: 'main', priority: 10, all_visible: true })
  const base = opts.channelBaseUrl?.(upstream) ?? `${upstream.url}/v1`
  const channel = await admin('POST', '/admin/channels', {
    name: 'openai',
    provider: 'openai',
    base_url: base,
    api_key: 'sk-upstream-fault-canary-5Tz8',
    models: [MODEL],
    ...opts.channel,
  })
  const anthropic = await admin('POST', '/admin/channels', {
    name: 'anthropic',
    provider: 'anthropic',
    base_url: base,
    api_key: 'sk-ant-upstream-fault-canary-8Qw1',
    models: [ANTHROPIC_MODEL],
    ...opts.channel,
  })
  for (const ch of [channel, anthropic]) {
    await admin('POST', `/admin/groups/${group.id as string}/channels/${ch.id as string}`)
  }
  for (const [model, unit, price] of [
    [MODEL, 'input_token', 2.5],
    [MODEL, 'output_token', 10],
    [ANTHROPIC_MODEL, 'input_token', 3],
    [ANTHROPIC_MODEL, 'output_token', 15],
  ] as const) {
    await admin('POST', '/admin/prices', { model_name: model, unit, price_per_unit: price })
  }
  let proxied = 0
  let payers = 0
  const newPayer = async (o: { key?: Record<string, unknown>; balanceUsd?: number } = {}): Promise<Payer> => {
    const balance = BigInt(Math.round((o.balanceUsd ?? BALANCE_USD) * 1e9))
    const username = `payer${payers++ || ''}`
    const password = `${username}-password`
    await insertTestUser(db, {
      username,
      passwordHash: await hashPassword(password),
      quotaNano: balance,
    })
    const userLogin = await call('POST', '/auth/login', { body: { username, password } })
    const userJwt = (JSON.parse(userLogin.text) as { access_token: string }).access_token
    const created = await call('POST', '/user/tokens', {
      body: { name: 'fault-key', ...o.key },
      headers: { authorization: `Bearer ${userJwt}` },
    })
    if (created.status !== 201) throw new Error(`key: ${created.status} ${created.text}`)
    const { key, id: keyId } = JSON.parse(created.text) as { key: string; id: string }
    const chat = (o: ChatOptions = {}) => {
      proxied++
      return call('POST', '/v1/chat/completions', {
        body: {
          model: o.model ?? MODEL,
          stream: o.stream ?? false,
          max_tokens: 64,
          messages: [{ role: 'user', content: 'fault injection' }],
        },
        headers: { authorization: `Bearer ${key}`, ...o.headers },
        giveUpMs: o.giveUpMs,
      })
    }
    const messages = (o: ChatOptions = {}) => {
      proxied++
      return call('POST', '/v1/messages', {
        body: {
          model: o.model ?? ANTHROPIC_MODEL,
          stream: o.stream ?? false,
          max_tokens: 64,
          messages: [{ role: 'user', content: 'fault injection' }],
        },
        headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', ...o.headers },
        giveUpMs: o.giveUpMs,
      })
    }
    return {
      username,
      keyId,
      jwt: userJwt,
      password,
      key,
      chat,
      messages,
      expectMoneyReconciled: () => expectMoneyReconciled(db, username, outcomes, balance),
    }
  }
  const payer = await newPayer()

  return {
    kind,
    built,
    config,
    gateway,
    db,
    upstream,
    secrets: { adminKey: secrets.adminKey, fallbackKey: secrets.fallbackKey },
    adminJwt,
    username: payer.username,
    password: payer.password,
    key: payer.key,
    channelId: channel.id as string,
    outcomes,
    finished: async (timeoutMs = 20_000) => {
      // A plain wait, not expect.poll: hooks call it too.
      const until = Date.now() + timeoutMs
      while (outcomes.length < proxied) {
        if (Date.now() > until) throw new Error(`only ${outcomes.length} of ${proxied} requests finished`)
        await new Promise((r) => setTimeout(r, 20))
      }
    },
    logs,
    chat: payer.chat,
    messages: payer.messages,
    call,
    expectMoneyReconciled: payer.expectMoneyReconciled,
    newPayer,
    close: async () => {
      await built.close()
      await upstream.close()
      await tdb.drop()
    },
  }
}

/**
 * No money lost or made up, after the gateway finished every request it was sent:
 * - every request the gateway admitted (it went on to settle it) has exactly one usage row, every answered one
 *   (2xx) was admitted, and a request refused before admission has none;
 * - the balance moved by exactly the sum of the user's ledger rows, and by exactly what the usage rows cost;
 * - the user's and the key's totals are the usage rows' sum;
 * - no reservation is left open and nothing is still held.
 */
export async function expectMoneyReconciled(
  db: Kysely<Database>,
  username: string,
  outcomes: readonly ProxyOutcome[],
  start = BigInt(BALANCE_USD) * 1_000_000_000n,
): Promise<void> {
  const mine = outcomes.filter((o) => o.principal?.username === username)
  const admitted = mine.filter((o) => o.settlement !== null).map((o) => o.requestId)
  const unbilled = mine.filter((o) => o.settlement === null)
  expect(
    unbilled.filter((o) => o.status >= 200 && o.status < 300).map((o) => o.requestId),
    'every answered request was admitted and settled',
  ).toEqual([])
  const rows = await db
    .selectFrom('usage_logs')
    .select(['request_id', 'cost_nano', 'covered_by_package', 'token_id'])
    .where('username', '=', username)
    .execute()
  const ids = rows.map((r) => r.request_id)
  expect([...ids].sort(), 'one usage row per admitted request').toEqual([...admitted].sort())
  for (const o of unbilled) expect(ids).not.toContain(o.requestId)

  const user = await db
    .selectFrom('users')
    .select(['quota_nano', 'used_nano', 'reserved_nano'])
    .where('username', '=', username)
    .executeTakeFirstOrThrow()
  const ledger = await db
    .selectFrom('balance_ledger')
    .select(['amount_nano'])
    .where('username', '=', username)
    .execute()
  const balance = toBigOrNull(user.quota_nano) ?? 0n
  const ledgerSum = ledger.reduce((s, r) => s + toBig(r.amount_nano), 0n)
  const cost = rows.reduce((s, r) => s + toBig(r.cost_nano), 0n)
  const charged = rows.filter((r) => !r.covered_by_package).reduce((s, r) => s + toBig(r.cost_nano), 0n)
  expect(ledgerSum, 'ledger = balance change').toBe(balance - start)
  expect(start - balance, 'balance change = what the usage rows cost').toBe(charged)
  expect(toBig(user.used_nano), "user's total = usage rows").toBe(cost)
  expect(toBig(user.reserved_nano), 'nothing held for the user').toBe(0n)

  const open = await db
    .selectFrom('reservations')
    .select('request_id')
    .where('username', '=', username)
    .execute()
  expect(open, 'no open reservations').toEqual([])
  const tokens = await db
    .selectFrom('tokens')
    .select(['id', 'used_nano', 'reserved_nano'])
    .where('username', '=', username)
    .execute()
  for (const t of tokens) {
    const keyCost = rows.filter((r) => r.token_id === t.id).reduce((s, r) => s + toBig(r.cost_nano), 0n)
    expect(toBig(t.reserved_nano), 'nothing held for the key').toBe(0n)
    expect(toBig(t.used_nano), "key's total = its usage rows").toBe(keyCost)
  }
}
