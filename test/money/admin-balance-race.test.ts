import { describe, expect, it } from 'vitest'
import { buildTestApp, bearer } from '../support/build-test-app.ts'
import { moneyFixtures, UNIT } from '../support/money-fixtures.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { createSettlementWriter } from '../../src/billing/settle-usage.ts'
import { toBig, toBigOrNull } from '../../src/infra/db/convert-row-values.ts'

const kinds = await testDbKinds()

/**
 * Catalogue #28: an admin's "set balance" is absolute, and its admin_adjust ledger row must carry exactly the change
 * it made, even while settlements debit the same balance (found while mapping the catalogue; it was computed from a
 * balance read before the transaction).
 */
describe.each(kinds)('an admin setting a balance while debits land (%s)', (kind) => {
  it('#28: the ledger still sums to the balance change, round after round', async () => {
    const t = await buildTestApp(kind)
    await t.createUser('root', 'root-password', 'superadmin')
    const jwt = await t.login('root', 'root-password')
    const db = () => t.tdb.db.db
    const { addUser, addKey, settlement } = moneyFixtures(db)
    const writer = createSettlementWriter(db())
    for (let round = 0; round < 30; round++) {
      const u = await addUser(1000n * UNIT)
      const k = await addKey(u)
      const work: Promise<unknown>[] = []
      for (let i = 0; i < 20; i++) work.push(writer.settle(settlement(u, k, { costNano: UNIT })))
      // The admin's change lands in the middle of the debits.
      const adminChange = t.inject({
        method: 'PATCH',
        url: `/admin/users/${u}`,
        headers: bearer(jwt),
        payload: { quota_usd: 5 },
      })
      work.push(adminChange)
      for (let i = 0; i < 20; i++) work.push(writer.settle(settlement(u, k, { costNano: UNIT })))
      await Promise.all(work)
      const row = await db()
        .selectFrom('users')
        .select('quota_nano')
        .where('username', '=', u)
        .executeTakeFirstOrThrow()
      const ledger = await db()
        .selectFrom('balance_ledger')
        .select('amount_nano')
        .where('username', '=', u)
        .execute()
      const sum = ledger.reduce((a, l) => a + toBig(l.amount_nano), 0n)
      const change = toBigOrNull(row.quota_nano)! - 1000n * UNIT
      expect(sum, `round ${round}: the ledger sums to the balance change`).toBe(change)
    }
    await t.close()
  }, 120_000)
})
