import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { toBig } from '../../src/infra/db/convert-row-values.ts'

const kinds = await testDbKinds()

describe.each(kinds)('balance top-ups and history (%s)', (kind) => {
  let a: TestApp
  let b: TestApp
  let admin: string
  let adminB: string

  beforeAll(async () => {
    a = await buildTestApp(kind)
    // A second gateway on the same database: top-ups released together arrive through two connections.
    b = await buildTestApp(kind, { shared: a })
    await a.createUser('tina', 'tina-password', 'user', 1)
    await a.createUser('ulli', 'ulli-password', 'user', null)
    await a.createUser('otto', 'otto-password', 'user', 0)
    await a.createUser('boss', 'boss-password', 'admin')
    await a.createUser('root', 'root-password', 'superadmin')
    admin = await a.login('root', 'root-password')
    adminB = await b.login('root', 'root-password')
  })
  afterAll(async () => {
    await b?.close()
    await a?.close()
  })

  const balanceNano = async (username: string) =>
    toBig(
      (
        await a.tdb.db.db
          .selectFrom('users')
          .select('quota_nano')
          .where('username', '=', username)
          .executeTakeFirstOrThrow()
      ).quota_nano,
    )
  const topUp = (t: TestApp, jwt: string, username: string, payload: object) =>
    t.inject({ method: 'POST', url: `/admin/users/${username}/top-up`, headers: bearer(jwt), payload })

  it('adds to the balance (not sets it), with a ledger row, its note and an audit row', async () => {
    const res = await topUp(a, admin, 'tina', { amount_usd: 2.5, note: 'invoice 42' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ username: 'tina', amount_usd: 2.5, balance_usd: 3.5, note: 'invoice 42' })
    expect(await balanceNano('tina')).toBe(3_500_000_000n)
    const ledger = await a.tdb.db.db
      .selectFrom('balance_ledger')
      .selectAll()
      .where('username', '=', 'tina')
      .execute()
    expect(ledger.map((l) => [l.kind, toBig(l.amount_nano), toBig(l.balance_after_nano), l.note])).toEqual([
      ['top_up', 2_500_000_000n, 3_500_000_000n, 'invoice 42'],
    ])
    const audit = await a.tdb.db.db
      .selectFrom('admin_audit')
      .selectAll()
      .where('action', '=', 'user.top_up')
      .execute()
    expect(audit).toHaveLength(1)
    expect(JSON.parse(audit[0]?.summary ?? '{}')).toMatchObject({ amount_usd: 2.5, note: 'invoice 42' })
  })

  it('refuses zero, negative and sub-nano amounts, an unlimited balance and an unknown user', async () => {
    for (const amount_usd of [0, -1, 1e-10]) {
      expect((await topUp(a, admin, 'tina', { amount_usd })).statusCode).toBe(400)
    }
    expect((await topUp(a, admin, 'tina', { amount_usd: 1, note: 'x'.repeat(501) })).statusCode).toBe(400)
    expect((await topUp(a, admin, 'ulli', { amount_usd: 1 })).statusCode).toBe(409)
    expect((await topUp(a, admin, 'nobody', { amount_usd: 1 })).statusCode).toBe(404)
    const user = await a.login('tina', 'tina-password')
    expect((await topUp(a, user, 'tina', { amount_usd: 1 })).statusCode).toBe(403)
    // An admin manages users only, as for setting a balance; a superadmin anyone.
    const boss = await a.login('boss', 'boss-password')
    expect((await topUp(a, boss, 'root', { amount_usd: 1 })).statusCode).toBe(403)
    expect(await balanceNano('tina')).toBe(3_500_000_000n)
  })

  it('counts every one of many top-ups released together, on two gateways', async () => {
    const before = await balanceNano('otto')
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        topUp(i % 2 ? b : a, i % 2 ? adminB : admin, 'otto', { amount_usd: 0.000000001 * (i + 1) }),
      ),
    )
    expect(results.map((r) => r.statusCode)).toEqual(Array(12).fill(200))
    // 1 + 2 + … + 12 nano-USD.
    expect((await balanceNano('otto')) - before).toBe(78n)
    const ledger = await a.tdb.db.db
      .selectFrom('balance_ledger')
      .select(['amount_nano', 'balance_after_nano'])
      .where('username', '=', 'otto')
      .execute()
    expect(ledger.reduce((s, l) => s + toBig(l.amount_nano), 0n)).toBe(78n)
    // Each row's balance is the one its own addition produced: twelve distinct steps up to the total.
    const afters = ledger.map((l) => toBig(l.balance_after_nano)).sort((x, y) => (x < y ? -1 : 1))
    expect(new Set(afters).size).toBe(12)
    expect(afters.at(-1)).toBe(before + 78n)
  })

  it('shows the history newest first, paged, to the admin and to the user themselves', async () => {
    await a.createUser('hugo', 'hugo-password', 'user', 0)
    const vou = (
      await a.inject({
        method: 'POST',
        url: '/admin/vouchers',
        headers: bearer(admin),
        payload: { amount_usd: 4 },
      })
    ).json() as { code: string }
    await topUp(a, admin, 'hugo', { amount_usd: 1, note: 'first' })
    const hugo = await a.login('hugo', 'hugo-password')
    await a.inject({
      method: 'POST',
      url: '/user/vouchers/redeem',
      headers: bearer(hugo),
      payload: { code: vou.code },
    })
    await a.inject({
      method: 'PATCH',
      url: '/admin/users/hugo',
      headers: bearer(admin),
      payload: { quota_usd: 2 },
    })
    await topUp(a, admin, 'hugo', { amount_usd: 0.25, note: 'second' })

    const mine = await a.inject({
      method: 'GET',
      url: '/user/balance-history?page_size=3',
      headers: bearer(hugo),
    })
    expect(mine.statusCode).toBe(200)
    const page1 = mine.json() as { total: number; data: Record<string, unknown>[] }
    expect(page1.total).toBe(4)
    expect(page1.data.map((r) => [r.kind, r.change_usd, r.balance_after_usd, r.note])).toEqual([
      ['top_up', 0.25, 2.25, 'second'],
      ['admin_adjust', -3, 2, null],
      ['voucher', 4, 5, null],
    ])
    const page2 = (
      await a.inject({
        method: 'GET',
        url: '/user/balance-history?page_size=3&page=2',
        headers: bearer(hugo),
      })
    ).json() as { data: Record<string, unknown>[] }
    expect(page2.data.map((r) => [r.kind, r.change_usd, r.note])).toEqual([['top_up', 1, 'first']])

    const theirs = await a.inject({
      method: 'GET',
      url: '/admin/users/hugo/balance-history',
      headers: bearer(admin),
    })
    expect(theirs.statusCode).toBe(200)
    expect((theirs.json() as { total: number }).total).toBe(4)
    // A user reads only their own history: the admin route is refused, another user's rows never appear.
    expect(
      (await a.inject({ method: 'GET', url: '/admin/users/tina/balance-history', headers: bearer(hugo) }))
        .statusCode,
    ).toBe(403)
    expect(
      (await a.inject({ method: 'GET', url: '/admin/users/nobody/balance-history', headers: bearer(admin) }))
        .statusCode,
    ).toBe(404)
  })
})
