import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDbKinds, type TestDatabase } from '../support/test-databases.ts'
import { moneyFixtures, UNIT } from '../support/money-fixtures.ts'
import { createReservationWriter, type ReservationResult } from '../../src/billing/reserve-funds.ts'

const kinds = await testDbKinds()

/** A small deterministic random source, so a failing trial can be run again. */
function randomSource(seed: number): (n: number) => number {
  let s = seed >>> 0
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s % n
  }
}

describe.each(kinds)('a batch of reservations decides as one by one would (%s)', (kind) => {
  let tdb: TestDatabase
  const db = () => tdb.db.db

  beforeAll(async () => {
    tdb = await createTestDatabase(kind)
  })
  afterAll(async () => tdb?.drop())

  const { addUser, addKey, userMoney, keyMoney, reservation } = moneyFixtures(db)

  /** Two users (one unlimited), three keys (capped, uncapped, ownerless and capped) with the given limits. */
  async function accounts(balance: bigint, cap: bigint) {
    const limited = await addUser(balance)
    const unlimited = await addUser(null)
    return {
      users: [limited, unlimited],
      keys: [
        { id: await addKey(limited, cap), owner: limited },
        { id: await addKey(unlimited, cap / 2n), owner: unlimited },
        { id: await addKey(limited), owner: limited },
      ],
    }
  }

  it('admits and refuses the same requests, holding the same sums, whether batched or sent alone', async () => {
    const next = randomSource(20)
    // One writer for the batches (all of a tick in one transaction), one whose requests are awaited one at a time.
    const batched = createReservationWriter(db())
    const alone = createReservationWriter(db())
    let whole = 0
    let partly = 0
    for (let trial = 0; trial < 12; trial++) {
      const balance = BigInt(5 + next(30)) * UNIT
      const cap = BigInt(5 + next(30)) * UNIT
      const a = await accounts(balance, cap)
      const b = await accounts(balance, cap)
      // Half the trials fit whole (all at once on both databases), the rest run out somewhere in the batch.
      const size = 2 + next(10)
      const plan = Array.from({ length: size }, () => {
        const k = next(3)
        const covered = next(5) === 0
        const ownerless = next(7) === 0
        const amount = BigInt(trial % 2 === 0 ? next(2) : 1 + next(8)) * UNIT + BigInt(next(1000))
        return { k, covered, ownerless, amount }
      })
      const request = (set: typeof a, p: (typeof plan)[number]) => {
        const key = set.keys[p.k]
        return {
          ...reservation(p.ownerless ? null : key.owner, key.id, p.amount),
          userAmount: p.covered ? 0n : p.amount,
        }
      }
      const together = await Promise.all(plan.map((p) => batched.reserve(request(a, p))))
      const oneByOne: ReservationResult[] = []
      for (const p of plan) oneByOne.push(await alone.reserve(request(b, p)))
      expect(together, `trial ${trial}`).toEqual(oneByOne)
      if (together.every((r) => r.ok)) whole++
      else if (together.some((r) => r.ok)) partly++
      for (let i = 0; i < 2; i++) {
        const [ma, mb] = [await userMoney(a.users[i]), await userMoney(b.users[i])]
        expect(ma.reserved, `trial ${trial} user ${i}`).toBe(mb.reserved)
        expect(ma.open).toBe(ma.reserved)
      }
      for (let i = 0; i < 3; i++) {
        const [ka, kb] = [await keyMoney(a.keys[i].id), await keyMoney(b.keys[i].id)]
        expect(ka.reserved, `trial ${trial} key ${i}`).toBe(kb.reserved)
        expect(ka.open).toBe(ka.reserved)
      }
    }
    // Both ways through a batch were taken: held whole at once, and decided one by one after it did not fit.
    expect(whole).toBeGreaterThan(0)
    expect(partly).toBeGreaterThan(0)
  })
})
