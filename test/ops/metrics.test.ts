import { randomBytes } from 'node:crypto'
import net, { type AddressInfo } from 'node:net'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer } from '../support/build-test-app.ts'
import { MODELS, startProxyFixture, waitForOutcomes, type ProxyFixture } from '../support/proxy-fixture.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { SESSION_COOKIE } from '../../src/http/session-cookie.ts'

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** The Prometheus text exposition format, as a scraper reads it: `name{label="value",…} number` lines. */
function parseExposition(text: string): Sample[] {
  const out: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m) throw new Error(`not an exposition line: ${line}`)
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2]
    out.push({ name: m[1], labels, value: Number(m[3]) })
  }
  return out
}

const samples = (all: Sample[], name: string, where: Record<string, string> = {}) =>
  all.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
const total = (all: Sample[], name: string, where: Record<string, string> = {}) =>
  samples(all, name, where).reduce((n, s) => n + s.value, 0)
/** Label values → value, zero samples left out (a counter never incremented is absent, not 0). */
const byLabels = (all: Sample[], name: string, keys: string[]) => {
  const map: Record<string, number> = {}
  for (const s of samples(all, name)) if (s.value !== 0) map[keys.map((k) => s.labels[k]).join('|')] = s.value
  return map
}

const METRICS_TOKEN = randomBytes(32).toString('base64url')
const chat = (model: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model, messages: [{ role: 'user', content: 'hello metrics' }], ...extra })

async function post(f: ProxyFixture, path: string, key: string, body: string) {
  const res = await request(`${f.gateway}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'x-api-key': key, 'content-type': 'application/json' },
    body,
  })
  await res.body.text()
  return res.statusCode
}

async function scrape(f: ProxyFixture, headers: Record<string, string>) {
  const res = await request(`${f.gateway}/metrics`, { headers })
  return { status: res.statusCode, type: String(res.headers['content-type']), text: await res.body.text() }
}

describe.each(await testDbKinds())('issue 18: /metrics (%s)', (kind) => {
  let f: ProxyFixture
  beforeAll(async () => {
    f = await startProxyFixture(kind, { env: { METRICS_TOKEN } })
  })
  afterAll(async () => f?.close())

  const admin = async (method: string, url: string, payload?: object, jwt = f.adminJwt) => {
    const r = await f.t.inject({ method: method as 'POST', url, headers: bearer(jwt), payload })
    if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`)
    return r.json() as Record<string, unknown>
  }

  it('counts a mixed load (plain, streamed, refused, failed over, rate-limited) as the usage rows record it', async () => {
    for (const [model, unit, price] of [
      [MODELS.openai, 'input_token', 0.15],
      [MODELS.openai, 'output_token', 0.6],
      [MODELS.anthropic, 'input_token', 3],
      [MODELS.anthropic, 'output_token', 15],
    ] as const)
      await admin('POST', '/admin/prices', { model_name: model, unit, price_per_unit: price })
    // Failover: the higher-priority group's only channel refuses connections, the lower one answers.
    const high = await admin('POST', '/admin/groups', { name: 'fo-high', priority: 100, all_visible: true })
    const low = await admin('POST', '/admin/groups', { name: 'fo-low', priority: 5, all_visible: true })
    const dead = { provider: 'openai', api_key: 'sk-dead-canary-1111', models: ['fo-model'] }
    await f.addChannel({ ...dead, name: 'fo-dead', base_url: 'http://127.0.0.1:9/v1' }, high.id as string)
    await f.addChannel(
      { ...dead, name: 'fo-live', base_url: `${f.upstream.url}/v1`, api_key: 'sk-live-canary-2222' },
      low.id as string,
    )
    const rpmKey = await f.createKey({ rpm: 1 })
    const frozen = await admin('POST', '/user/tokens', { name: 'frozen' }, f.userJwt)
    await admin('POST', `/user/tokens/${frozen.id as string}/freeze`, undefined, f.userJwt)
    await f.t.createUser('poor', 'poor-password', 'user', 0)
    const poorJwt = await f.t.login('poor', 'poor-password')
    const poorKey = (await admin('POST', '/user/tokens', { name: 'poor' }, poorJwt)).key as string

    const n = f.outcomes.length
    const statuses = [
      await post(f, '/v1/chat/completions', f.key, chat(MODELS.openai)),
      await post(f, '/v1/chat/completions', f.key, chat(MODELS.openai)),
      await post(f, '/v1/chat/completions', f.key, chat(MODELS.openai, { stream: true })),
      await post(f, '/v1/messages', f.key, chat(MODELS.anthropic, { max_tokens: 64 })),
      await post(f, '/v1/chat/completions', f.key, chat('fo-model')),
      await post(f, '/v1/chat/completions', rpmKey, chat(MODELS.openai)),
      await post(f, '/v1/chat/completions', rpmKey, chat(MODELS.openai)),
      await post(f, '/v1/chat/completions', poorKey, chat(MODELS.openai)),
      await post(f, '/v1/chat/completions', frozen.key as string, chat(MODELS.openai)),
      await post(f, '/v1/chat/completions', `sk-${'x'.repeat(48)}`, chat(MODELS.openai)),
    ]
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 402, 403, 401])
    await waitForOutcomes(f, n + statuses.length)
    const db = f.t.tdb.db.db
    const readRows = () =>
      db
        .selectFrom('usage_logs as u')
        .leftJoin('channels as c', 'c.id', 'u.channel_id')
        .select([
          'u.protocol',
          'u.endpoint',
          'u.model',
          'c.name as channel',
          'u.status',
          'u.input_tokens',
          'u.cache_read_tokens',
          'u.cache_write_tokens',
          'u.output_tokens',
          'u.reasoning_tokens',
          'u.cost_nano',
          'u.ttft_ms',
        ])
        .execute()
    // Six admitted, and the 429 and 402 refusals of a valid key at zero cost (issue 19 #4); the frozen key is refused
    // before its body is read and the unknown key is nobody's: no row.
    await expect.poll(async () => (await readRows()).length, { timeout: 5000 }).toBe(8)
    const rows = await readRows()

    const scraped = await scrape(f, { authorization: `Bearer ${METRICS_TOKEN}` })
    expect(scraped.status).toBe(200)
    expect(scraped.type).toContain('text/plain')
    const m = parseExposition(scraped.text)

    // Requests: as their usage rows (a refusal's with no channel tried), and the frozen key's as sent.
    const expected: Record<string, number> = {}
    for (const r of rows) {
      const k = `${r.protocol}/${r.endpoint}|${r.model}|${r.channel ?? 'none'}|${Number(r.status)}`
      expected[k] = (expected[k] ?? 0) + 1
    }
    expect(expected[`openai/chat/completions|${MODELS.openai}|none|429`]).toBe(1)
    expect(expected[`openai/chat/completions|${MODELS.openai}|none|402`]).toBe(1)
    // A frozen key is refused before its body is read: no model.
    expected['openai/chat/completions|none|none|403'] = 1
    expect(byLabels(m, 'gateway_requests_total', ['surface', 'model', 'channel', 'status'])).toEqual(expected)
    expect(rows.find((r) => r.model === 'fo-model')?.channel).toBe('fo-live')
    expect(byLabels(m, 'gateway_unauthenticated_requests_total', ['surface', 'status'])).toEqual({
      'openai/chat/completions|401': 1,
    })

    // Histograms: every request timed and its overhead measured; time to first byte for each answered one.
    expect(total(m, 'gateway_request_duration_seconds_count')).toBe(statuses.length)
    expect(total(m, 'gateway_overhead_seconds_count')).toBe(statuses.length)
    expect(total(m, 'gateway_time_to_first_byte_seconds_count')).toBe(
      rows.filter((r) => r.ttft_ms !== null).length,
    )
    expect(total(m, 'gateway_request_duration_seconds_bucket', { le: '+Inf' })).toBe(statuses.length)
    expect(total(m, 'gateway_request_duration_seconds_sum')).toBeGreaterThan(0)

    // The failed-over attempt, and the circuit it opened.
    expect(byLabels(m, 'gateway_upstream_errors_total', ['channel', 'kind'])).toEqual({
      'fo-dead|connect': 1,
    })
    expect(total(m, 'gateway_channel_circuit_open', { channel: 'fo-dead' })).toBe(1)
    expect(total(m, 'gateway_channel_circuit_open', { channel: 'fo-live' })).toBe(0)
    expect(samples(m, 'gateway_channel_circuit_open', { channel: 'openai' })).toHaveLength(1)

    // Tokens and spend per model: the sums of the usage rows.
    const tokens: Record<string, number> = {}
    const spend: Record<string, number> = {}
    const kinds = [
      ['input', 'input_tokens'],
      ['cache_read', 'cache_read_tokens'],
      ['cache_write', 'cache_write_tokens'],
      ['output', 'output_tokens'],
      ['reasoning', 'reasoning_tokens'],
    ] as const
    for (const r of rows) {
      for (const [k, col] of kinds) {
        const v = Number(r[col])
        if (v > 0) tokens[`${r.model}|${k}`] = (tokens[`${r.model}|${k}`] ?? 0) + v
      }
      if (Number(r.cost_nano) > 0) spend[r.model!] = (spend[r.model!] ?? 0) + Number(r.cost_nano) / 1e9
    }
    expect(tokens[`${MODELS.openai}|input`]).toBeGreaterThan(0)
    expect(byLabels(m, 'gateway_tokens_total', ['model', 'kind'])).toEqual(tokens)
    const spent = byLabels(m, 'gateway_spend_usd_total', ['model'])
    expect(Object.keys(spent).sort()).toEqual(Object.keys(spend).sort())
    expect(spend[MODELS.openai]).toBeGreaterThan(0)
    for (const model of Object.keys(spend)) expect(spent[model]).toBeCloseTo(spend[model], 9)

    // Admission: every admitted request held money (the user has a balance); the poor user's was refused.
    expect(byLabels(m, 'gateway_reservations_total', ['outcome'])).toEqual({
      reserved: rows.filter((r) => Number(r.status) === 200).length,
      refused: 1,
    })
    // Only the rpm key had a rule to check: once allowed, once limited.
    expect(byLabels(m, 'gateway_rate_limit_decisions_total', ['outcome'])).toEqual({ allowed: 1, limited: 1 })

    // Gauges read at the scrape, and the process-wide settlement counters.
    expect(samples(m, 'gateway_audit_queue_depth')).toHaveLength(1)
    expect(byLabels(m, 'gateway_dependency_up', ['dependency'])).toEqual({ database: 1 })
    expect(samples(m, 'gateway_dependency_up', { dependency: 'redis' })).toHaveLength(0)
    for (const name of [
      'gateway_settlement_failed_attempts_total',
      'gateway_settlement_pending',
      'gateway_lost_reservations_released_total',
      'gateway_lost_reservations_pending',
      'gateway_reservations_held_in_memory',
    ])
      expect(samples(m, name), name).toHaveLength(1)
    expect(scraped.text).toContain('# TYPE gateway_audit_degraded_total counter')
  })

  it('counts a model nobody configured as other', async () => {
    const n = f.outcomes.length
    expect(
      await post(f, '/v1/chat/completions', f.key, chat(`made-up-${randomBytes(4).toString('hex')}`)),
    ).toBe(404)
    await waitForOutcomes(f, n + 1)
    const m = parseExposition((await scrape(f, { 'x-admin-key': f.t.secrets.adminKey })).text)
    expect(total(m, 'gateway_requests_total', { model: 'other', status: '404' })).toBe(1)
    expect(samples(m, 'gateway_requests_total').every((s) => !s.labels.model.startsWith('made-up-'))).toBe(
      true,
    )
  })

  it('answers 401 without credentials, with a wrong token, to a user session or an API key; 200 to the token, x-admin-key and an admin session (bearer or cookie)', async () => {
    const cases: [string, Record<string, string>, number][] = [
      ['nothing', {}, 401],
      ['a wrong token', { authorization: `Bearer ${randomBytes(32).toString('base64url')}` }, 401],
      ['a wrong x-admin-key', { 'x-admin-key': randomBytes(32).toString('base64url') }, 401],
      ['a user session', bearer(f.userJwt), 401],
      ['a user session cookie', { cookie: `${SESSION_COOKIE}=${f.userJwt}` }, 401],
      ['a client API key', bearer(f.key), 401],
      ['METRICS_TOKEN', { authorization: `Bearer ${METRICS_TOKEN}` }, 200],
      ['x-admin-key', { 'x-admin-key': f.t.secrets.adminKey }, 200],
      ['an admin session', bearer(f.adminJwt), 200],
      ['an admin session cookie', { cookie: `${SESSION_COOKIE}=${f.adminJwt}` }, 200],
    ]
    for (const [label, headers, status] of cases) {
      const r = await scrape(f, headers)
      expect(r.status, label).toBe(status)
      if (status === 200) expect(r.text, label).toContain('gateway_requests_total')
      else expect(r.text, label).not.toContain('gateway_')
    }
  })
})

const LDAP_ENV = { LDAP_USER_DN_TEMPLATE: 'uid={username},ou=people,dc=example,dc=org' }

describe('issue 18: /metrics counts fail-open rate-limit decisions and reports Redis and LDAP health', () => {
  let f: ProxyFixture
  beforeAll(async () => {
    // Nothing listens on port 1: every Redis command fails, and limits fail open (the default); the directory
    // is unreachable too.
    f = await startProxyFixture('sqlite', {
      env: {
        METRICS_TOKEN,
        REDIS_URL: 'redis://127.0.0.1:1',
        REDIS_COMMAND_TIMEOUT_MS: '100',
        LDAP_SERVER_URL: 'ldap://127.0.0.1:1',
        ...LDAP_ENV,
      },
    })
  })
  afterAll(async () => f?.close())

  it('lets the request through and counts it as fail_open; redis is down, the database up', async () => {
    const key = await f.createKey({ rpm: 5 })
    const n = f.outcomes.length
    expect(await post(f, '/v1/chat/completions', key, chat(MODELS.openai))).toBe(200)
    await waitForOutcomes(f, n + 1)
    const m = parseExposition((await scrape(f, { authorization: `Bearer ${METRICS_TOKEN}` })).text)
    expect(byLabels(m, 'gateway_rate_limit_decisions_total', ['outcome'])).toEqual({ fail_open: 1 })
    expect(byLabels(m, 'gateway_dependency_up', ['dependency'])).toEqual({ database: 1 })
    for (const dependency of ['redis', 'ldap']) {
      expect(samples(m, 'gateway_dependency_up', { dependency }), dependency).toHaveLength(1)
      expect(total(m, 'gateway_dependency_up', { dependency }), dependency).toBe(0)
    }
  })

  it('reports a directory that accepts connections as up', async () => {
    const directory = net.createServer((socket) => socket.destroy())
    await new Promise<void>((resolve) => directory.listen(0, '127.0.0.1', resolve))
    const port = (directory.address() as AddressInfo).port
    const g = await startProxyFixture('sqlite', {
      upstream: f.upstream,
      env: { METRICS_TOKEN, LDAP_SERVER_URL: `ldap://127.0.0.1:${port}`, ...LDAP_ENV },
    })
    try {
      const m = parseExposition((await scrape(g, { authorization: `Bearer ${METRICS_TOKEN}` })).text)
      expect(byLabels(m, 'gateway_dependency_up', ['dependency'])).toEqual({ database: 1, ldap: 1 })
    } finally {
      await g.close()
      directory.close()
    }
  })
})

describe('issue 18: /metrics counts a rate limiter failing closed as unavailable', () => {
  let f: ProxyFixture
  beforeAll(async () => {
    f = await startProxyFixture('sqlite', {
      env: {
        METRICS_TOKEN,
        REDIS_URL: 'redis://127.0.0.1:1',
        REDIS_COMMAND_TIMEOUT_MS: '100',
        RATE_LIMIT_FAIL_OPEN: 'false',
      },
    })
  })
  afterAll(async () => f?.close())

  it('refuses with 503, counted as a request with that status and an unavailable decision, nothing reserved', async () => {
    const key = await f.createKey({ rpm: 5 })
    const n = f.outcomes.length
    expect(await post(f, '/v1/chat/completions', key, chat(MODELS.openai))).toBe(503)
    await waitForOutcomes(f, n + 1)
    const m = parseExposition((await scrape(f, { authorization: `Bearer ${METRICS_TOKEN}` })).text)
    expect(byLabels(m, 'gateway_rate_limit_decisions_total', ['outcome'])).toEqual({ unavailable: 1 })
    expect(byLabels(m, 'gateway_requests_total', ['model', 'channel', 'status'])).toEqual({
      [`${MODELS.openai}|none|503`]: 1,
    })
    expect(byLabels(m, 'gateway_reservations_total', ['outcome'])).toEqual({})
  })
})
