import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toBig, toBigOrNull } from '../../src/infra/db/convert-row-values.ts'
import { bearer, buildTestApp, type TestApp } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'

/**
 * SPEC §6: every balance change is a `balance_ledger` row. A user created with a balance starts with one: the
 * ledger sums to the balance from the first row on, through later changes.
 */
describe.each(await testDbKinds())('the opening balance in the ledger (%s)', (kind) => {
  let a: TestApp
  let admin: string

  beforeAll(async () => {
    a = await buildTestApp(kind)
    await a.createUser('root', 'root-password', 'superadmin')
    admin = await a.login('root', 'root-password')
  })
  afterAll(async () => {
    await a?.close()
  })

  const create = (payload: object) =>
    a.inject({ method: 'POST', url: '/admin/users', headers: bearer(admin), payload })
  const ledger = (username: string) =>
    a.tdb.db.db
      .selectFrom('balance_ledger')
      .selectAll()
      .where('username', '=', username)
      .orderBy('created_at')
      .execute()
  const balance = async (username: string) =>
    toBigOrNull(
      (
        await a.tdb.db.db
          .selectFrom('users')
          .select('quota_nano')
          .where('username', '=', username)
          .executeTakeFirstOrThrow()
      ).quota_nano,
    )

  it('a user created with a balance has its ledger row, and the ledger sums to the balance after a top-up', async () => {
    const res = await create({ username: 'olga', password: 'olga-password-1', quota_usd: 5 })
    expect(res.statusCode, res.body).toBe(201)
    const opening = await ledger('olga')
    expect(
      opening.map((l) => [l.kind, toBig(l.amount_nano), toBigOrNull(l.balance_after_nano), l.note]),
    ).toEqual([['admin_adjust', 5_000_000_000n, 5_000_000_000n, 'opening balance']])
    expect(opening[0].request_id).toBeNull()

    const top = await a.inject({
      method: 'POST',
      url: '/admin/users/olga/top-up',
      headers: bearer(admin),
      payload: { amount_usd: 1.25 },
    })
    expect(top.statusCode, top.body).toBe(200)
    const rows = await ledger('olga')
    expect(rows.map((l) => l.kind)).toEqual(['admin_adjust', 'top_up'])
    expect(rows.reduce((sum, l) => sum + toBig(l.amount_nano), 0n)).toBe(await balance('olga'))
  })

  it('an unlimited or an empty balance writes no ledger row', async () => {
    for (const [username, quota] of [
      ['ulla', null],
      ['zeno', 0],
    ] as const) {
      const res = await create({ username, password: `${username}-password-1`, quota_usd: quota })
      expect(res.statusCode, res.body).toBe(201)
      expect(await ledger(username)).toEqual([])
    }
    expect(await balance('ulla')).toBeNull()
    expect(await balance('zeno')).toBe(0n)
  })

  it('a refused creation (a taken name) writes no ledger row', async () => {
    const first = await create({ username: 'paul', password: 'paul-password-1', quota_usd: 2 })
    expect(first.statusCode, first.body).toBe(201)
    const again = await create({ username: 'paul', password: 'paul-password-2', quota_usd: 3 })
    expect(again.statusCode).toBe(409)
    const rows = await ledger('paul')
    expect(rows.map((l) => toBig(l.amount_nano))).toEqual([2_000_000_000n])
  })
})
