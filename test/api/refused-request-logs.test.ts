import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { MODELS, priceModel, startProxyFixture, type ProxyFixture } from '../support/proxy-fixture.ts'

const kinds = await testDbKinds()

/**
 * Issue 19, item 4: a request refused or failed with a valid key leaves a usage row with its status and error code
 * at zero cost, so the Logs page's 4xx filter shows it; a request without a valid key leaves none.
 */
describe.each(kinds)('refused and failed proxied requests in the logs (%s)', (kind) => {
  let f: ProxyFixture

  beforeAll(async () => {
    f = await startProxyFixture(kind)
    // A priced model, so admission holds money and a key's cap can refuse the request.
    await priceModel(f, MODELS.openai, { input_token: 2, output_token: 8 })
  })
  afterAll(async () => f?.close())

  async function chat(key: string, model: string, headers: Record<string, string> = {}) {
    const res = await request(`${f.gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model, max_tokens: 500, messages: [{ role: 'user', content: 'x' }] }),
    })
    await res.body.text()
    return { status: res.statusCode, id: String(res.headers['x-request-id']) }
  }

  async function userMoney() {
    const u = await f.t.tdb.db.db
      .selectFrom('users')
      .select(['quota_nano', 'reserved_nano', 'used_nano'])
      .where('username', '=', 'user')
      .executeTakeFirstOrThrow()
    const ledger = await f.t.tdb.db.db
      .selectFrom('balance_ledger')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    return [String(u.quota_nano), String(u.reserved_nano), String(u.used_nano), Number(ledger.n)]
  }

  it('records each refusal and failure with its status and error code at zero cost, billing nothing', async () => {
    const before = await userMoney()
    const onlyClaude = await f.createKey({ allowed_models: [MODELS.anthropic] })
    const capped = await f.createKey({ quota_usd: 0.000001 })
    const expected: [number, string, number, string][] = []
    const expect4 = async (
      r: Promise<{ status: number; id: string }>,
      status: number,
      code: string,
    ): Promise<void> => {
      const { status: got, id } = await r
      expect(got, code).toBe(status)
      expected.push([status, code, 0, id])
    }
    await expect4(chat(f.key, 'no-such-model'), 404, 'model_not_found')
    await expect4(chat(onlyClaude, MODELS.openai), 403, 'model_not_allowed')
    await expect4(chat(capped, MODELS.openai), 402, 'insufficient_quota')
    // A rule of one request a minute for every key routed through the group: the second request is refused.
    const rule = await f.t.inject({
      method: 'POST',
      url: '/admin/rate-limits',
      headers: bearer(f.adminJwt),
      payload: {
        group_id: f.groupId,
        window_sec: 60,
        limit_type: 'request_limit',
        value: 1,
        applies_to: 'all_keys',
      },
    })
    expect(rule.statusCode, rule.body).toBe(201)
    // The provider fails the admitted request (its hold comes back), and the next one is over the limit.
    await expect4(chat(f.key, MODELS.openai, { 'x-fake-scenario': 'status:503' }), 503, 'upstream_error')
    await expect4(chat(f.key, MODELS.openai), 429, 'rate_limited')
    // No valid key: nothing to attribute the row to.
    const anonymous = await chat('sk-not-a-real-key-0000000000000000000000000000', MODELS.openai)
    expect(anonymous.status).toBe(401)

    const rowsOf = async (url: string, jwt: string) => {
      const res = await f.t.inject({ method: 'GET', url, headers: bearer(jwt) })
      expect(res.statusCode, res.body).toBe(200)
      return (res.json() as { data: Record<string, unknown>[] }).data
    }
    const wanted = expected.map(([, , , id]) => id)
    await expect
      .poll(
        async () =>
          (await rowsOf('/admin/logs?page_size=100', f.adminJwt)).filter((r) =>
            wanted.includes(String(r.request_id)),
          ).length,
        { timeout: 5000 },
      )
      .toBe(expected.length)
    for (const [prefix, jwt] of [
      ['/admin/logs', f.adminJwt],
      ['/user/logs', f.userJwt],
    ] as const) {
      const all = await rowsOf(`${prefix}?page_size=100`, jwt)
      for (const [status, code, cost, id] of expected) {
        const row = all.find((r) => r.request_id === id)
        expect(row, `${prefix} ${code}`).toMatchObject({ status, error_code: code, cost_usd: cost })
      }
      const fourxx = (await rowsOf(`${prefix}?status=4xx&page_size=100`, jwt)).map((r) => r.request_id)
      for (const [status, , , id] of expected) expect(fourxx.includes(id)).toBe(status < 500)
      expect(all.some((r) => r.request_id === anonymous.id)).toBe(false)
    }
    // Nothing billed: the balance, the totals and the ledger are as before; nothing stays held.
    expect(await userMoney()).toEqual(before)
  })
})
