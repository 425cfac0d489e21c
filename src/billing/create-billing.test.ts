import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../test/support/test-databases.ts'
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

describe.each(kinds)('billing on plain facts (%s)', (kind) => {
  let tdb: TestDatabase
  let billing: Billing
  const db = () => tdb.db.db
  const { addUser, addKey, userMoney, keyMoney, ledgerOf } = moneyFixtures(db)
  let n = 0

  beforeAll(async () => {
    tdb = await createTestDatabase(kind)
    billing = createBilling({
      db: db(),
      clock: { now: () => Date.now() },
      limiter: createMemoryRateLimiter(),
      prices: { get: async () => index },
      logger: { warn: () => {}, error: () => {}, info: () => {} },
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
    expect(await userMoney(user)).toMatchObject({ reserved: 2n * UNIT, open: 2n * UNIT })

    const s = await billing.settle(settled(a, r.admission))
    expect(s).toMatchObject({
      requestId: a.requestId,
      costNano: 1_500_000n,
      reserved: true,
      durationMs: 12.4,
    })
    expect(await userMoney(user)).toMatchObject({ balance: 10n * UNIT - 1_500_000n, reserved: 0n, open: 0n })
    expect(await keyMoney(keyId)).toMatchObject({ used: 1_500_000n, reserved: 0n, open: 0n })
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
    expect(await ledgerOf(user)).toEqual([])
  })
})
