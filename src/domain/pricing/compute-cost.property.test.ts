import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { BillableUsage } from './billable-usage.ts'
import { computeCost } from './compute-cost.ts'
import { createPriceIndex } from './find-model-prices.ts'
import type { ModelPrices, PriceRow, PriceUnit } from './price-table.ts'
import { billableUsage } from '../../../test/support/pricing-fixtures.ts'

/** Aligned with FIELDS: TOKEN_UNITS[i] prices FIELDS[i]. */
const TOKEN_UNITS: PriceUnit[] = [
  'input_token',
  'cache_read_token',
  'cache_write_token',
  'cache_write_1h_token',
  'output_token',
]
const FIELDS = [
  'inputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'cacheWrite1hTokens',
  'outputTokens',
] as const

/** Up to $1 000 per 1M tokens, in nano-USD. */
const priceArb = fc.bigInt({ min: 0n, max: 1_000_000_000_000n })
/** Multipliers with up to 6 decimals, 0 … 10. */
const multiplierArb = fc.integer({ min: 0, max: 10_000_000 }).map((micros) => micros / 1_000_000)
const countArb = fc.integer({ min: 0, max: 1_000_000_000 })

/**
 * A random price set: some units priced (others fall back or are free), optionally a long-context tier whose
 * prices are at least the base prices, as every provider's are.
 */
const pricesArb = fc
  .record({
    base: fc.array(fc.option(priceArb, { nil: undefined }), { minLength: 5, maxLength: 5 }),
    surcharge: fc.option(fc.array(priceArb, { minLength: 5, maxLength: 5 }), { nil: undefined }),
    threshold: fc.integer({ min: 1, max: 2_000_000 }),
  })
  .map(({ base, surcharge, threshold }): ModelPrices => {
    const rows: PriceRow[] = []
    TOKEN_UNITS.forEach((unit, i) => {
      const price = base[i]
      if (price === undefined) return
      rows.push({ model_name: 'm', unit, price_nano: price, above_input_tokens: 0 })
      if (surcharge)
        rows.push({ model_name: 'm', unit, price_nano: price + surcharge[i], above_input_tokens: threshold })
    })
    // A unit whose price is missing falls back to the input price: keep the tier monotonic by pricing input.
    if (base[0] === undefined)
      rows.push({ model_name: 'm', unit: 'input_token', price_nano: 0n, above_input_tokens: 0 })
    return createPriceIndex(rows, []).lookup('m', null) ?? failNoPrices()
  })

function failNoPrices(): never {
  throw new Error('the generated rows must price model m')
}

const usageArb = fc
  .tuple(countArb, countArb, countArb, countArb, countArb)
  .map(([inputTokens, cacheReadTokens, cacheWriteTokens, cacheWrite1hTokens, outputTokens]): BillableUsage =>
    billableUsage({ inputTokens, cacheReadTokens, cacheWriteTokens, cacheWrite1hTokens, outputTokens }),
  )

describe('computeCost properties', () => {
  it('is monotonic in every token count', () => {
    fc.assert(
      fc.property(
        pricesArb,
        usageArb,
        multiplierArb,
        fc.constantFrom(...FIELDS),
        fc.integer({ min: 1, max: 1_000_000_000 }),
        (prices, usage, multiplier, field, extra) => {
          const before = computeCost(prices, usage, multiplier).costNano
          const after = computeCost(prices, { ...usage, [field]: usage[field] + extra }, multiplier).costNano
          expect(after >= before).toBe(true)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('is monotonic in the multiplier', () => {
    fc.assert(
      fc.property(pricesArb, usageArb, multiplierArb, multiplierArb, (prices, usage, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a]
        expect(computeCost(prices, usage, high).costNano >= computeCost(prices, usage, low).costNano).toBe(
          true,
        )
      }),
    )
  })

  it('is exact for whole millions of tokens, up to 1e12 tokens (no float drift)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        priceArb,
        fc.integer({ min: 0, max: 1_000 }),
        fc.constantFrom(...FIELDS),
        (millions, price, multiplier, field) => {
          const unit = TOKEN_UNITS[FIELDS.indexOf(field)]
          const prices = createPriceIndex(
            [{ model_name: 'm', unit, price_nano: price, above_input_tokens: 0 }],
            [],
          ).lookup('m', null)
          const usage = billableUsage({ [field]: millions * 1_000_000 })
          // millions × 1e6 tokens × price / 1e6 × multiplier, exactly
          expect(computeCost(prices, usage, multiplier).costNano).toBe(
            BigInt(millions) * price * BigInt(multiplier),
          )
        },
      ),
    )
  })

  it('prices 1e12 tokens of every kind exactly', () => {
    const units: [PriceUnit, bigint][] = [
      ['input_token', 1_250_000_000n],
      ['cache_read_token', 125_000_000n],
      ['cache_write_token', 3_750_000_000n],
      ['cache_write_1h_token', 6_000_000_000n],
      ['output_token', 75_000_000n],
    ]
    const prices = createPriceIndex(
      units.map(([unit, price_nano]) => ({ model_name: 'm', unit, price_nano, above_input_tokens: 0 })),
      [],
    ).lookup('m', null)
    const t = 1_000_000_000_000
    const usage = billableUsage({
      inputTokens: t,
      cacheReadTokens: t,
      cacheWriteTokens: t,
      cacheWrite1hTokens: t,
      outputTokens: t,
    })
    // 1e12 / 1e6 = 1e6 × (1_250_000_000 + 125_000_000 + 3_750_000_000 + 6_000_000_000 + 75_000_000)
    //            = 1e6 × 11_200_000_000 = 11_200_000_000_000_000 nano ($11.2 million); × 0.3 = 3_360_000_000_000_000
    expect(computeCost(prices, usage, 1).costNano).toBe(11_200_000_000_000_000n)
    expect(computeCost(prices, usage, 0.3).costNano).toBe(3_360_000_000_000_000n)
  })

  it('is the exact rational cost rounded half up', () => {
    fc.assert(
      fc.property(priceArb, countArb, multiplierArb, (price, tokens, multiplier) => {
        const prices = createPriceIndex(
          [{ model_name: 'm', unit: 'input_token', price_nano: price, above_input_tokens: 0 }],
          [],
        ).lookup('m', null)
        const cost = computeCost(prices, billableUsage({ inputTokens: tokens }), multiplier).costNano
        // exact = tokens × price × micros / 1e12; cost − ½ ≤ exact < cost + ½  ⇔  2·cost·D − D ≤ 2·N < 2·cost·D + D
        const numerator = BigInt(tokens) * price * BigInt(Math.round(multiplier * 1e6))
        const denominator = 1_000_000_000_000n
        expect(2n * cost * denominator - denominator <= 2n * numerator).toBe(true)
        expect(2n * numerator < 2n * cost * denominator + denominator).toBe(true)
      }),
    )
  })
})
