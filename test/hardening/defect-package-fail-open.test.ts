import net, { type AddressInfo } from 'node:net'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MODELS, startProxyFixture, type ProxyFixture } from '../support/proxy-fixture.ts'
import { bearer } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { REDIS_TEST_URL, requireService } from '../support/services.ts'

/**
 * Found while mapping catalogue #36 (Redis down: only rate limiting degrades, budgets still hold): a group package
 * with a spend limit covered every request of its bound keys while Redis failed open, since the package's rules
 * could not be checked but the request was still counted as covered. While the limiter is degraded the balance
 * pays; a user whose balance cannot gets 402.
 */
const kinds = await testDbKinds()
const redisUp = await requireService('Redis', '127.0.0.1', 6379)

describe.each(redisUp ? kinds : [])('a package while Redis fails open (%s)', (kind) => {
  let hole: net.Server
  const held: net.Socket[] = []

  beforeAll(async () => {
    hole = net.createServer((s) => void held.push(s))
    await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r))
  })
  afterAll(async () => {
    for (const s of held) s.destroy()
    await new Promise((r) => hole.close(r))
  })

  async function packageFixture(redisUrl: string): Promise<{ f: ProxyFixture; key: string }> {
    const f = await startProxyFixture(kind, { env: { REDIS_URL: redisUrl, REDIS_COMMAND_TIMEOUT_MS: '200' } })
    const admin = (method: 'POST' | 'PATCH', url: string, payload: object) =>
      f.t.inject({ method, url, headers: bearer(f.adminJwt), payload })
    for (const unit of ['input_token', 'output_token'])
      expect(
        (await admin('POST', '/admin/prices', { model_name: MODELS.openai, unit, price_per_unit: 100 }))
          .statusCode,
      ).toBe(201)
    // The package: $0.0001 an hour, far less than one request costs.
    const rule = await admin('POST', '/admin/rate-limits', {
      group_id: f.groupId,
      window_sec: 3600,
      limit_type: 'quota_limit',
      value: 0.0001,
    })
    expect(rule.statusCode, rule.body).toBe(201)
    expect((await admin('PATCH', '/admin/users/user', { quota_usd: 0 })).statusCode).toBe(200)
    return { f, key: await f.createKey({ group_id: f.groupId }) }
  }

  async function sixRequests(f: ProxyFixture, key: string): Promise<number[]> {
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) {
      const res = await request(`${f.gateway}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: MODELS.openai,
          max_tokens: 10,
          messages: [{ role: 'user', content: 'x' }],
        }),
      })
      await res.body.dump()
      statuses.push(res.statusCode)
    }
    return statuses
  }

  it('with Redis up, the exhausted package answers with its rule (429), as the seed', async () => {
    const { f, key } = await packageFixture(REDIS_TEST_URL)
    try {
      expect(await sixRequests(f, key)).toEqual([429, 429, 429, 429, 429, 429])
    } finally {
      await f.close()
    }
  })

  it('with Redis black-holed, the package covers nothing: the empty balance answers 402 and nothing is free', async () => {
    const { f, key } = await packageFixture(`redis://127.0.0.1:${(hole.address() as AddressInfo).port}`)
    try {
      expect(await sixRequests(f, key)).toEqual([402, 402, 402, 402, 402, 402])
      const covered = await f.t.tdb.db.db
        .selectFrom('usage_logs')
        .select('request_id')
        .where('covered_by_package', '=', 1)
        .execute()
      expect(covered).toHaveLength(0)
    } finally {
      await f.close()
    }
  })
})
