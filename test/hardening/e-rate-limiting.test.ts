import net, { type AddressInfo } from 'node:net'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MODELS, startProxyFixture, waitForOutcomes, type ProxyFixture } from '../support/proxy-fixture.ts'
import { bearer } from '../support/build-test-app.ts'
import { toBig } from '../../src/infra/db/convert-row-values.ts'
import { hashApiKey } from '../../src/infra/crypto/api-key.ts'

/**
 * Catalogue group E (docs/security.md): rate limiting, #36, #38, #39. #35 and #37 are shown by
 * src/infra/rate-limit/*.test.ts and test/money/rate-limits.test.ts.
 */

async function call(f: ProxyFixture, key: string, headers: Record<string, string> = {}) {
  const res = await request(`${f.gateway}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({
      model: MODELS.openai,
      max_tokens: 50,
      messages: [{ role: 'user', content: 'x' }],
    }),
  })
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() }
}

async function balanceOf(f: ProxyFixture, username: string) {
  const u = await f.t.tdb.db.db
    .selectFrom('users')
    .select(['quota_nano', 'reserved_nano'])
    .where('username', '=', username)
    .executeTakeFirstOrThrow()
  return { balance: toBig(u.quota_nano), reserved: toBig(u.reserved_nano) }
}

async function setPrices(f: ProxyFixture) {
  for (const [unit, price] of [
    ['input_token', 2],
    ['output_token', 8],
  ] as const)
    await f.t.inject({
      method: 'POST',
      url: '/admin/prices',
      headers: bearer(f.adminJwt),
      payload: { model_name: MODELS.openai, unit, price_per_unit: price },
    })
}

describe('E. Redis black-holed: only rate limiting degrades', () => {
  let f: ProxyFixture
  let hole: net.Server
  const held: net.Socket[] = []

  beforeAll(async () => {
    // Accepts TCP and never answers: the worst case for a client without a command timeout.
    hole = net.createServer((s) => void held.push(s))
    await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r))
    const port = (hole.address() as AddressInfo).port
    f = await startProxyFixture('sqlite', {
      env: { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_COMMAND_TIMEOUT_MS: '200' },
    })
    await setPrices(f)
  })
  afterAll(async () => {
    await f?.close()
    for (const s of held) s.destroy()
    await new Promise((r) => hole?.close(r))
  })

  it('#36 revoked, frozen and expired keys are still refused and an empty balance still answers 402, each within the command timeout', async () => {
    const timed = async (key: string) => {
      const started = Date.now()
      const r = await call(f, key)
      expect(Date.now() - started, r.text).toBeLessThan(2000)
      return r
    }
    // A valid key passes (rate limiting fails open, by default).
    // A per-key limit, so every request of this key asks the (silent) Redis; the balance pays for it.
    const limited = await f.createKey({ name: 'limited', rpm: 1000 })
    expect((await timed(limited)).status).toBe(200)
    const revoked = await f.createKey({ name: 'revoked' })
    const frozen = await f.createKey({ name: 'frozen' })
    const expired = await f.createKey({ name: 'expired', expires_at: '2001-01-01' })
    const idOf = async (key: string) =>
      (
        await f.t.tdb.db.db
          .selectFrom('tokens')
          .select('id')
          .where('key_hash', '=', hashApiKey(key))
          .executeTakeFirstOrThrow()
      ).id
    await f.t.inject({
      method: 'DELETE',
      url: `/admin/tokens/${await idOf(revoked)}`,
      headers: bearer(f.adminJwt),
    })
    await f.t.inject({
      method: 'POST',
      url: `/admin/tokens/${await idOf(frozen)}/freeze`,
      headers: bearer(f.adminJwt),
    })
    expect((await timed(revoked)).status).toBe(401)
    expect((await timed(frozen)).status).toBe(403)
    expect((await timed(expired)).status).toBe(401)
    expect((await timed('sk-never-issued-000000000000000000000')).status).toBe(401)
    // Budgets are the database's, not Redis's.
    await f.t.inject({
      method: 'PATCH',
      url: '/admin/users/user',
      headers: bearer(f.adminJwt),
      payload: { quota_usd: 0 },
    })
    const broke = await timed(limited)
    expect(broke.status).toBe(402)
    await f.t.inject({
      method: 'PATCH',
      url: '/admin/users/user',
      headers: bearer(f.adminJwt),
      payload: { quota_usd: 100 },
    })
    expect((await timed(limited)).status).toBe(200)
    const ready = await f.t.inject({ method: 'GET', url: '/ready' })
    expect(ready.json()).toMatchObject({
      database: 'ok',
      redis: 'unreachable',
      rate_limiter: { fail_open: true },
    })
  })
})

describe('E. client addresses and what a refusal costs', () => {
  let f: ProxyFixture
  let trusting: ProxyFixture

  beforeAll(async () => {
    f = await startProxyFixture('sqlite')
    trusting = await startProxyFixture('sqlite', { env: { TRUSTED_PROXIES: '127.0.0.1' } })
    await setPrices(f)
  })
  afterAll(async () => {
    await f?.close()
    await trusting?.close()
  })

  it('#38 X-Forwarded-For is ignored without trusted proxies and read right to left with them; keys and users, not addresses, are limited', async () => {
    const ipOf = async (t: ProxyFixture, xff: string) => {
      const name = `xff-${Math.random().toString(36).slice(2, 10)}`
      const res = await t.t.inject({
        method: 'POST',
        url: '/admin/groups',
        headers: { ...bearer(t.adminJwt), 'x-forwarded-for': xff },
        payload: { name },
      })
      expect(res.statusCode).toBe(201)
      const row = await t.t.tdb.db.db
        .selectFrom('admin_audit')
        .select('ip')
        .where('action', '=', 'group.create')
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow()
      return row.ip
    }
    expect(await ipOf(f, '203.0.113.7')).toBe('127.0.0.1')
    expect(await ipOf(f, '198.51.100.1, 203.0.113.8')).toBe('127.0.0.1')
    // Behind a trusted proxy: the right-most address that is not a trusted proxy; a spoofed left part is ignored.
    expect(await ipOf(trusting, '203.0.113.9')).toBe('203.0.113.9')
    expect(await ipOf(trusting, '198.51.100.66, 203.0.113.10')).toBe('203.0.113.10')
    // A key's limit holds whatever address the client claims.
    const limited = await f.createKey({ rpm: 2 })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await call(f, limited, { 'x-forwarded-for': `198.51.100.${i}`, 'x-real-ip': `198.51.100.${i}` }))
          .status,
      )
    expect(statuses).toEqual([200, 200, 429, 429])
  })

  it('#39 refusals (401, 429) cost nothing; a failed provider call is refunded but keeps its rate-limit slot', async () => {
    // The previous test's requests may still be settling: start from a balance with nothing held.
    await expect.poll(async () => (await balanceOf(f, 'user')).reserved, { timeout: 5000 }).toBe(0n)
    const before = await balanceOf(f, 'user')
    expect((await call(f, 'sk-not-a-key-0000000000000000000000')).status).toBe(401)
    const limited = await f.createKey({ rpm: 2 })
    // Slot 1: the provider fails; refunded in full.
    const failed = await call(f, limited, { 'x-fake-scenario': 'status:503' })
    expect(failed.status).toBe(503)
    await expect.poll(() => balanceOf(f, 'user'), { timeout: 3000 }).toEqual(before)
    // Slot 2: billed. Then the window is full: 429, which costs nothing.
    const n = f.outcomes.length
    const ok = await call(f, limited)
    const ids = [String(failed.headers['x-request-id']), String(ok.headers['x-request-id'])]
    expect(ok.status).toBe(200)
    await waitForOutcomes(f, n + 1)
    const cost = f.outcomes.find((o) => o.requestId === ok.headers['x-request-id'])!.settlement!.costNano
    expect(cost).toBeGreaterThan(0n)
    for (let i = 0; i < 3; i++) {
      const r = await call(f, limited)
      ids.push(String(r.headers['x-request-id']))
      expect(r.status).toBe(429)
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0)
    }
    const after = await balanceOf(f, 'user')
    expect(before.balance - after.balance).toBe(cost)
    expect(after.reserved).toBe(0n)
    const ledger = await f.t.tdb.db.db
      .selectFrom('balance_ledger')
      .selectAll()
      .where('request_id', 'in', ids)
      .execute()
    expect(ledger.reduce((a, l) => a + toBig(l.amount_nano), 0n)).toBe(-cost)
  })
})
