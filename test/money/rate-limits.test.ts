import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProxyFixture, MODELS, type ProxyFixture } from '../support/proxy-fixture.ts'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'
import { REDIS_TEST_URL, requireService } from '../support/services.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { startBlackHole } from '../support/start-fault-proxy.ts'

const redisUp = await requireService('Redis', '127.0.0.1', 6379)
const kinds = await testDbKinds()

async function chat(base: string, key: string) {
  const res = await request(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: 'x' }] }),
  })
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() }
}

describe.skipIf(!redisUp)('group rate limits shared through Redis', () => {
  let f: ProxyFixture
  let second: TestApp
  let secondUrl: string

  beforeAll(async () => {
    // A unique key prefix per run keeps parallel suites apart on the shared Redis. The command timeout is generous:
    // on a loaded machine a 300 ms bound let commands time out and fail open, admitting more than the limit,
    // which is the fail-open test's subject (below), not this one's.
    const env = { REDIS_URL: `${REDIS_TEST_URL}/0`, REDIS_COMMAND_TIMEOUT_MS: '3000' }
    f = await startProxyFixture('sqlite', { env })
    second = await buildTestApp('sqlite', { shared: f.t, env })
    // A priced model: an exhausted package cannot fall back to a free balance.
    await f.t.inject({
      method: 'POST',
      url: '/admin/prices',
      headers: bearer(f.adminJwt),
      payload: { model_name: MODELS.openai, unit: 'output_token', price_per_unit: 10 },
    })
    await second.app.listen({ port: 0, host: '127.0.0.1' })
    secondUrl = `http://127.0.0.1:${(second.app.server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await second?.close()
    await f?.close()
  })

  async function groupWithRule(limit: number, windowSec: number) {
    const name = `rl-${randomBytes(4).toString('hex')}`
    const g = await f.t.inject({
      method: 'POST',
      url: '/admin/groups',
      headers: bearer(f.adminJwt),
      payload: { name, all_visible: true, priority: 1 },
    })
    const gid = (g.json() as { id: string }).id
    await f.t.inject({
      method: 'POST',
      url: `/admin/groups/${gid}/channels/${f.channels.openai}`,
      headers: bearer(f.adminJwt),
    })
    const r = await f.t.inject({
      method: 'POST',
      url: '/admin/rate-limits',
      headers: bearer(f.adminJwt),
      payload: { group_id: gid, window_sec: windowSec, limit_type: 'request_limit', value: limit },
    })
    expect(r.statusCode).toBe(201)
    // The user has no balance: only the package (the group's rules) can pay, so a tripped rule answers 429.
    await f.t.inject({
      method: 'PATCH',
      url: '/admin/users/user',
      headers: bearer(f.adminJwt),
      payload: { quota_usd: 0 },
    })
    return { gid, key: await f.createKey({ group_id: gid }) }
  }

  it('enforces one rule across two gateway instances: total admitted = limit', async () => {
    const { gid, key } = await groupWithRule(7, 60)
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => chat(i % 2 ? secondUrl : f.gateway, key)),
    )
    // Nothing was let through because Redis was slow: every decision was Redis's.
    expect(f.t.deps.limiter.health().failOpenCount + second.deps.limiter.health().failOpenCount).toBe(0)
    expect(results.filter((r) => r.status === 200)).toHaveLength(7)
    const limited = results.filter((r) => r.status === 429)
    expect(limited).toHaveLength(23)
    expect(limited[0].headers['x-ratelimit-limit']).toBe('7')
    expect(limited[0].headers['x-ratelimit-remaining']).toBe('0')
    expect(JSON.parse(limited[0].body)).toMatchObject({ error: { type: 'rate_limit_error' } })
    // Settlement is written after the answer (group commit), and each instance settles its own half:
    // wait for the rows instead of reading them the moment the last answer arrives.
    const admittedRows = async () =>
      f.t.tdb.db.db
        .selectFrom('usage_logs')
        .select(['covered_by_package', 'status'])
        .where('group_id', '=', gid)
        .where('status', '=', 200)
        .execute()
    await expect.poll(async () => (await admittedRows()).length, { timeout: 5000, interval: 20 }).toBe(7)
    const rows = await admittedRows()
    expect(rows).toHaveLength(7)
    expect(rows.every((r) => Number(r.covered_by_package) === 1)).toBe(true)
  })

  it('gives a Retry-After correct to the second for a request_limit rule', async () => {
    const { key } = await groupWithRule(1, 3)
    const first = await chat(f.gateway, key)
    expect(first.status).toBe(200)
    const t1 = Date.now()
    await new Promise((r) => setTimeout(r, 1100))
    const second2 = await chat(f.gateway, key)
    expect(second2.status).toBe(429)
    const elapsed = (Date.now() - t1) / 1000
    // The window frees at first+3s; about 1.1 s have passed, so 2 s remain (ceil).
    expect(Number(second2.headers['retry-after'])).toBe(Math.ceil(3 - elapsed))
    await new Promise((r) => setTimeout(r, Number(second2.headers['retry-after']) * 1000 + 100))
    expect((await chat(f.gateway, key)).status).toBe(200)
  })
})

describe('Redis unreachable', () => {
  it.each(['black-holed', 'stopped'])(
    'lets requests flow within the timeout when Redis is %s, and /ready says so',
    async (how) => {
      const hole = how === 'black-holed' ? await startBlackHole() : null
      const url = hole ? hole.url : 'redis://127.0.0.1:9'
      const f = await startProxyFixture('sqlite', {
        env: { REDIS_URL: url, REDIS_COMMAND_TIMEOUT_MS: '200' },
      })
      try {
        const g = await f.t.inject({
          method: 'POST',
          url: '/admin/rate-limits',
          headers: bearer(f.adminJwt),
          payload: { group_id: f.groupId, window_sec: 60, limit_type: 'request_limit', value: 1 },
        })
        expect(g.statusCode).toBe(201)
        // A key bound to the group: its rules apply to it (they would not to a personal key).
        const key = await f.createKey({ group_id: f.groupId })
        for (let i = 0; i < 3; i++) {
          const started = Date.now()
          const r = await chat(f.gateway, key)
          expect(r.status).toBe(200)
          expect(Date.now() - started).toBeLessThan(1500)
        }
        const ready = await f.t.inject({ method: 'GET', url: '/ready' })
        expect(ready.statusCode).toBe(200)
        expect(ready.json()).toMatchObject({
          redis: 'unreachable',
          rate_limiter: { healthy: false, fail_open: true },
        })
      } finally {
        await f.close()
        await hole?.close()
      }
    },
  )
})

const limiters = redisUp ? (['memory', 'redis'] as const) : (['memory'] as const)
const matrix = kinds.flatMap((kind) => limiters.map((limiter) => [kind, limiter] as const))

describe.each(matrix)(
  'issue 15 defect 13: whom a group rule applies to (%s, %s limiter)',
  (kind, limiter) => {
    let f: ProxyFixture
    // Each test's group outranks the ones before it, so personal keys route through it first.
    let priority = 100

    beforeAll(async () => {
      f = await startProxyFixture(kind, {
        env:
          limiter === 'redis' ? { REDIS_URL: `${REDIS_TEST_URL}/0`, REDIS_COMMAND_TIMEOUT_MS: '3000' } : {},
      })
      // A priced model, so a request needs the package or the balance (reserve ≈ $0.04 per request).
      const p = await f.t.inject({
        method: 'POST',
        url: '/admin/prices',
        headers: bearer(f.adminJwt),
        payload: { model_name: MODELS.openai, unit: 'output_token', price_per_unit: 10 },
      })
      expect(p.statusCode).toBe(201)
    })
    afterAll(async () => {
      await f?.close()
    })

    async function setBalance(usd: number) {
      const r = await f.t.inject({
        method: 'PATCH',
        url: '/admin/users/user',
        headers: bearer(f.adminJwt),
        payload: { quota_usd: usd },
      })
      expect(r.statusCode).toBe(200)
    }

    /** A new all-visible group, first in routing order, with one request_limit rule of `limit` per minute. */
    async function groupWithRule(limit: number, appliesTo?: 'bound_keys' | 'all_keys') {
      const g = await f.t.inject({
        method: 'POST',
        url: '/admin/groups',
        headers: bearer(f.adminJwt),
        payload: { name: `d13-${randomBytes(4).toString('hex')}`, all_visible: true, priority: ++priority },
      })
      const gid = (g.json() as { id: string }).id
      await f.t.inject({
        method: 'POST',
        url: `/admin/groups/${gid}/channels/${f.channels.openai}`,
        headers: bearer(f.adminJwt),
      })
      const r = await f.t.inject({
        method: 'POST',
        url: '/admin/rate-limits',
        headers: bearer(f.adminJwt),
        payload: {
          group_id: gid,
          window_sec: 60,
          limit_type: 'request_limit',
          value: limit,
          ...(appliesTo ? { applies_to: appliesTo } : {}),
        },
      })
      expect(r.statusCode, r.body).toBe(201)
      return { gid, rule: r.json() as { id: string; applies_to: string } }
    }

    async function settledRows(gid: string, n: number) {
      const read = () =>
        f.t.tdb.db.db
          .selectFrom('usage_logs')
          .select(['covered_by_package', 'cost_nano', 'token_id'])
          .where('group_id', '=', gid)
          .where('status', '=', 200)
          .execute()
      await expect.poll(async () => (await read()).length, { timeout: 5000, interval: 20 }).toBe(n)
      return read()
    }

    async function usedNano() {
      const u = await f.t.tdb.db.db
        .selectFrom('users')
        .select('used_nano')
        .where('username', '=', 'user')
        .executeTakeFirstOrThrow()
      return BigInt(u.used_nano as bigint | number | string)
    }

    it('by default a rule applies to bound keys only: a personal key routed through the group pays from the balance', async () => {
      await setBalance(100)
      const { gid, rule } = await groupWithRule(2)
      expect(rule.applies_to).toBe('bound_keys')
      const personal = await f.createKey()
      const usedBefore = await usedNano()
      const statuses = []
      for (let i = 0; i < 5; i++) statuses.push((await chat(f.gateway, personal)).status)
      expect(statuses).toEqual([200, 200, 200, 200, 200])
      const rows = await settledRows(gid, 5)
      // Not a package: the balance paid for every one.
      expect(rows.every((r) => Number(r.covered_by_package) === 0)).toBe(true)
      expect(rows.every((r) => BigInt(r.cost_nano as bigint) > 0n)).toBe(true)
      await expect.poll(usedNano, { timeout: 5000, interval: 20 }).toBeGreaterThan(usedBefore)
    })

    it('a personal key with no balance gets 402 insufficient_quota, never the rule of a group it is not bound to', async () => {
      await setBalance(0)
      await groupWithRule(2)
      const personal = await f.createKey()
      for (let i = 0; i < 4; i++) {
        const r = await chat(f.gateway, personal)
        expect(r.status).toBe(402)
        expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'insufficient_quota' } })
        expect(r.headers['x-ratelimit-limit']).toBeUndefined()
      }
    })

    it('a bound key is covered by the package while its rules pass, then 429 with the rule (not 402) when the balance cannot pay', async () => {
      await setBalance(0)
      const { gid } = await groupWithRule(2)
      const bound = await f.createKey({ group_id: gid })
      expect((await chat(f.gateway, bound)).status).toBe(200)
      expect((await chat(f.gateway, bound)).status).toBe(200)
      const third = await chat(f.gateway, bound)
      expect(third.status).toBe(429)
      expect(third.headers['x-ratelimit-limit']).toBe('2')
      const rows = await settledRows(gid, 2)
      expect(rows.every((r) => Number(r.covered_by_package) === 1)).toBe(true)
      // With a balance, the package being used up means the balance pays instead.
      await setBalance(100)
      expect((await chat(f.gateway, bound)).status).toBe(200)
      const after = await settledRows(gid, 3)
      expect(after.filter((r) => Number(r.covered_by_package) === 0)).toHaveLength(1)
    })

    it('applies_to all_keys throttles personal keys too, without making them package-covered', async () => {
      await setBalance(100)
      const { gid, rule } = await groupWithRule(2, 'all_keys')
      expect(rule.applies_to).toBe('all_keys')
      // A stricter rule left at the default beside it: it does not count the personal key.
      const strict = await f.t.inject({
        method: 'POST',
        url: '/admin/rate-limits',
        headers: bearer(f.adminJwt),
        payload: { group_id: gid, window_sec: 60, limit_type: 'request_limit', value: 1 },
      })
      expect(strict.statusCode).toBe(201)
      const personal = await f.createKey()
      expect((await chat(f.gateway, personal)).status).toBe(200)
      expect((await chat(f.gateway, personal)).status).toBe(200)
      const third = await chat(f.gateway, personal)
      expect(third.status).toBe(429)
      expect(third.headers['x-ratelimit-limit']).toBe('2')
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0)
      const rows = await settledRows(gid, 2)
      expect(rows.every((r) => Number(r.covered_by_package) === 0)).toBe(true)
    })

    it('PATCH applies_to takes effect on the next request; the API and /auth/my-status show it', async () => {
      await setBalance(100)
      const { gid, rule } = await groupWithRule(1)
      const personal = await f.createKey()
      expect((await chat(f.gateway, personal)).status).toBe(200)
      expect((await chat(f.gateway, personal)).status).toBe(200)
      const bad = await f.t.inject({
        method: 'PATCH',
        url: `/admin/rate-limits/${rule.id}`,
        headers: bearer(f.adminJwt),
        payload: { applies_to: 'everyone' },
      })
      expect(bad.statusCode).toBe(400)
      expect(bad.body).toContain('applies_to')
      const p = await f.t.inject({
        method: 'PATCH',
        url: `/admin/rate-limits/${rule.id}`,
        headers: bearer(f.adminJwt),
        payload: { applies_to: 'all_keys' },
      })
      expect(p.statusCode).toBe(200)
      expect(p.json()).toMatchObject({ id: rule.id, applies_to: 'all_keys' })
      const list = await f.t.inject({
        method: 'GET',
        url: `/admin/rate-limits?group_id=${gid}`,
        headers: bearer(f.adminJwt),
      })
      expect(list.json()).toMatchObject({ data: [{ id: rule.id, applies_to: 'all_keys' }] })
      // Now the personal key's requests count in the rule's bucket: the next one is refused.
      expect((await chat(f.gateway, personal)).status).toBe(200)
      expect((await chat(f.gateway, personal)).status).toBe(429)
      const status = await f.t.inject({ method: 'GET', url: '/auth/my-status', headers: bearer(f.userJwt) })
      const group = (
        status.json() as { groups: { group_id: string; rate_limits: Record<string, unknown>[] }[] }
      ).groups.find((g) => g.group_id === gid)
      expect(group?.rate_limits).toEqual([
        expect.objectContaining({ rule_id: rule.id, applies_to: 'all_keys', limit: 1 }),
      ])
    })
  },
)
