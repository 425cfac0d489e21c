import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MODELS, startProxyFixture, waitForOutcomes, type ProxyFixture } from '../support/proxy-fixture.ts'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { hashApiKey } from '../../src/infra/crypto/api-key.ts'
import { toBig } from '../../src/infra/db/convert-row-values.ts'
import { rawRequest, readAllAuditFiles, recordStatements } from './hardening-support.ts'

/**
 * Catalogue group A (docs/security.md): request authentication and route gating, #1–#6.
 */
const kinds = await testDbKinds()

/** Every proxied POST surface, with a body its provider would accept. */
const POST_SURFACES: { path: string; body: string }[] = [
  { path: '/v1/chat/completions', body: JSON.stringify({ model: MODELS.openai, messages: [] }) },
  { path: '/v1/completions', body: JSON.stringify({ model: MODELS.openai, prompt: 'x' }) },
  { path: '/v1/embeddings', body: JSON.stringify({ model: MODELS.embed, input: 'x' }) },
  { path: '/v1/responses', body: JSON.stringify({ model: MODELS.openai, input: 'x' }) },
  { path: '/v1/images/generations', body: JSON.stringify({ model: 'gpt-image-1', prompt: 'x' }) },
  {
    path: '/v1/audio/transcriptions',
    body: '--b\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n--b--',
  },
  { path: '/v1/audio/speech', body: JSON.stringify({ model: 'tts-1', input: 'x', voice: 'alloy' }) },
  { path: '/v1/moderations', body: JSON.stringify({ model: 'omni-moderation-latest', input: 'x' }) },
  { path: '/v1/messages', body: JSON.stringify({ model: MODELS.anthropic, max_tokens: 5, messages: [] }) },
  { path: '/v1/messages/count_tokens', body: JSON.stringify({ model: MODELS.anthropic, messages: [] }) },
  ...['generateContent', 'streamGenerateContent', 'countTokens', 'embedContent', 'batchEmbedContents'].map(
    (action) => ({ path: `/v1beta/models/${MODELS.gemini}:${action}`, body: '{"contents":[]}' }),
  ),
]

/** SQL metacharacters, a 64 KB token, and well-formed keys full of SQL comment and quote look-alikes. */
const HOSTILE_KEYS = [
  "' OR 1=1;--",
  "sk-' UNION SELECT key_hash FROM tokens--",
  'sk-"; DROP TABLE tokens; --',
  'sk-\\x27 OR \\x271\\x27=\\x271',
  `sk-${'a'.repeat(64 * 1024)}`,
  // These pass the key's syntax check and reach the (parameterised) lookup.
  'sk-aaaaaaaaaaaaaaaaaaaaaa--_OR_1_--',
  'sk-__--__--__--__--__--__--__--__--',
]

/** Database error words that must never reach a client. */
const DB_WORDS =
  /sqlite|postgres|syntax error|SELECT |relation "|column |constraint|SQLSTATE|unrecognized token/i

describe.each(kinds)('A. request authentication (%s)', (kind) => {
  let f: ProxyFixture
  let port: number

  beforeAll(async () => {
    f = await startProxyFixture(kind)
    port = Number(new URL(f.gateway).port)
  })
  afterAll(async () => f?.close())

  it('#1 SQL metacharacters, NUL bytes, 64 KB and non-ASCII keys get a generic 401 on every surface and carrier; lookups are parameterised', async () => {
    const recorder = recordStatements(f.t.tdb.db.db)
    const upstreamBefore = f.upstream.requests.length
    const answers: { what: string; status: number; text: string }[] = []
    try {
      for (const s of POST_SURFACES) {
        for (const key of HOSTILE_KEYS) {
          const carriers: [string, Record<string, string>, string][] = [
            ['bearer', { authorization: `Bearer ${key}` }, s.path],
            ['x-api-key', { 'x-api-key': key }, s.path],
            ['x-goog-api-key', { 'x-goog-api-key': key }, s.path],
            ['?key=', {}, `${s.path}?key=${encodeURIComponent(key)}`],
          ]
          for (const [carrier, headers, url] of carriers) {
            const what = `${s.path} ${carrier} ${key.slice(0, 40)}`
            try {
              const res = await request(`${f.gateway}${url}`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', ...headers },
                body: s.body,
              })
              answers.push({ what, status: res.statusCode, text: await res.body.text() })
            } catch (err) {
              // Node answers an oversized header with 431 and closes the socket at once; a client still writing
              // its body may see the reset before the 431. Either way Node refused it before any gateway code.
              const code = (err as { code?: string }).code
              if (key.length < 16 * 1024 || (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET')) throw err
              answers.push({ what, status: 431, text: '' })
            }
          }
        }
      }
      for (const url of ['/v1/models', '/v1beta/models']) {
        for (const key of HOSTILE_KEYS) {
          const res = await request(`${f.gateway}${url}`, { headers: { authorization: `Bearer ${key}` } })
          answers.push({
            what: `GET ${url} ${key.slice(0, 40)}`,
            status: res.statusCode,
            text: await res.body.text(),
          })
        }
      }
      // Bytes an HTTP client refuses to send: NUL inside the key, raw UTF-8, a lone quote and CR-less junk.
      for (const header of [
        'Authorization: Bearer sk-abc\u0000def',
        'x-api-key: sk-\u0000',
        'Authorization: Bearer sk-ключ-密钥-🔑',
        'x-goog-api-key: sk-ключ',
      ]) {
        const raw = await rawRequest(
          port,
          Buffer.from(
            `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n${header}\r\n` +
              `content-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}`,
            'utf8',
          ),
        )
        answers.push({ what: `raw ${JSON.stringify(header)}`, status: raw.status, text: raw.text })
      }
    } finally {
      recorder.stop()
    }
    expect(answers.length).toBeGreaterThan(400)
    for (const a of answers) {
      // 431: Node refuses the 64 KB header itself; 400: Node refuses a NUL byte in a header.
      expect([400, 401, 431], a.what).toContain(a.status)
      if (a.what.includes('a'.repeat(100))) expect(a.status, a.what).toBe(431)
      expect(a.text, a.what).not.toMatch(DB_WORDS)
      expect(a.text, a.what).not.toContain('UNION SELECT')
      expect(a.text, a.what).not.toContain('DROP TABLE')
    }
    expect(answers.filter((a) => a.status === 401).length).toBeGreaterThan(350)
    // Nothing reached the provider.
    expect(f.upstream.requests.length).toBe(upstreamBefore)
    // The key never becomes SQL text: the lookups that ran carry its hash as a bound parameter only.
    const hashes = HOSTILE_KEYS.map(hashApiKey)
    const lookups = recorder.log.filter((st) => st.parameters.some((p) => hashes.includes(String(p))))
    expect(lookups.length).toBeGreaterThan(0)
    for (const st of recorder.log) {
      for (const key of HOSTILE_KEYS) expect(st.sql).not.toContain(key.slice(0, 12))
      for (const h of hashes) expect(st.sql).not.toContain(h)
    }
  })

  it('#4 every surface, plain and streamed, applies the same auth, model allowlist, budget and rate limit, and bills a usage row', async () => {
    for (const [model, unit, price] of [
      [MODELS.openai, 'input_token', 2],
      [MODELS.openai, 'output_token', 8],
      [MODELS.embed, 'input_token', 1],
      [MODELS.anthropic, 'input_token', 3],
      [MODELS.anthropic, 'output_token', 15],
      [MODELS.gemini, 'input_token', 1],
      [MODELS.gemini, 'output_token', 4],
    ] as const) {
      const r = await f.t.inject({
        method: 'POST',
        url: '/admin/prices',
        headers: bearer(f.adminJwt),
        payload: { model_name: model, unit, price_per_unit: price },
      })
      expect([201, 409]).toContain(r.statusCode)
    }
    await f.t.createUser('broke', 'broke-password', 'user', 0)
    const brokeJwt = await f.t.login('broke', 'broke-password')
    const brokeKey = (
      await f.t.inject({
        method: 'POST',
        url: '/user/tokens',
        headers: bearer(brokeJwt),
        payload: { name: 'b' },
      })
    ).json<{ key: string }>().key
    const msgs = [{ role: 'user', content: 'matrix' }]
    const matrix: { name: string; path: string; body: Record<string, unknown>; anthropic?: boolean }[] = [
      { name: 'chat', path: '/v1/chat/completions', body: { model: MODELS.openai, messages: msgs } },
      {
        name: 'chat stream',
        path: '/v1/chat/completions',
        body: { model: MODELS.openai, messages: msgs, stream: true },
      },
      {
        name: 'completions',
        path: '/v1/completions',
        body: { model: MODELS.openai, prompt: 'x', max_tokens: 20 },
      },
      {
        name: 'completions stream',
        path: '/v1/completions',
        body: { model: MODELS.openai, prompt: 'x', max_tokens: 20, stream: true },
      },
      { name: 'embeddings', path: '/v1/embeddings', body: { model: MODELS.embed, input: 'matrix' } },
      { name: 'responses', path: '/v1/responses', body: { model: MODELS.openai, input: 'matrix' } },
      {
        name: 'responses stream',
        path: '/v1/responses',
        body: { model: MODELS.openai, input: 'matrix', stream: true },
      },
      {
        name: 'messages',
        path: '/v1/messages',
        body: { model: MODELS.anthropic, max_tokens: 50, messages: msgs },
        anthropic: true,
      },
      {
        name: 'messages stream',
        path: '/v1/messages',
        body: { model: MODELS.anthropic, max_tokens: 50, messages: msgs, stream: true },
        anthropic: true,
      },
      {
        name: 'gemini',
        path: `/v1beta/models/${MODELS.gemini}:generateContent`,
        body: { contents: [{ role: 'user', parts: [{ text: 'm' }] }] },
      },
      {
        name: 'gemini stream',
        path: `/v1beta/models/${MODELS.gemini}:streamGenerateContent?alt=sse`,
        body: { contents: [{ role: 'user', parts: [{ text: 'm' }] }] },
      },
    ]
    const send = async (c: (typeof matrix)[number], key: string | null) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (key) headers.authorization = `Bearer ${key}`
      if (c.anthropic) headers['anthropic-version'] = '2023-06-01'
      const res = await request(`${f.gateway}${c.path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(c.body),
      })
      return { status: res.statusCode, headers: res.headers, text: await res.body.text() }
    }
    for (const c of matrix) {
      expect((await send(c, null)).status, `${c.name} without a key`).toBe(401)
      const narrow = await f.createKey({ allowed_models: ['some-other-model'] })
      expect((await send(c, narrow)).status, `${c.name} disallowed model`).toBe(403)
      expect((await send(c, brokeKey)).status, `${c.name} no balance`).toBe(402)
      const limited = await f.createKey({ rpm: 1 })
      const n = f.outcomes.length
      const ok = await send(c, limited)
      expect(ok.status, `${c.name}: ${ok.text.slice(0, 200)}`).toBe(200)
      const second = await send(c, limited)
      expect(second.status, `${c.name} past the limit`).toBe(429)
      expect(second.headers['retry-after'], c.name).toBeDefined()
      await waitForOutcomes(f, n + 2)
      const id = String(ok.headers['x-request-id'])
      await expect
        .poll(
          async () => {
            const row = await f.t.tdb.db.db
              .selectFrom('usage_logs')
              .select(['cost_nano', 'usage_source'])
              .where('request_id', '=', id)
              .executeTakeFirst()
            return row ? toBig(row.cost_nano) > 0n && row.usage_source === 'reported' : false
          },
          { timeout: 3000 },
        )
        .toBe(true)
    }
  })
})

describe('A. request targets, Host headers and the route table', () => {
  let f: ProxyFixture
  let port: number

  beforeAll(async () => {
    f = await startProxyFixture('sqlite')
    port = Number(new URL(f.gateway).port)
  })
  afterAll(async () => f?.close())

  const raw = (target: string, host: string, extra = '') =>
    rawRequest(
      port,
      `POST ${target} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${f.key}\r\n${extra}` +
        `content-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}`,
    )

  it('#2 a Host with / ? # @ \\ or spaces is refused with 400; auth and routing both use the raw request target', async () => {
    const before = f.upstream.requests.length
    for (const host of [
      'evil/admin?',
      'x#',
      'a:1/../admin',
      'a@b',
      'a\\b',
      'a b',
      '127.0.0.1/v1/chat/completions?',
    ]) {
      for (const target of ['/v1/chat/completions', '/admin/users', '/health']) {
        const r = await raw(target, host, `x-admin-key: ${f.t.secrets.adminKey}\r\n`)
        expect(r.status, `${target} with Host ${host}`).toBe(400)
      }
    }
    expect(f.upstream.requests.length).toBe(before)
    // The reverse: an admin request line with a Host that names a public path is judged by its request line.
    const admin = await rawRequest(
      port,
      `GET /admin/users HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nconnection: close\r\n\r\n`,
    )
    expect(admin.status).toBe(401)
    // Absolute-form request targets never reach an admin handler without credentials.
    for (const target of [`http://127.0.0.1:${port}/admin/users`, 'http://evil.example/admin/users']) {
      const r = await rawRequest(
        port,
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nconnection: close\r\n\r\n`,
      )
      expect([400, 401, 404], target).toContain(r.status)
    }
  })

  it('#2 no code rebuilds a URL from the Host header', () => {
    const files: string[] = []
    const walk = (dir: string) => {
      for (const e of readdirSync(dir)) {
        const p = path.join(dir, e)
        if (statSync(p).isDirectory()) walk(p)
        else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) files.push(p)
      }
    }
    walk(path.resolve('src'))
    expect(files.length).toBeGreaterThan(100)
    for (const file of files) {
      const text = readFileSync(file, 'utf8')
      expect(text, file).not.toMatch(/new URL\([^)]*headers\.host/)
      expect(text, file).not.toMatch(/new URL\([^)]*req\.hostname/)
    }
  })

  it('#3 encoded, doubled, re-cased and dot-segment variants of every route never get past auth', async () => {
    const concrete = (url: string) => url.replace(/:([A-Za-z_]+)/g, 'does-not-exist')
    const variants = (url: string) => {
      const [, first, rest] = /^\/([^/]+)(\/.*)?$/.exec(url) ?? []
      const tail = rest ?? ''
      return [
        `/${url}`,
        `${url}/`,
        `/${first[0].toUpperCase()}${first.slice(1)}${tail}`,
        `/${first}${tail.replace('/', '%2F')}`,
        `/${first}${tail.replace('/', '%2f')}`,
        `/v1/..${url}`,
        `/v1/%2e%2e${url}`,
        `/public/..%2F..${url}`,
        `/${first}/.${tail}`,
        `${url};x`,
        `${url}%00`,
        `${url}%20`,
        `${url}#x`,
      ]
    }
    const userJwt = f.userJwt
    let checked = 0
    for (const r of f.t.routes.filter((x) => x.auth !== 'public')) {
      for (const url of variants(concrete(r.url))) {
        for (const headers of [{}, bearer(userJwt)] as Record<string, string>[]) {
          if (r.auth === 'user' && headers.authorization) continue
          const res = await f.t.inject({ method: r.method, url, headers })
          checked++
          const html = String(res.headers['content-type'] ?? '').startsWith('text/html')
          const ok =
            [400, 401, 403, 404, 405].includes(res.statusCode) ||
            (r.method === 'GET' && res.statusCode === 200 && html)
          expect(
            ok,
            `${r.method} ${url} ${headers.authorization ? 'as user' : 'anonymous'} → ${res.statusCode} ${res.body.slice(0, 80)}`,
          ).toBe(true)
        }
      }
    }
    expect(checked).toBeGreaterThan(500)
    // The same variants of a proxied surface, without a key, never reach the provider.
    const before = f.upstream.requests.length
    for (const url of [
      ...variants('/v1/chat/completions'),
      '/V1/chat/completions',
      '/v1//chat/completions',
    ]) {
      const res = await rawRequest(
        port,
        `POST ${url} HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}`,
      )
      expect([400, 401, 404], `${url} → ${res.status}`).toContain(res.status)
    }
    expect(f.upstream.requests.length).toBe(before)
  })

  it('#6 only the documented key carriers count; conflicting or duplicated keys are refused, not guessed', async () => {
    const body = JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: 'hi' }] })
    const post = async (url: string, headers: Record<string, string>) => {
      const res = await request(`${f.gateway}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      })
      await res.body.dump()
      return res.statusCode
    }
    const other = await f.createKey()
    // Not carriers: other query names, Basic auth, a bare key, a cookie.
    expect(await post(`/v1/chat/completions?api_key=${f.key}`, {})).toBe(401)
    expect(await post(`/v1/chat/completions?apikey=${f.key}`, {})).toBe(401)
    expect(
      await post('/v1/chat/completions', {
        authorization: `Basic ${Buffer.from(`:${f.key}`).toString('base64')}`,
      }),
    ).toBe(401)
    expect(await post('/v1/chat/completions', { authorization: f.key })).toBe(401)
    expect(await post('/v1/chat/completions', { cookie: `key=${f.key}` })).toBe(401)
    // Two different keys in two carriers, or two query keys: refused.
    expect(await post('/v1/chat/completions', { authorization: `Bearer ${f.key}`, 'x-api-key': other })).toBe(
      401,
    )
    expect(await post(`/v1/chat/completions?key=${f.key}&key=${other}`, {})).toBe(401)
    expect(await post(`/v1/chat/completions?key=${other}`, { authorization: `Bearer ${f.key}` })).toBe(401)
    // The same key in two carriers is one key.
    expect(await post('/v1/chat/completions', { authorization: `Bearer ${f.key}`, 'x-api-key': f.key })).toBe(
      200,
    )
    // Repeated headers on the wire: two x-api-key values are refused; of two Authorization headers Node keeps the
    // first, so a junk first one is never rescued by a valid second one.
    const wire = (lines: string) =>
      rawRequest(
        port,
        `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n${lines}content-type: application/json\r\n` +
          `content-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
      )
    expect((await wire(`x-api-key: ${f.key}\r\nx-api-key: ${other}\r\n`)).status).toBe(401)
    expect(
      (await wire(`Authorization: Bearer sk-junk-junk-junk-junk-junk\r\nAuthorization: Bearer ${f.key}\r\n`))
        .status,
    ).toBe(401)

    // A key sent in the query (Gemini style) is accepted and redacted from the access log and the audit record.
    const canaryKey = await f.createKey({ name: 'query-canary' })
    const n = f.outcomes.length
    const viaQuery = await request(
      `${f.gateway}/v1beta/models/${MODELS.gemini}:generateContent?key=${canaryKey}`,
      {
        method: 'POST',
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      },
    )
    expect(viaQuery.statusCode).toBe(200)
    await viaQuery.body.dump()
    const refused = await request(`${f.gateway}/v1/chat/completions?key=${canaryKey}x`, {
      method: 'POST',
      body,
    })
    expect(refused.statusCode).toBe(401)
    await refused.body.dump()
    await waitForOutcomes(f, n + 2)
    await f.t.audit.drain(5000)
    const records = readAllAuditFiles(path.join(f.t.deps.config.DATA_DIR, 'sessions'))
    expect(records.some((r) => r.includes('generateContent?key='))).toBe(true)
    const everything = [...records, f.t.logs.join('\n')].join('\n')
    expect(everything).not.toContain(canaryKey)
    expect(everything).not.toContain(canaryKey.slice(3, 40))
  })
})

describe('A. the admin key', () => {
  let noKey: TestApp
  let withKey: TestApp

  beforeAll(async () => {
    noKey = await buildTestApp('sqlite', { env: { ADMIN_KEY: '' } })
    withKey = await buildTestApp('sqlite')
  })
  afterAll(async () => {
    await noKey?.close()
    await withKey?.close()
  })

  it('#5 with ADMIN_KEY unset, no header form opens an admin route; with it set, only the exact key does', async () => {
    expect(noKey.deps.config.ADMIN_KEY).toBeUndefined()
    const forms: Record<string, string>[] = [
      {},
      { 'x-admin-key': '' },
      { 'x-admin-key': 'undefined' },
      { 'x-admin-key': 'null' },
      { 'x-admin-key': ' ' },
      { authorization: 'Bearer undefined' },
      { authorization: 'Bearer ' },
      { authorization: 'Bearer null' },
      { authorization: 'Bearer' },
    ]
    const admin = noKey.routes.filter((r) => r.auth === 'admin' || r.auth === 'superadmin')
    expect(admin.length).toBeGreaterThan(40)
    for (const app of [noKey, withKey]) {
      for (const r of admin) {
        for (const headers of forms) {
          const res = await app.inject({ method: r.method, url: r.url.replace(/:(\w+)/g, 'x'), headers })
          expect(res.statusCode, `${r.method} ${r.url} ${JSON.stringify(headers)}`).toBe(401)
        }
      }
    }
    // The configured key works; one character off, a prefix, or the key with spaces around it does not.
    const k = withKey.secrets.adminKey
    const get = (key: string) =>
      withKey.inject({ method: 'GET', url: '/admin/channels', headers: { 'x-admin-key': key } })
    expect((await get(k)).statusCode).toBe(200)
    for (const wrong of [k.slice(0, -1), `${k}x`, k.slice(0, 8), ` ${k} `.trim() + ' x', k.toUpperCase()]) {
      expect((await get(wrong)).statusCode, wrong).toBe(401)
    }
  })
})
