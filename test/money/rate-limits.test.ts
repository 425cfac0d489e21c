import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProxyFixture, MODELS, type ProxyFixture } from '../support/proxy-fixture.ts'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'
import { REDIS_TEST_URL, requireService } from '../support/services.ts'
import { startBlackHole } from '../support/start-fault-proxy.ts'

const redisUp = await requireService('Redis', '127.0.0.1', 6379)

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
    // A unique key prefix per run keeps parallel suites apart on the shared Redis.
    const env = { REDIS_URL: `${REDIS_TEST_URL}/0`, REDIS_COMMAND_TIMEOUT_MS: '300' }
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
        for (let i = 0; i < 3; i++) {
          const started = Date.now()
          const r = await chat(f.gateway, f.key)
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
