import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import fc from 'fast-check'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MODELS, startProxyFixture, waitForOutcomes, type ProxyFixture } from '../support/proxy-fixture.ts'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { safeEqual } from '../../src/infra/crypto/safe-equal.ts'
import { hashApiKey } from '../../src/infra/crypto/api-key.ts'
import { readAllAuditFiles } from './hardening-support.ts'

/**
 * Catalogue group B (docs/security.md): virtual keys, #8–#11. #7 and #12 are shown by test/api/key-isolation.test.ts.
 */
const kinds = await testDbKinds()

const chat = JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: 'hi' }] })

async function callWith(base: string, key: string, extra: Record<string, string> = {}) {
  const res = await request(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...extra },
    body: chat,
  })
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() }
}

describe('B. secret comparison', () => {
  it('#8 safeEqual is false, never an exception, for wrong lengths, wrong values and non-strings', () => {
    const secret = 'a'.repeat(40)
    expect(safeEqual(secret, secret)).toBe(true)
    for (const given of [
      '',
      'a',
      'a'.repeat(39),
      'a'.repeat(41),
      'b'.repeat(40),
      'a'.repeat(10_000),
      '\u0000'.repeat(40),
      'ä'.repeat(20),
    ])
      expect(safeEqual(given, secret)).toBe(false)
    for (const given of [
      undefined,
      null,
      0,
      40,
      NaN,
      [secret],
      { toString: () => secret },
      Buffer.from(secret),
      true,
    ])
      expect(safeEqual(given, secret)).toBe(false)
    // No configured secret matches nothing, not even an empty or absent value.
    for (const expected of [undefined, '']) {
      expect(safeEqual('', expected)).toBe(false)
      expect(safeEqual(undefined, expected)).toBe(false)
      expect(safeEqual('x', expected)).toBe(false)
    }
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (a, b) => {
        expect(safeEqual(a, b)).toBe(a === b && a.length > 0)
      }),
    )
  })

  it('#8 no source file compares a configured secret with ===, includes or has', () => {
    const files: string[] = []
    const walk = (dir: string) => {
      for (const e of readdirSync(dir)) {
        const p = path.join(dir, e)
        if (statSync(p).isDirectory()) walk(p)
        else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) files.push(p)
      }
    }
    walk(path.resolve('src'))
    const secret = String.raw`(ADMIN_KEY|ADMIN_FALLBACK_KEY|JWT_SECRET|METRICS_TOKEN|fallbackKey|adminKey|LDAP_BIND_PASSWORD)`
    const compare = new RegExp(
      String.raw`(===|!==)\s*[\w.?]*${secret}\b|\b${secret}\s*(===|!==)|\.(includes|has|indexOf)\([^)]*\b${secret}\b`,
    )
    const hits: string[] = []
    for (const file of files) {
      // Startup validation compares two configured values with each other, never a caller's input.
      if (file.includes(`${path.sep}config${path.sep}`)) continue
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (
            compare.test(line) &&
            !/(===|!==)\s*(undefined|null)\b|\b(undefined|null)\s*(===|!==)/.test(line)
          )
            hits.push(`${file}:${i + 1}: ${line.trim()}`)
        })
    }
    expect(hits).toEqual([])
  })
})

describe('B. the admin and fallback keys over HTTP', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp('sqlite')
  })
  afterAll(async () => t?.close())

  it('#8 wrong-length, wrong-value, repeated and non-string admin and fallback keys are a plain 401 or 400, never a 500', async () => {
    const k = t.secrets.adminKey
    for (const key of ['x', k.slice(1), `${k}${k}`, 'x'.repeat(10_000), `${k.slice(0, -1)}!`]) {
      const res = await t.inject({ method: 'GET', url: '/admin/users', headers: { 'x-admin-key': key } })
      expect(res.statusCode, key.slice(0, 20)).toBe(401)
    }
    // Repeated headers arrive joined (Node joins unknown headers with ", "): still one wrong string.
    const twice = await t.inject({ method: 'GET', url: '/admin/users', headers: { 'x-admin-key': [k, k] } })
    expect(twice.statusCode).toBe(401)
    const fb = t.secrets.fallbackKey
    for (const password of ['x', fb.slice(1), `${fb}x`, 'y'.repeat(1000)]) {
      const res = await t.inject({
        method: 'POST',
        url: '/auth/login',
        remoteAddress: '10.9.9.9',
        payload: { username: '_admin_fallback', password },
      })
      expect(res.statusCode).toBe(401)
    }
    for (const password of [12345, null, [fb], { value: fb }, true]) {
      const res = await t.inject({
        method: 'POST',
        url: '/auth/login',
        remoteAddress: '10.9.9.8',
        payload: { username: '_admin_fallback', password },
      })
      expect([400, 401], JSON.stringify(password)).toContain(res.statusCode)
    }
  })
})

describe.each(kinds)('B. key lifecycle across two gateway instances (%s)', (kind) => {
  let f: ProxyFixture
  let second: TestApp
  let secondUrl: string

  beforeAll(async () => {
    f = await startProxyFixture(kind)
    second = await buildTestApp(kind, { shared: f.t })
    await second.app.listen({ port: 0, host: '127.0.0.1' })
    secondUrl = `http://127.0.0.1:${(second.app.server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await second?.close()
    await f?.close()
  })

  /**
   * The other instance (no Redis, no cluster: only the database in common) answers `key` with `status` within a
   * second, told through `cache_changes` (its key cache alone would keep the old answer up to 5 s); returns the wait.
   */
  async function answeredOnSecondWithin(key: string, status: number): Promise<number> {
    const started = Date.now()
    await expect
      .poll(async () => (await callWith(secondUrl, key)).status, { timeout: 3000, interval: 50 })
      .toBe(status)
    const waited = Date.now() - started
    expect(waited).toBeLessThan(1000)
    return waited
  }

  const keyId = async (key: string) =>
    (
      await f.t.tdb.db.db
        .selectFrom('tokens')
        .select('id')
        .where('key_hash', '=', hashApiKey(key))
        .executeTakeFirstOrThrow()
    ).id

  it('#9 a new key works at once on both instances; freeze, expiry, delete and a disabled owner stop it at once here and within a second there', async () => {
    const key = await f.createKey({ name: 'lifecycle' })
    expect((await callWith(f.gateway, key)).status).toBe(200)
    expect((await callWith(secondUrl, key)).status).toBe(200)
    const id = await keyId(key)

    // Freeze (by an admin): this instance at once, the other within the bound; unfreeze likewise.
    expect(
      (await f.t.inject({ method: 'POST', url: `/admin/tokens/${id}/freeze`, headers: bearer(f.adminJwt) }))
        .statusCode,
    ).toBe(200)
    const frozen = await callWith(f.gateway, key)
    expect(frozen.status).toBe(403)
    expect(frozen.text).toContain('frozen')
    await answeredOnSecondWithin(key, 403)
    expect(
      (await f.t.inject({ method: 'PATCH', url: `/admin/tokens/${id}/freeze`, headers: bearer(f.adminJwt) }))
        .statusCode,
    ).toBe(200)
    expect((await callWith(f.gateway, key)).status).toBe(200)
    await answeredOnSecondWithin(key, 200)

    // Expiry: a distinct error that never echoes the key.
    const past = new Date(Date.now() - 60_000).toISOString()
    expect(
      (
        await f.t.inject({
          method: 'PATCH',
          url: `/user/tokens/${id}`,
          headers: bearer(f.userJwt),
          payload: { expires_at: past },
        })
      ).statusCode,
    ).toBe(200)
    const expired = await callWith(f.gateway, key)
    expect(expired.status).toBe(401)
    expect(JSON.parse(expired.text)).toMatchObject({ error: { code: 'key_expired' } })
    expect(expired.text).not.toContain(key.slice(3))
    await answeredOnSecondWithin(key, 401)
    await f.t.inject({
      method: 'PATCH',
      url: `/user/tokens/${id}`,
      headers: bearer(f.userJwt),
      payload: { expires_at: null },
    })
    expect((await callWith(f.gateway, key)).status).toBe(200)
    await answeredOnSecondWithin(key, 200)

    // The owner disabled: every key of theirs stops.
    await f.t.inject({
      method: 'PATCH',
      url: '/admin/users/user',
      headers: bearer(f.adminJwt),
      payload: { disabled: true },
    })
    expect((await callWith(f.gateway, key)).status).toBe(403)
    await answeredOnSecondWithin(key, 403)
    await f.t.inject({
      method: 'PATCH',
      url: '/admin/users/user',
      headers: bearer(f.adminJwt),
      payload: { disabled: false },
    })
    await expect.poll(async () => (await callWith(f.gateway, key)).status, { timeout: 7000 }).toBe(200)
    await answeredOnSecondWithin(key, 200)

    // Delete (revoke): gone for good.
    const userJwt = await f.t.login('user', 'user-password')
    expect(
      (await f.t.inject({ method: 'DELETE', url: `/user/tokens/${id}`, headers: bearer(userJwt) }))
        .statusCode,
    ).toBe(204)
    expect((await callWith(f.gateway, key)).status).toBe(401)
    await answeredOnSecondWithin(key, 401)
  }, 120_000)
})

describe.each(kinds)('B. issued keys never exceed their creator (%s)', (kind) => {
  let t: TestApp
  let jwt: string
  let visible: string
  let hidden: string

  beforeAll(async () => {
    t = await buildTestApp(kind)
    await t.createUser('root', 'root-password', 'superadmin')
    await t.createUser('maker', 'maker-password', 'user', 1)
    await t.createUser('victim', 'victim-password', 'user', 100)
    const root = await t.login('root', 'root-password')
    jwt = await t.login('maker', 'maker-password')
    const group = async (name: string, all_visible: boolean) =>
      (
        await t.inject({
          method: 'POST',
          url: '/admin/groups',
          headers: bearer(root),
          payload: { name, all_visible },
        })
      ).json<{ id: string }>().id
    visible = await group('open', true)
    hidden = await group('closed', false)
  })
  afterAll(async () => t?.close())

  it('#10 any key body a user sends yields a key owned by that user in a group they can see, or a 4xx (property)', async () => {
    const extra = fc.record(
      {
        username: fc.constantFrom('victim', 'root', 'maker'),
        user_id: fc.string(),
        owner: fc.constant('victim'),
        role: fc.constantFrom('admin', 'superadmin'),
        used_usd: fc.double(),
        frozen: fc.boolean(),
        key: fc.constant('sk-chosen-by-the-client-000000000000'),
        key_hash: fc.constant(hashApiKey('sk-chosen-by-the-client-000000000000')),
        id: fc.constant('fixed-id'),
        __proto__: fc.constant({ role: 'superadmin' }),
      },
      { requiredKeys: [] },
    )
    const body = fc.record(
      {
        name: fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.constant('')),
        group_id: fc.constantFrom(visible, hidden, 'no-such-group', null),
        quota_usd: fc.oneof(fc.constant(1e6), fc.constant(-1), fc.constant(0.5), fc.constant(null)),
        allowed_models: fc.oneof(fc.constant(['gpt-4o']), fc.constant(null)),
        rpm: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.constant(null)),
      },
      { requiredKeys: ['name'] },
    )
    let created = 0
    await fc.assert(
      fc.asyncProperty(body, extra, fc.boolean(), async (b, x, withExtra) => {
        const payload = withExtra ? { ...b, ...x } : b
        const res = await t.inject({
          method: 'POST',
          url: '/user/tokens',
          headers: { ...bearer(jwt), 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        })
        if (res.statusCode !== 201) {
          expect([400, 403, 404], res.body).toContain(res.statusCode)
          return
        }
        created++
        const tok = res.json<{ id: string; key: string }>()
        const row = await t.tdb.db.db
          .selectFrom('tokens')
          .selectAll()
          .where('id', '=', tok.id)
          .executeTakeFirstOrThrow()
        expect(row.username).toBe('maker')
        expect([visible, null]).toContain(row.group_id)
        expect(row.key_hash).toBe(hashApiKey(tok.key))
        expect(tok.key).not.toBe('sk-chosen-by-the-client-000000000000')
        expect(Number(row.used_nano)).toBe(0)
        expect(Number(row.frozen)).toBe(0)
        // Re-assigning it afterwards is refused and changes nothing.
        const move = await t.inject({
          method: 'PATCH',
          url: `/user/tokens/${tok.id}`,
          headers: bearer(jwt),
          payload: { username: 'victim' },
        })
        expect(move.statusCode).toBe(400)
        const hide = await t.inject({
          method: 'PATCH',
          url: `/user/tokens/${tok.id}`,
          headers: bearer(jwt),
          payload: { group_id: hidden },
        })
        expect(hide.statusCode).toBe(403)
      }),
      {
        numRuns: 60,
        // Three valid bodies, so that the property always sees keys being created (random bodies are mostly
        // refused, and how many are valid varied from run to run).
        examples: [
          [{ name: 'plain' }, {}, false],
          [{ name: 'in-visible-group', group_id: visible, quota_usd: 0.5 }, {}, false],
          [{ name: 'with-rpm', rpm: 10, allowed_models: ['gpt-4o'] }, {}, false],
        ],
      },
    )
    expect(created).toBeGreaterThanOrEqual(3)
    const victims = await t.tdb.db.db
      .selectFrom('tokens')
      .select('id')
      .where('username', '!=', 'maker')
      .execute()
    expect(victims).toHaveLength(0)
    const roles = await t.tdb.db.db
      .selectFrom('users')
      .select(['username', 'role'])
      .where('username', '=', 'maker')
      .execute()
    expect(roles[0].role).toBe('user')
  })
})

describe('B. a canary key leaks nowhere', () => {
  let f: ProxyFixture
  const answers: string[] = []

  beforeAll(async () => {
    f = await startProxyFixture('sqlite')
  })
  afterAll(async () => f?.close())

  async function send(key: string, extra: Record<string, string> = {}) {
    const n = f.outcomes.length
    const r = await callWith(f.gateway, key, extra)
    answers.push(JSON.stringify(r.headers) + r.text)
    await waitForOutcomes(f, n + 1)
    return r
  }

  it('#11 a canary key and its SHA-256 appear in no answer, header, log line, audit record or table: wrong key, expired, out of budget, key updates, upstream errors', async () => {
    const canary = await f.createKey({ name: 'canary' })
    const hash = hashApiKey(canary)
    const id = (
      await f.t.tdb.db.db
        .selectFrom('tokens')
        .select('id')
        .where('key_hash', '=', hash)
        .executeTakeFirstOrThrow()
    ).id

    // Near misses of the canary.
    expect((await send(`${canary}x`)).status).toBe(401)
    expect((await send(`${canary.slice(0, -1)}${canary.endsWith('a') ? 'b' : 'a'}`)).status).toBe(401)
    // Upstream errors, plain and mid-stream.
    for (const scenario of ['status:500', 'status:400', 'html-502', 'status:401']) {
      const r = await send(canary, { 'x-fake-scenario': scenario })
      expect(r.status).toBeGreaterThanOrEqual(400)
    }
    // Out of budget.
    await f.t.inject({
      method: 'PATCH',
      url: '/admin/users/user',
      headers: bearer(f.adminJwt),
      payload: { quota_usd: 0 },
    })
    await f.t.inject({
      method: 'POST',
      url: '/admin/prices',
      headers: bearer(f.adminJwt),
      payload: { model_name: MODELS.openai, unit: 'output_token', price_per_unit: 10 },
    })
    expect((await send(canary)).status).toBe(402)
    await f.t.inject({
      method: 'PATCH',
      url: '/admin/users/user',
      headers: bearer(f.adminJwt),
      payload: { quota_usd: 100 },
    })
    // Key updates that the admin audit records, then expiry and revocation.
    for (const [method, url, payload] of [
      ['POST', `/admin/tokens/${id}/freeze`, undefined],
      ['PATCH', `/admin/tokens/${id}/freeze`, undefined],
    ] as const)
      answers.push((await f.t.inject({ method, url, headers: bearer(f.adminJwt), payload })).body)
    answers.push(
      (
        await f.t.inject({
          method: 'PATCH',
          url: `/user/tokens/${id}`,
          headers: bearer(f.userJwt),
          payload: { name: 'renamed', expires_at: '2000-01-01' },
        })
      ).body,
    )
    const expired = await send(canary)
    expect(expired.status).toBe(401)
    answers.push(
      (await f.t.inject({ method: 'GET', url: '/admin/tokens', headers: bearer(f.adminJwt) })).body,
    )
    answers.push((await f.t.inject({ method: 'GET', url: '/user/tokens', headers: bearer(f.userJwt) })).body)
    answers.push((await f.t.inject({ method: 'GET', url: '/admin/audit', headers: bearer(f.adminJwt) })).body)
    answers.push(
      (await f.t.inject({ method: 'GET', url: '/admin/logs?page_size=100', headers: bearer(f.adminJwt) }))
        .body,
    )
    answers.push(
      (await f.t.inject({ method: 'DELETE', url: `/admin/tokens/${id}`, headers: bearer(f.adminJwt) })).body,
    )

    await f.t.audit.drain(5000)
    const db = f.t.tdb.db.db
    const tables = JSON.stringify(
      {
        audit: await db.selectFrom('admin_audit').selectAll().execute(),
        usage: await db.selectFrom('usage_logs').selectAll().execute(),
        ledger: await db.selectFrom('balance_ledger').selectAll().execute(),
      },
      (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
    )
    expect(tables).toContain(id)
    const everything = [
      ...answers,
      f.t.logs.join('\n'),
      tables,
      ...readAllAuditFiles(path.join(f.t.deps.config.DATA_DIR, 'sessions')),
    ].join('\n')
    expect(everything.length).toBeGreaterThan(5000)
    expect(everything).not.toContain(canary)
    // Only the display prefix and the last four characters may appear.
    expect(everything).not.toContain(canary.slice(3, 20))
    expect(everything).not.toContain(canary.slice(-20, -4))
    expect(everything).not.toContain(hash)
    expect(everything).not.toContain(hash.slice(0, 16))
  })
})
