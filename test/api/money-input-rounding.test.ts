import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'

const kinds = await testDbKinds()

/**
 * Money is stored in whole nano-USD. An amount that rounds to 0 must not be stored as 0 where 0 means something
 * else: a $0 voucher, a key cap of 0 (= no cap), a rule limit of 0 units that refuses everything.
 */
describe.each(kinds)('issue 15 defect 12: money inputs that round to 0 nano-USD (%s)', (kind) => {
  let t: TestApp
  let admin: string
  let user: string
  let groupId: string

  beforeAll(async () => {
    t = await buildTestApp(kind)
    await t.createUser('boss', 'boss-password', 'admin')
    await t.createUser('ann', 'ann-password', 'user', 5)
    admin = await t.login('boss', 'boss-password')
    user = await t.login('ann', 'ann-password')
    const g = await t.inject({
      method: 'POST',
      url: '/admin/groups',
      headers: bearer(admin),
      payload: { name: 'rounding', all_visible: true },
    })
    groupId = (g.json() as { id: string }).id
  })
  afterAll(async () => {
    await t?.close()
  })

  async function send(method: 'POST' | 'PATCH', url: string, payload: unknown, jwt = admin) {
    const res = await t.inject({ method, url, headers: bearer(jwt), payload: payload as object })
    return { status: res.statusCode, body: res.body, json: () => res.json() as Record<string, unknown> }
  }

  /** A refusal that names the field, in the admin API's validation shape. */
  function expectRefused(r: { status: number; body: string }, field: string) {
    expect(r.status, r.body).toBe(400)
    const err = (JSON.parse(r.body) as { error: { code: string; fields?: { field: string }[] } }).error
    expect(err.code).toBe('validation_error')
    expect(err.fields?.map((f) => f.field)).toContain(field)
  }

  const countVouchers = async () =>
    Number(
      (
        await t.tdb.db.db
          .selectFrom('vouchers')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )

  it('refuses a voucher of 1e-10 USD (it would be a $0 voucher), and negative, absurd and non-numbers', async () => {
    const before = await countVouchers()
    for (const amount of [1e-10, 4e-10, 0, -1, -1e-10, 1e300, 2e9, '5', null, true])
      expectRefused(await send('POST', '/admin/vouchers', { amount_usd: amount }), 'amount_usd')
    expectRefused(await send('POST', '/admin/vouchers', { amount_usd: 1e-10, count: 5 }), 'amount_usd')
    expect(await countVouchers()).toBe(before)
    // One nano-USD is the smallest voucher there is.
    const ok = await send('POST', '/admin/vouchers', { amount_usd: 1e-9 })
    expect(ok.status, ok.body).toBe(201)
    expect(ok.json().amount_usd).toBe(1e-9)
    const patched = await send('PATCH', `/admin/vouchers/${ok.json().id as string}`, { amount_usd: 1e-10 })
    expectRefused(patched, 'amount_usd')
    const row = await t.tdb.db.db
      .selectFrom('vouchers')
      .select('amount_nano')
      .where('id', '=', ok.json().id as string)
      .executeTakeFirstOrThrow()
    expect(BigInt(row.amount_nano as bigint)).toBe(1n)
  })

  it('refuses a key cap that rounds to 0 (a cap of 0 means no cap); 0 and null stay "no cap"', async () => {
    expectRefused(await send('POST', '/user/tokens', { name: 'tiny', quota_usd: 1e-10 }, user), 'quota_usd')
    const k = await send('POST', '/user/tokens', { name: 'capped', quota_usd: 0.5 }, user)
    expect(k.status, k.body).toBe(201)
    const id = k.json().id as string
    expectRefused(await send('PATCH', `/user/tokens/${id}`, { quota_usd: 3e-10 }, user), 'quota_usd')
    const row = await t.tdb.db.db
      .selectFrom('tokens')
      .select('quota_nano')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(BigInt(row.quota_nano as bigint)).toBe(500_000_000n)
    expect((await send('PATCH', `/user/tokens/${id}`, { quota_usd: 0 }, user)).status).toBe(200)
  })

  it('refuses a balance that rounds to 0 nano-USD but keeps 0 and unlimited', async () => {
    expectRefused(await send('PATCH', '/admin/users/ann', { quota_usd: 1e-10 }), 'quota_usd')
    expectRefused(
      await send('POST', '/admin/users', { username: 'bea', password: 'bea-password', quota_usd: 2e-10 }),
      'quota_usd',
    )
    expect((await send('PATCH', '/admin/users/ann', { quota_usd: 0 })).status).toBe(200)
    expect((await send('PATCH', '/admin/users/ann', { quota_usd: null })).status).toBe(200)
  })

  it('refuses a price that rounds to 0 (the model would be free by accident); 0 is a price', async () => {
    const body = { model_name: 'tiny-price', unit: 'input_token' }
    expectRefused(await send('POST', '/admin/prices', { ...body, price_per_unit: 1e-10 }), 'price_per_unit')
    expectRefused(
      await send('POST', '/admin/group-prices', { ...body, group_id: groupId, price_per_unit: 1e-10 }),
      'price_per_unit',
    )
    const free = await send('POST', '/admin/prices', { ...body, price_per_unit: 0 })
    expect(free.status, free.body).toBe(201)
    expectRefused(
      await send('PATCH', `/admin/prices/${free.json().id as string}`, { price_per_unit: -1e-10 }),
      'price_per_unit',
    )
  })

  it('refuses rule values the limiter would turn into a limit of 0 (refusing everything); 0 turns a rule off', async () => {
    const rule = (limit_type: string, value: number) => ({
      group_id: groupId,
      window_sec: 60,
      limit_type,
      value,
    })
    expectRefused(await send('POST', '/admin/rate-limits', rule('quota_limit', 1e-10)), 'value')
    expectRefused(await send('POST', '/admin/rate-limits', rule('token_limit', 0.5)), 'value')
    expectRefused(await send('POST', '/admin/rate-limits', rule('quota_limit', 1e12)), 'value')
    expect((await send('POST', '/admin/rate-limits', rule('quota_limit', 0))).status).toBe(201)
    expect((await send('POST', '/admin/rate-limits', rule('quota_limit', 1e-9))).status).toBe(201)
    // A request limit of 0.5 admits one request, as the original's `current < value` did.
    const half = await send('POST', '/admin/rate-limits', rule('request_limit', 0.5))
    expect(half.status, half.body).toBe(201)
    const id = half.json().id as string
    // Turning it into a token limit keeps the value 0.5: refused, and the rule is unchanged.
    expectRefused(await send('PATCH', `/admin/rate-limits/${id}`, { limit_type: 'token_limit' }), 'value')
    const after = await t.inject({ method: 'GET', url: `/admin/rate-limits/${id}`, headers: bearer(admin) })
    expect(after.json()).toMatchObject({ limit_type: 'request_limit', value: 0.5 })
  })
})
