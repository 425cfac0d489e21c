import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../test/support/test-databases.ts'
import type { DbKind } from '../infra/db/create-db.ts'
import type { HoldsKept } from '../infra/db/claim-sqlite-holds.ts'
import { moneyFixtures, UNIT } from '../../test/support/money-fixtures.ts'
import { createMemoryRateLimiter } from '../infra/rate-limit/create-memory-rate-limiter.ts'
import { createPriceIndex } from '../domain/pricing/find-model-prices.ts'
import { createEmptyUsage } from '../protocol/usage/usage.ts'
import { createBilling, type Billing } from './create-billing.ts'
import type { AdmissionFacts, KeyFacts } from './admit-funds.ts'
import type { SettlementFacts } from './settle-request.ts'

const kinds = await testDbKinds()

/** 1 UNIT per thousand tokens in and out: a million tokens cost 1000 UNIT. */
const PRICE = 1000n * UNIT
const index = createPriceIndex(
  [
    { model_name: 'm', unit: 'input_token', price_nano: PRICE, above_input_tokens: 0 },
    { model_name: 'm', unit: 'output_token', price_nano: PRICE, above_input_tokens: 0 },
  ],
  [],
)

/** Every database with its holds in rows, and SQLite with them in memory (the one process reserving on its file). */
const modes: [DbKind, HoldsKept][] = [
  ...kinds.map((k): [DbKind, HoldsKept] => [k, 'database']),
  ['sqlite', 'memory'],
]

describe.each(modes)('billing on plain facts (%s, holds in the %s)', (kind, holdsKept) => {
  let tdb: TestDatabase
  let billing: Billing
  const db = () => tdb.db.db
  const { addUser, addKey, userMoney, keyMoney, ledgerOf } = moneyFixtures(db)
  let n = 0
  /** What is held against a user: in reservation rows (and reserved_nano), and in this process's memory. */
  const heldBy = async (username: string) => {
    const m = await userMoney(username)
    return { reserved: m.reserved, open: m.open, memory: billing.memoryHolds?.heldByUser(username) ?? 0n }
  }
  const held = (amount: bigint) =>
    holdsKept === 'memory'
      ? { reserved: 0n, open: 0n, memory: amount }
      : { reserved: amount, open: amount, memory: 0n }

  beforeAll(async () => {
    tdb = await createTestDatabase(kind)
    billing = createBilling({
      db: db(),
      clock: { now: () => Date.now() },
      limiter: createMemoryRateLimiter(),
      prices: { get: async () => index },
      logger: { warn: () => {}, error: () => {}, info: () => {} },
      holdsKept,
    })
  })
  afterAll(async () => {
    billing?.settlements.stop()
    await tdb?.drop()
  })

  const key = (keyId: string, username: string | null, over: Partial<KeyFacts> = {}): KeyFacts => ({
    keyId,
    username,
    groupId: null,
    quotaNano: null,
    userUnlimited: false,
    rpm: null,
    tpm: null,
    maxConcurrency: null,
    ...over,
  })
  const facts = (k: KeyFacts, over: Partial<AdmissionFacts> = {}): AdmissionFacts => ({
    requestId: `bill-${++n}`,
    key: k,
    groupId: null,
    multiplier: 1,
    groupRules: [],
    prices: index.lookup('m', null),
    // 1000 prompt tokens and 1000 output tokens at most: an estimate of 2 UNIT.
    maxTokens: 1000,
    n: 1,
    promptBytes: 4000,
    reserveOutputTokens: 4096,
    now: Date.now(),
    ...over,
  })
  const settled = (a: AdmissionFacts, admission: SettlementFacts['admission']): SettlementFacts => ({
    requestId: a.requestId,
    keyId: a.key.keyId,
    username: a.key.username,
    channelId: null,
    groupId: null,
    multiplier: 1,
    upstreamModel: 'm',
    protocol: 'openai',
    endpoint: 'chat',
    free: false,
    model: 'm',
    usage: { ...createEmptyUsage(), inputTokens: 1000, outputTokens: 500 },
    usageSource: 'reported',
    status: 200,
    errorCode: null,
    isStream: false,
    durationMs: 12.4,
    ttftMs: null,
    createdAt: a.now,
    admission,
  })

  it('holds the estimate at admission and charges the real cost at settlement, releasing the hold', async () => {
    const user = await addUser(10n * UNIT)
    const keyId = await addKey(user, 50n * UNIT)
    const a = facts(key(keyId, user, { quotaNano: 50n * UNIT }))
    const r = await billing.admit(a)
    if (!r.ok) throw new Error(`refused: ${r.refusal.kind}`)
    expect(r.admission).toMatchObject({ reserved: true, covered: false, estimateNano: 2n * UNIT })
    expect(await heldBy(user)).toEqual(held(2n * UNIT))

    const s = await billing.settle(settled(a, r.admission))
    expect(s).toMatchObject({
      requestId: a.requestId,
      costNano: 1_500_000n,
      reserved: true,
      durationMs: 12.4,
    })
    expect(await userMoney(user)).toMatchObject({ balance: 10n * UNIT - 1_500_000n, reserved: 0n, open: 0n })
    expect(await keyMoney(keyId)).toMatchObject({ used: 1_500_000n, reserved: 0n, open: 0n })
    expect(await heldBy(user)).toEqual(held(0n))
    expect(billing.memoryHolds?.heldByKey(keyId) ?? 0n).toBe(0n)
    expect(await ledgerOf(user)).toEqual([
      { requestId: a.requestId, amount: -1_500_000n, after: 10n * UNIT - 1_500_000n },
    ])
  })

  it('refuses what the balance cannot cover, holding nothing', async () => {
    const user = await addUser(UNIT)
    const keyId = await addKey(user)
    const r = await billing.admit(facts(key(keyId, user)))
    expect(r).toEqual({
      ok: false,
      refusal: { kind: 'insufficient_quota', reason: 'balance' },
      rateLimit: null,
    })
    expect(await userMoney(user)).toMatchObject({ balance: UNIT, reserved: 0n, open: 0n })
    expect(await heldBy(user)).toEqual(held(0n))
  })

  it('charges nothing on a free endpoint or without usage, and still releases the hold', async () => {
    const user = await addUser(10n * UNIT)
    const keyId = await addKey(user)
    for (const over of [{ free: true }, { usageSource: 'none' as const, usage: createEmptyUsage() }]) {
      const a = facts(key(keyId, user))
      const r = await billing.admit(a)
      if (!r.ok) throw new Error(`refused: ${r.refusal.kind}`)
      const s = await billing.settle({ ...settled(a, r.admission), ...over })
      expect(s.costNano).toBe(0n)
    }
    expect(await userMoney(user)).toMatchObject({ balance: 10n * UNIT, reserved: 0n, open: 0n })
    expect(await heldBy(user)).toEqual(held(0n))
    expect(await ledgerOf(user)).toEqual([])
  })

  it('admits a burst released together only as far as the balance covers, and conserves the money', async () => {
    // Each request holds 2 UNIT and costs 1.5 UNIT: 11 UNIT covers five holds at once, not six.
    const user = await addUser(11n * UNIT)
    const keyId = await addKey(user)
    const burst = Array.from({ length: 30 }, () => facts(key(keyId, user)))
    const results = await Promise.all(burst.map((a) => billing.admit(a)))
    const admitted = results.flatMap((r, i) => (r.ok ? [{ a: burst[i], admission: r.admission }] : []))
    expect(admitted).toHaveLength(5)
    expect(results.filter((r) => !r.ok && r.refusal.kind === 'insufficient_quota')).toHaveLength(25)
    expect(await heldBy(user)).toEqual(held(10n * UNIT))
    await Promise.all(admitted.map(({ a, admission }) => billing.settle(settled(a, admission))))
    const m = await userMoney(user)
    expect(m).toMatchObject({ balance: 11n * UNIT - 5n * 1_500_000n, used: 5n * 1_500_000n })
    expect(await heldBy(user)).toEqual(held(0n))
    const ledger = await ledgerOf(user)
    expect(ledger).toHaveLength(5)
    expect(ledger.reduce((sum, e) => sum + e.amount, 0n)).toBe(-5n * 1_500_000n)
    // What was freed is available again at once.
    const next = facts(key(keyId, user))
    const again = await billing.admit(next)
    if (!again.ok) throw new Error(`refused: ${again.refusal.kind}`)
    await billing.settle(settled(next, again.admission))
    expect(await heldBy(user)).toEqual(held(0n))
  })
})
