import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDbKinds, type TestDatabase } from '../support/test-databases.ts'
import { moneyFixtures, reserveFunds, UNIT } from '../support/money-fixtures.ts'
import { createDb, type Db } from '../../src/infra/db/create-db.ts'
import { toBig, toNum } from '../../src/infra/db/convert-row-values.ts'
import { createSettlementWriter } from '../../src/billing/settle-usage.ts'
import type { Settlement } from '../../src/billing/settlement.ts'
import { releaseReservation } from '../../src/billing/reserve-funds.ts'

const kinds = await testDbKinds()

describe.each(kinds)('batched settlement and admission (%s)', (kind) => {
  let tdb: TestDatabase
  const db = () => tdb.db.db

  beforeAll(async () => {
    tdb = await createTestDatabase(kind)
  })
  afterAll(async () => tdb?.drop())

  const { addUser, addKey, userMoney, keyMoney, ledgerOf, settlement, reservation } = moneyFixtures(db)

  it('settles many requests of two users and keys in one batch: totals, releases and running ledger balances', async () => {
    const start = 10_000n * UNIT
    const alice = await addUser(start)
    const bob = await addUser(start)
    const aliceKey = await addKey(alice, 100_000n * UNIT)
    const bobKey = await addKey(bob)
    const t0 = 1_700_000_000_000
    const batch: Settlement[] = []
    for (let i = 0; i < 60; i++) {
      const mine = i % 3 !== 0
      const username = mine ? alice : bob
      const keyId = mine ? aliceKey : bobKey
      batch.push(
        settlement(username, keyId, {
          // Distinct costs, so a ledger row given another request's balance cannot pass.
          costNano: i % 10 === 7 ? 0n : BigInt(i + 1) * UNIT + BigInt(i),
          coveredByPackage: i % 11 === 5,
          reserved: i % 2 === 0,
          createdAt: t0 + i,
        }),
      )
    }
    // Reserve what each reserved request holds (more than it costs), as admission would.
    const holds = batch.filter((s) => s.reserved)
    const admitted = await Promise.all(
      holds.map((s) =>
        reserveFunds(db(), {
          requestId: s.requestId,
          username: s.username,
          keyId: s.keyId!,
          userAmount: s.coveredByPackage ? 0n : 100n * UNIT,
          keyAmount: 100n * UNIT,
          now: t0,
        }),
      ),
    )
    expect(admitted.every((r) => r.ok)).toBe(true)
    expect((await userMoney(alice)).reserved).toBeGreaterThan(0n)

    // One settled by the start-up sweep before its settlement arrives: it must release nothing again.
    const swept = holds[3]
    await db()
      .transaction()
      .execute((trx) => releaseReservation(trx, swept.requestId))

    const writer = createSettlementWriter(db())
    await Promise.all(batch.map((s) => writer.settle(s)))

    for (const [username, keyId] of [
      [alice, aliceKey],
      [bob, bobKey],
    ]) {
      const mine = batch.filter((s) => s.username === username)
      const charged = mine.filter((s) => s.costNano !== 0n && !s.coveredByPackage)
      const chargedSum = charged.reduce((a, s) => a + s.costNano, 0n)
      const m = await userMoney(username)
      expect(m.reserved).toBe(0n)
      expect(m.open).toBe(0n)
      expect(m.used).toBe(chargedSum)
      expect(m.balance).toBe(start - chargedSum)
      const k = await keyMoney(keyId)
      expect(k.reserved).toBe(0n)
      expect(k.used).toBe(mine.reduce((a, s) => a + s.costNano, 0n))
      expect(k.lastUsedAt).toBe(mine.at(-1)!.createdAt)

      // One ledger row per charge, in batch order, each holding the balance right after its own charge.
      const ledger = await ledgerOf(username)
      expect(ledger.map((l) => l.requestId)).toEqual(charged.map((s) => s.requestId))
      let running = start
      for (const [i, l] of ledger.entries()) {
        running -= charged[i].costNano
        expect(l.amount).toBe(-charged[i].costNano)
        expect(l.after).toBe(running)
      }
    }
    const logs = await db()
      .selectFrom('usage_logs')
      .select(['request_id', 'cost_nano', 'duration_ms', 'input_tokens'])
      .where('username', 'in', [alice, bob])
      .execute()
    expect(logs).toHaveLength(batch.length)
    const byId = new Map(logs.map((l) => [l.request_id, l]))
    for (const s of batch) {
      expect(toBig(byId.get(s.requestId)!.cost_nano)).toBe(s.costNano)
      expect(toNum(byId.get(s.requestId)!.duration_ms)).toBe(12)
      expect(toNum(byId.get(s.requestId)!.input_tokens)).toBe(3)
    }
  })

  it('writes a null balance_after for an unlimited user and leaves a settlement that costs nothing off the ledger', async () => {
    const carol = await addUser(null)
    const key = await addKey(carol)
    const writer = createSettlementWriter(db())
    const batch = [
      settlement(carol, key, { costNano: 5n * UNIT }),
      settlement(carol, key, { costNano: 0n }),
      settlement(carol, key, { costNano: 7n * UNIT }),
    ]
    await Promise.all(batch.map((s) => writer.settle(s)))
    const ledger = await ledgerOf(carol)
    expect(ledger).toHaveLength(2)
    expect(ledger.every((l) => l.after === null)).toBe(true)
    const m = await userMoney(carol)
    expect(m.balance).toBeNull()
    expect(m.used).toBe(12n * UNIT)
  })

  it('settles the rest of a batch exactly once when it holds duplicate request ids', async () => {
    const start = 1_000n * UNIT
    const dave = await addUser(start)
    const key = await addKey(dave)
    const writer = createSettlementWriter(db())
    const already = settlement(dave, key, { costNano: 11n * UNIT })
    await writer.settle(already)

    const reserved = settlement(dave, key, { costNano: 3n * UNIT, reserved: true })
    expect((await reserveFunds(db(), reservation(dave, key, 50n * UNIT))).ok).toBe(true)
    const r = reservation(dave, key, 20n * UNIT)
    r.requestId = reserved.requestId
    expect((await reserveFunds(db(), r)).ok).toBe(true)

    const others = [1n, 2n, 4n].map((c) => settlement(dave, key, { costNano: c * UNIT }))
    const batch = [others[0], { ...already }, reserved, others[1], { ...reserved }, others[2]]
    const results = await Promise.allSettled(batch.map((s) => writer.settle(s)))
    expect(results.map((x) => x.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ])

    const charged = [already, ...others, reserved].reduce((a, s) => a + s.costNano, 0n)
    const m = await userMoney(dave)
    expect(m.used).toBe(charged)
    expect(m.balance).toBe(start - charged)
    // The 50-unit reservation is still open; the duplicate gave nothing back a second time.
    expect(m.reserved).toBe(50n * UNIT)
    expect(m.open).toBe(50n * UNIT)
    const k = await keyMoney(key)
    expect(k.used).toBe(charged)
    expect(k.reserved).toBe(50n * UNIT)
    const ledger = await ledgerOf(dave)
    expect(ledger).toHaveLength(5)
    expect(new Set(ledger.map((l) => l.requestId)).size).toBe(5)
    expect(ledger.at(-1)!.after).toBe(m.balance)
    const logs = await db()
      .selectFrom('usage_logs')
      .select('request_id')
      .where('username', '=', dave)
      .execute()
    expect(logs).toHaveLength(5)
  })

  it('decides a reservation that is alone in its tick the same way (one statement on PostgreSQL)', async () => {
    const ivan = await addUser(3n * UNIT)
    const key = await addKey(ivan, 2n * UNIT)
    // Awaited one by one, so each is a batch of one.
    for (const expected of [{ ok: true }, { ok: true }, { ok: false, reason: 'key_cap' }])
      expect(await reserveFunds(db(), reservation(ivan, key, UNIT))).toEqual(expected)
    expect(await userMoney(ivan)).toMatchObject({ reserved: 2n * UNIT, open: 2n * UNIT })
    const other = await addKey(ivan)
    expect(await reserveFunds(db(), reservation(ivan, other, 2n * UNIT))).toEqual({
      ok: false,
      reason: 'balance',
    })
    expect(await reserveFunds(db(), reservation(ivan, other, UNIT))).toEqual({ ok: true })
    expect(await userMoney(ivan)).toMatchObject({ reserved: 3n * UNIT, open: 3n * UNIT })
    expect(await keyMoney(key)).toMatchObject({ reserved: 2n * UNIT, open: 2n * UNIT })
    // No user to charge (a key whose holds count only against its own cap).
    expect(await reserveFunds(db(), reservation(null, other, UNIT))).toEqual({ ok: true })
    expect((await keyMoney(other)).reserved).toBe(2n * UNIT)
    // A repeated request id fails alone and holds nothing.
    const r = reservation(ivan, other, 0n)
    expect(await reserveFunds(db(), r)).toEqual({ ok: true })
    await expect(reserveFunds(db(), r)).rejects.toThrow()
    expect((await userMoney(ivan)).reserved).toBe(3n * UNIT)
  })

  it('admits a batch that fits whole with holds summed per user and key (one statement on PostgreSQL)', async () => {
    const judy = await addUser(30n * UNIT)
    const karl = await addUser(null)
    const judyKey = await addKey(judy, 12n * UNIT)
    const judyOpenKey = await addKey(judy)
    const karlKey = await addKey(karl, 9n * UNIT)
    const keyless = await addKey(karl)
    const requests = [
      reservation(judy, judyKey, 4n * UNIT),
      reservation(karl, karlKey, 3n * UNIT),
      // A package covers it: nothing held against the user, the key's cap still counts.
      { ...reservation(judy, judyOpenKey, 0n), keyAmount: 7n * UNIT },
      reservation(judy, judyKey, 8n * UNIT),
      reservation(null, keyless, 5n * UNIT),
      reservation(karl, karlKey, 6n * UNIT),
      reservation(judy, judyOpenKey, 11n * UNIT + 1n),
    ]
    // Counts the statements the batch sends (a plugin sees every query built by Kysely, raw SQL included).
    const statements: string[] = []
    const counted = db().withPlugin({
      transformQuery: ({ node }) => {
        statements.push(node.kind)
        return node
      },
      transformResult: async ({ result }) => result,
    })
    const results = await Promise.all(requests.map((r) => reserveFunds(counted, r)))
    expect(results.every((r) => r.ok)).toBe(true)
    if (kind === 'postgres') expect(statements).toEqual(['RawNode'])
    expect(await userMoney(judy)).toMatchObject({ reserved: 23n * UNIT + 1n, open: 23n * UNIT + 1n })
    expect(await userMoney(karl)).toMatchObject({ reserved: 9n * UNIT, open: 9n * UNIT })
    expect(await keyMoney(judyKey)).toMatchObject({ reserved: 12n * UNIT, open: 12n * UNIT })
    expect(await keyMoney(judyOpenKey)).toMatchObject({ reserved: 18n * UNIT + 1n, open: 18n * UNIT + 1n })
    expect(await keyMoney(karlKey)).toMatchObject({ reserved: 9n * UNIT, open: 9n * UNIT })
    expect(await keyMoney(keyless)).toMatchObject({ reserved: 5n * UNIT, open: 5n * UNIT })
    const rows = await db()
      .selectFrom('reservations')
      .select(['request_id', 'username', 'user_amount_nano', 'token_amount_nano'])
      .where(
        'request_id',
        'in',
        requests.map((r) => r.requestId),
      )
      .execute()
    expect(rows).toHaveLength(requests.length)
    const third = rows.find((r) => r.request_id === requests[2].requestId)!
    expect([toBig(third.user_amount_nano), toBig(third.token_amount_nano)]).toEqual([0n, 7n * UNIT])
    expect(rows.find((r) => r.request_id === requests[4].requestId)!.username).toBeNull()
    // Her capped key is full: a batch with one more unit on it no longer fits whole, rolls back and is decided
    // one by one, where only that request is refused and its user hold is given back.
    statements.length = 0
    const next = await Promise.all([
      reserveFunds(counted, reservation(judy, judyOpenKey, 1n)),
      reserveFunds(counted, reservation(judy, judyKey, 1n)),
    ])
    expect(next).toEqual([{ ok: true }, { ok: false, reason: 'key_cap' }])
    if (kind === 'postgres') expect(statements.length).toBeGreaterThan(2)
    expect(await userMoney(judy)).toMatchObject({ reserved: 23n * UNIT + 2n, open: 23n * UNIT + 2n })
    expect((await keyMoney(judyKey)).reserved).toBe(12n * UNIT)
  })

  it('admits exactly the reservations the balance covers, in arrival order, when it runs out mid-batch', async () => {
    const erin = await addUser(10n * UNIT)
    const key = await addKey(erin)
    // 3 + 3 + 3 fit, the fourth 3 does not, the following 1 still does, the last 1 no longer.
    const amounts = [3n, 3n, 3n, 3n, 1n, 1n].map((a) => a * UNIT)
    const results = await Promise.all(amounts.map((a) => reserveFunds(db(), reservation(erin, key, a))))
    expect(results).toEqual([
      { ok: true },
      { ok: true },
      { ok: true },
      { ok: false, reason: 'balance' },
      { ok: true },
      { ok: false, reason: 'balance' },
    ])
    const m = await userMoney(erin)
    expect(m.reserved).toBe(10n * UNIT)
    expect(m.open).toBe(m.reserved)
    const k = await keyMoney(key)
    expect(k.reserved).toBe(10n * UNIT)
    expect(k.open).toBe(k.reserved)
  })

  it("gives the user's hold back when the key's cap refuses later in the same batch", async () => {
    const frank = await addUser(100n * UNIT)
    const key = await addKey(frank, 5n * UNIT)
    const results = await Promise.all(
      Array.from({ length: 12 }, () => reserveFunds(db(), reservation(frank, key, UNIT))),
    )
    expect(results.filter((r) => r.ok)).toHaveLength(5)
    expect(results.slice(5).every((r) => !r.ok && r.reason === 'key_cap')).toBe(true)
    const m = await userMoney(frank)
    expect(m.reserved).toBe(5n * UNIT)
    expect(m.open).toBe(m.reserved)
    const k = await keyMoney(key)
    expect(k.reserved).toBe(5n * UNIT)
    expect(k.open).toBe(k.reserved)
  })

  it('admits exactly the affordable reservations from two connections at once', async () => {
    const grace = await addUser(10n * UNIT)
    const key = await addKey(grace)
    const other: Db = createDb(
      kind === 'postgres'
        ? { kind, postgresUrl: tdb.url, poolSize: 5 }
        : { kind, sqlitePath: tdb.url.slice('sqlite:'.length) },
    )
    try {
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          reserveFunds(i % 2 ? other.db : db(), reservation(grace, key, UNIT)),
        ),
      )
      expect(results.filter((r) => r.ok)).toHaveLength(10)
      expect(results.filter((r) => !r.ok && r.reason === 'balance')).toHaveLength(30)
      const m = await userMoney(grace)
      expect(m.reserved).toBe(10n * UNIT)
      expect(m.open).toBe(m.reserved)
      const k = await keyMoney(key)
      expect(k.reserved).toBe(10n * UNIT)
      expect(k.open).toBe(k.reserved)
    } finally {
      await other.close()
    }
  })

  it('fails only the duplicate when a batch of reservations repeats a request id', async () => {
    const heidi = await addUser(100n * UNIT)
    const key = await addKey(heidi, 50n * UNIT)
    const requests = Array.from({ length: 6 }, () => reservation(heidi, key, 2n * UNIT))
    const batch = [...requests.slice(0, 4), { ...requests[1] }, ...requests.slice(4)]
    const results = await Promise.allSettled(batch.map((r) => reserveFunds(db(), r)))
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ])
    for (const r of results) if (r.status === 'fulfilled') expect(r.value).toEqual({ ok: true })
    const m = await userMoney(heidi)
    expect(m.reserved).toBe(12n * UNIT)
    expect(m.open).toBe(m.reserved)
    const k = await keyMoney(key)
    expect(k.reserved).toBe(12n * UNIT)
    expect(k.open).toBe(k.reserved)
  })
})
