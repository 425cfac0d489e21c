import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDbKinds, type TestDatabase } from '../support/test-databases.ts'
import { moneyFixtures, reserveFunds, UNIT } from '../support/money-fixtures.ts'
import { toBig, toNum } from '../../src/infra/db/convert-row-values.ts'
import { createSettlementWriter } from '../../src/billing/settle-usage.ts'
import type { Settlement } from '../../src/billing/settlement.ts'
import { releaseReservation } from '../../src/billing/reserve-funds.ts'

const kinds = await testDbKinds()

// A quiet gateway settles each request alone: on PostgreSQL that is one statement instead of a transaction.
describe.each(kinds)('settlements alone in their batch (%s)', (kind) => {
  let tdb: TestDatabase
  const db = () => tdb.db.db
  const { addUser, addKey, userMoney, keyMoney, ledgerOf, settlement, reservation } = moneyFixtures(db)

  beforeAll(async () => {
    tdb = await createTestDatabase(kind)
  })
  afterAll(async () => tdb?.drop())

  it('settles requests one at a time the same way (one statement each on PostgreSQL), a repeated one changing nothing', async () => {
    const start = 1_000n * UNIT
    const erin = await addUser(start)
    const free = await addUser(null)
    const erinKey = await addKey(erin, 500n * UNIT)
    const freeKey = await addKey(free)
    const t0 = 1_700_000_100_000
    const cases: Settlement[] = [
      settlement(erin, erinKey, { costNano: 3n * UNIT + 1n, reserved: true, createdAt: t0 }),
      settlement(erin, erinKey, { costNano: 5n * UNIT + 2n, createdAt: t0 + 1 }),
      settlement(erin, erinKey, {
        costNano: 7n * UNIT,
        coveredByPackage: true,
        reserved: true,
        createdAt: t0 + 2,
      }),
      settlement(erin, erinKey, { costNano: 0n, reserved: true, createdAt: t0 + 3 }),
      settlement(free, freeKey, { costNano: 2n * UNIT, reserved: true, createdAt: t0 + 4 }),
      settlement(erin, erinKey, { costNano: UNIT, reserved: true, createdAt: t0 + 5 }),
    ]
    for (const s of cases.filter((c) => c.reserved)) {
      const r = reservation(s.username, s.keyId!, 40n * UNIT)
      r.requestId = s.requestId
      if (s.coveredByPackage) r.userAmount = 0n
      expect((await reserveFunds(db(), r)).ok).toBe(true)
    }
    // The last one's reservation was released by the start-up sweep: its settlement gives nothing back again.
    await db()
      .transaction()
      .execute((trx) => releaseReservation(trx, cases[5].requestId))
    const writer = createSettlementWriter(db())
    for (const s of cases) await writer.settle(s)

    const charged = cases.filter((s) => s.username === erin && s.costNano !== 0n && !s.coveredByPackage)
    const chargedSum = charged.reduce((a, s) => a + s.costNano, 0n)
    expect(await userMoney(erin)).toEqual({
      balance: start - chargedSum,
      used: chargedSum,
      reserved: 0n,
      open: 0n,
    })
    const erinCases = cases.filter((s) => s.username === erin)
    expect(await keyMoney(erinKey)).toEqual({
      used: erinCases.reduce((a, s) => a + s.costNano, 0n),
      reserved: 0n,
      lastUsedAt: t0 + 5,
      open: 0n,
    })
    let running = start
    expect(await ledgerOf(erin)).toEqual(
      charged.map((s) => ({ requestId: s.requestId, amount: -s.costNano, after: (running -= s.costNano) })),
    )
    expect(await ledgerOf(free)).toEqual([{ requestId: cases[4].requestId, amount: -2n * UNIT, after: null }])
    expect(await userMoney(free)).toEqual({ balance: null, used: 2n * UNIT, reserved: 0n, open: 0n })
    expect(await keyMoney(freeKey)).toMatchObject({ used: 2n * UNIT, reserved: 0n, lastUsedAt: t0 + 4 })

    // Settling the first again fails on its usage row and changes nothing at all.
    const before = [await userMoney(erin), await keyMoney(erinKey), await ledgerOf(erin)]
    await expect(writer.settle({ ...cases[0] })).rejects.toThrow()
    expect([await userMoney(erin), await keyMoney(erinKey), await ledgerOf(erin)]).toEqual(before)
    const rows = await db()
      .selectFrom('usage_logs')
      .select(['request_id', 'cost_nano', 'covered_by_package', 'duration_ms', 'created_at'])
      .where('username', 'in', [erin, free])
      .execute()
    expect(rows).toHaveLength(cases.length)
    for (const s of cases) {
      const row = rows.find((r) => r.request_id === s.requestId)!
      expect(toBig(row.cost_nano)).toBe(s.costNano)
      expect(toNum(row.covered_by_package)).toBe(s.coveredByPackage ? 1 : 0)
      expect(toNum(row.duration_ms)).toBe(12)
      expect(toNum(row.created_at)).toBe(s.createdAt)
    }
  })
})
