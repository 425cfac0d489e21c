import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { toBig } from '../../src/infra/db/convert-row-values.ts'

const kinds = await testDbKinds()

describe.each(kinds)('voucher redemption (%s)', (kind) => {
  let a: TestApp
  let b: TestApp
  let admin: string

  beforeAll(async () => {
    a = await buildTestApp(kind)
    // A second gateway instance with its own connection to the same database.
    b = await buildTestApp(kind, { shared: a })
    await a.createUser('vic', 'vic-password', 'user', 1)
    await a.createUser('una', 'una-password', 'user', null)
    await a.createUser('boss', 'boss-password', 'admin')
    admin = await a.login('boss', 'boss-password')
  })
  afterAll(async () => {
    await b?.close()
    await a?.close()
  })

  it('lets exactly one of many concurrent redemptions win, and credits the balance once', async () => {
    for (let round = 0; round < 5; round++) {
      const v = (
        await a.inject({
          method: 'POST',
          url: '/admin/vouchers',
          headers: bearer(admin),
          payload: { amount_usd: 2.5 },
        })
      ).json() as { code: string }
      const before = await a.tdb.db.db
        .selectFrom('users')
        .select('quota_nano')
        .where('username', '=', 'vic')
        .executeTakeFirstOrThrow()
      const jwtA = await a.login('vic', 'vic-password')
      const jwtB = await b.login('vic', 'vic-password')
      const attempts = Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? b : a).inject({
          method: 'POST',
          url: '/user/vouchers/redeem',
          headers: bearer(i % 2 ? jwtB : jwtA),
          payload: { code: v.code },
        }),
      )
      const results = await Promise.all(attempts)
      const statuses = results.map((r) => r.statusCode)
      expect(statuses.filter((s) => s === 200)).toHaveLength(1)
      expect(statuses.filter((s) => s !== 200).every((s) => s === 409)).toBe(true)
      const after = await a.tdb.db.db
        .selectFrom('users')
        .select('quota_nano')
        .where('username', '=', 'vic')
        .executeTakeFirstOrThrow()
      expect(toBig(after.quota_nano) - toBig(before.quota_nano)).toBe(2_500_000_000n)
    }
    const ledger = await a.tdb.db.db
      .selectFrom('balance_ledger')
      .selectAll()
      .where('username', '=', 'vic')
      .where('kind', '=', 'voucher')
      .execute()
    expect(ledger).toHaveLength(5)
    expect(ledger.reduce((s, r) => s + toBig(r.amount_nano), 0n)).toBe(12_500_000_000n)
    const final = await a.tdb.db.db
      .selectFrom('users')
      .select('quota_nano')
      .where('username', '=', 'vic')
      .executeTakeFirstOrThrow()
    expect(toBig(final.quota_nano)).toBe(13_500_000_000n)
  })

  it('expires a date-only voucher at the end of that UTC day and keeps unlimited balances unlimited', async () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
    const today = new Date().toISOString().slice(0, 10)
    const old = (
      await a.inject({
        method: 'POST',
        url: '/admin/vouchers',
        headers: bearer(admin),
        payload: { amount_usd: 1, expires_at: yesterday },
      })
    ).json() as { code: string; expires_at: string }
    expect(old.expires_at).toBe(`${yesterday}T23:59:59.999Z`)
    const fresh = (
      await a.inject({
        method: 'POST',
        url: '/admin/vouchers',
        headers: bearer(admin),
        payload: { amount_usd: 1, expires_at: today },
      })
    ).json() as { code: string }
    const vic = await a.login('vic', 'vic-password')
    const expired = await a.inject({
      method: 'POST',
      url: '/user/vouchers/redeem',
      headers: bearer(vic),
      payload: { code: old.code },
    })
    expect(expired.statusCode).toBe(400)
    expect((expired.json() as { error: { code: string } }).error.code).toBe('voucher_expired')
    const una = await a.login('una', 'una-password')
    const ok = await a.inject({
      method: 'POST',
      url: '/user/vouchers/redeem',
      headers: bearer(una),
      payload: { code: fresh.code },
    })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toMatchObject({ ok: true, amount_usd: 1, new_quota_usd: null })
    const missing = await a.inject({
      method: 'POST',
      url: '/user/vouchers/redeem',
      headers: bearer(una),
      payload: { code: 'nope' },
    })
    expect(missing.statusCode).toBe(404)
  })

  it('bounds batch creation', async () => {
    const many = await a.inject({
      method: 'POST',
      url: '/admin/vouchers',
      headers: bearer(admin),
      payload: { amount_usd: 1, count: 1001 },
    })
    expect(many.statusCode).toBe(400)
    const batch = await a.inject({
      method: 'POST',
      url: '/admin/vouchers',
      headers: bearer(admin),
      payload: { amount_usd: 1, count: 25 },
    })
    expect(batch.statusCode).toBe(201)
    const body = batch.json() as { count: number; vouchers: { code: string }[] }
    expect(body.count).toBe(25)
    expect(new Set(body.vouchers.map((v) => v.code)).size).toBe(25)
  })
})
