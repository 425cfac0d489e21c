import { describe, expect, it } from 'vitest'
import type { BillableUsage } from './billable-usage.ts'
import { computeCost } from './compute-cost.ts'
import { createPriceIndex } from './find-model-prices.ts'
import {
  billableUsage as usage,
  priceRow as row,
  SAMPLE_PRICE_ROWS,
} from '../../../test/support/pricing-fixtures.ts'

const priceIndex = createPriceIndex(SAMPLE_PRICE_ROWS, [])

interface CostCase {
  name: string
  model: string
  usage: Partial<BillableUsage>
  multiplier?: number
  webSearchCalls?: number
  expected: bigint
  mode: 'tokens' | 'request' | 'unpriced'
}

const cases: CostCase[] = [
  {
    name: 'OpenAI chat: prompt 12 000 (8 000 cached), completion 1 500 (1 000 reasoning), normalised',
    model: 'o4-mini',
    usage: { inputTokens: 4_000, cacheReadTokens: 8_000, outputTokens: 1_500, reasoningTokens: 1_000 },
    // 4_000 × 1_100_000_000 = 4_400_000_000_000
    // 8_000 ×   275_000_000 = 2_200_000_000_000
    // 1_500 × 4_400_000_000 = 6_600_000_000_000   (reasoning is inside the 1 500, not billed again)
    // sum 13_200_000_000_000 / 1e6 = 13_200_000 nano ($0.0132)
    expected: 13_200_000n,
    mode: 'tokens',
  },
  {
    name: 'Anthropic: input 1 200, cache read 50 000, 5m write 10 000, 1h write 20 000, output 800',
    model: 'claude-sonnet-4-5-20250929',
    usage: {
      inputTokens: 1_200,
      cacheReadTokens: 50_000,
      cacheWriteTokens: 10_000,
      cacheWrite1hTokens: 20_000,
      outputTokens: 800,
    },
    //  1_200 ×  3_000_000_000 =   3_600_000_000_000
    // 50_000 ×    300_000_000 =  15_000_000_000_000
    // 10_000 ×  3_750_000_000 =  37_500_000_000_000
    // 20_000 ×  6_000_000_000 = 120_000_000_000_000
    //    800 × 15_000_000_000 =  12_000_000_000_000
    // sum 188_100_000_000_000 / 1e6 = 188_100_000 nano ($0.1881); prompt 81 200 ≤ 200k → base tier
    expected: 188_100_000n,
    mode: 'tokens',
  },
  {
    name: 'Anthropic with 2 web searches on top of tokens',
    model: 'claude-sonnet-4-5',
    usage: {
      inputTokens: 1_200,
      cacheReadTokens: 50_000,
      cacheWriteTokens: 10_000,
      cacheWrite1hTokens: 20_000,
      outputTokens: 800,
    },
    webSearchCalls: 2,
    // 188_100_000 (above) + 2 × 10_000_000 = 208_100_000 nano
    expected: 208_100_000n,
    mode: 'tokens',
  },
  {
    name: 'Anthropic long context: prompt 150 000 + 40 000 read + 20 000 write = 210 000 > 200 000',
    model: 'claude-sonnet-4-5',
    usage: { inputTokens: 150_000, cacheReadTokens: 40_000, cacheWriteTokens: 20_000, outputTokens: 2_000 },
    // 150_000 ×  6_000_000_000 = 900_000_000_000_000
    //  40_000 ×    600_000_000 =  24_000_000_000_000
    //  20_000 ×  7_500_000_000 = 150_000_000_000_000
    //   2_000 × 22_500_000_000 =  45_000_000_000_000  (output too is billed at the long-context rate)
    // sum 1_119_000_000_000_000 / 1e6 = 1_119_000_000 nano ($1.119)
    expected: 1_119_000_000n,
    mode: 'tokens',
  },
  {
    name: 'Gemini: prompt 10 000 (6 000 cached), candidates 500 + thoughts 2 000, normalised',
    model: 'gemini-2.5-flash',
    usage: { inputTokens: 4_000, cacheReadTokens: 6_000, outputTokens: 2_500, reasoningTokens: 2_000 },
    // 4_000 ×   300_000_000 = 1_200_000_000_000
    // 6_000 ×    30_000_000 =   180_000_000_000
    // 2_500 × 2_500_000_000 = 6_250_000_000_000
    // sum 7_630_000_000_000 / 1e6 = 7_630_000 nano
    expected: 7_630_000n,
    mode: 'tokens',
  },
  {
    name: 'Gemini long context: prompt 210 000 (60 000 cached), output 1 000 + thoughts 3 000',
    model: 'gemini-2.5-pro',
    usage: { inputTokens: 150_000, cacheReadTokens: 60_000, outputTokens: 4_000, reasoningTokens: 3_000 },
    // 150_000 ×  2_500_000_000 = 375_000_000_000_000
    //  60_000 ×    250_000_000 =  15_000_000_000_000
    //   4_000 × 15_000_000_000 =  60_000_000_000_000
    // sum 450_000_000_000_000 / 1e6 = 450_000_000 nano
    expected: 450_000_000n,
    mode: 'tokens',
  },
  {
    name: 'Gemini at exactly 200 000 prompt tokens stays on the base tier ("above" is strict)',
    model: 'gemini-2.5-pro',
    usage: { inputTokens: 200_000, outputTokens: 1_000 },
    // 200_000 ×  1_250_000_000 = 250_000_000_000_000
    //   1_000 × 10_000_000_000 =  10_000_000_000_000
    // sum 260_000_000_000_000 / 1e6 = 260_000_000 nano
    expected: 260_000_000n,
    mode: 'tokens',
  },
  {
    name: 'Gemini at 200 001 prompt tokens is on the long-context tier',
    model: 'gemini-2.5-pro',
    usage: { inputTokens: 200_001, outputTokens: 1_000 },
    // 200_001 ×  2_500_000_000 = 500_002_500_000_000
    //   1_000 × 15_000_000_000 =  15_000_000_000_000
    // sum 515_002_500_000_000 / 1e6 = 515_002_500 nano
    expected: 515_002_500n,
    mode: 'tokens',
  },
  {
    name: 'per-request price: tokens ignored',
    model: 'image-gen-1',
    usage: { inputTokens: 1_000 },
    // 40_000_000 × 1 = 40_000_000 nano ($0.04)
    expected: 40_000_000n,
    mode: 'request',
  },
  {
    name: 'per-request price × multiplier 1.5',
    model: 'image-gen-1',
    usage: { inputTokens: 1_000 },
    multiplier: 1.5,
    // 40_000_000 × 1.5 = 60_000_000 nano
    expected: 60_000_000n,
    mode: 'request',
  },
  {
    name: 'per-request price + 3 web search calls, multiplier 0.3',
    model: 'search-agent-1',
    usage: { inputTokens: 500, outputTokens: 200 },
    webSearchCalls: 3,
    multiplier: 0.3,
    // (5_000_000 + 3 × 10_000_000) × 0.3 = 35_000_000 × 0.3 = 10_500_000 nano
    expected: 10_500_000n,
    mode: 'request',
  },
  {
    name: 'multiplier 1.5',
    model: 'gpt-4o-mini',
    usage: { inputTokens: 1_234, outputTokens: 567 },
    multiplier: 1.5,
    // 1_234 × 150_000_000 = 185_100_000_000
    //   567 × 600_000_000 = 340_200_000_000
    // sum 525_300_000_000 / 1e6 = 525_300; × 1.5 = 787_950 nano
    expected: 787_950n,
    mode: 'tokens',
  },
  {
    name: 'multiplier 0.3 (0.3 is not exact in binary floating point; applied as 300_000 / 1e6)',
    model: 'gpt-4o-mini',
    usage: { inputTokens: 1_234, outputTokens: 567 },
    multiplier: 0.3,
    // 525_300 × 0.3 = 157_590 nano
    expected: 157_590n,
    mode: 'tokens',
  },
  {
    name: 'a missing cache price falls back to the input price',
    model: 'gpt-4o-mini',
    usage: { inputTokens: 1_000, cacheReadTokens: 3_000, outputTokens: 100 },
    // 1_000 × 150_000_000 = 150_000_000_000
    // 3_000 × 150_000_000 = 450_000_000_000   (cache read at the input price)
    //   100 × 600_000_000 =  60_000_000_000
    // sum 660_000_000_000 / 1e6 = 660_000 nano
    expected: 660_000n,
    mode: 'tokens',
  },
  {
    name: 'Anthropic fallbacks: read → input, 1h write → 5m write; no output price → output free',
    model: 'claude-3-5-haiku-20241022',
    usage: {
      inputTokens: 100,
      cacheReadTokens: 1_000,
      cacheWriteTokens: 200,
      cacheWrite1hTokens: 300,
      outputTokens: 50,
    },
    //   100 ×   800_000_000 =  80_000_000_000
    // 1_000 ×   800_000_000 = 800_000_000_000   (read at the input price)
    //   200 × 1_000_000_000 = 200_000_000_000
    //   300 × 1_000_000_000 = 300_000_000_000   (1h write at the 5m write price)
    //    50 × 0             =               0
    // sum 1_380_000_000_000 / 1e6 = 1_380_000 nano
    expected: 1_380_000n,
    mode: 'tokens',
  },
  {
    name: 'rounding half up: 3 tokens at 37.5 nano = 112.5 → 113',
    model: 'tiny-embed',
    usage: { inputTokens: 3 },
    // 3 × 37_500_000 = 112_500_000 / 1e6 = 112.5 → 113
    expected: 113n,
    mode: 'tokens',
  },
  {
    name: 'rounding once at the end: two lines of 112.5 make 225, not 113 + 113',
    model: 'tiny-embed',
    usage: { inputTokens: 3, cacheReadTokens: 3 },
    // (3 × 37_500_000 + 3 × 37_500_000) = 225_000_000 / 1e6 = 225 exactly
    expected: 225n,
    mode: 'tokens',
  },
  {
    name: 'rounding with multiplier 1.5: 112.5 × 1.5 = 168.75 → 169',
    model: 'tiny-embed',
    usage: { inputTokens: 3 },
    multiplier: 1.5,
    // 112_500_000 × 1_500_000 / (1e6 × 1e6) = 168.75 → 169
    expected: 169n,
    mode: 'tokens',
  },
  {
    name: 'rounding with multiplier 0.3: 112.5 × 0.3 = 33.75 → 34',
    model: 'tiny-embed',
    usage: { inputTokens: 3 },
    multiplier: 0.3,
    // 112_500_000 × 300_000 / (1e6 × 1e6) = 33.75 → 34
    expected: 34n,
    mode: 'tokens',
  },
  {
    name: 'unpriced model',
    model: 'mystery-model-9000',
    usage: { inputTokens: 1_000, outputTokens: 1_000 },
    expected: 0n,
    mode: 'unpriced',
  },
]

describe('computeCost: hand-computed cost table', () => {
  it.each(cases)('$name', ({ model, usage: u, multiplier, webSearchCalls, expected, mode }) => {
    const prices = priceIndex.lookup(model, null)
    const result = computeCost(prices, usage(u), multiplier ?? 1, { webSearchCalls })
    expect(result.costNano).toBe(expected)
    expect(result.priced).toBe(mode !== 'unpriced')
    expect(result.breakdown.mode).toBe(mode)
  })
})

describe('computeCost: name matching', () => {
  const index = createPriceIndex(
    [
      row('*', 'input_token', 1_000_000_000n),
      row('gpt-4o*', 'input_token', 2_500_000_000n),
      row('gpt-4o-mini*', 'input_token', 150_000_000n),
      row('gpt-4o-mini-2024-07-18', 'input_token', 160_000_000n),
      row('claude-*-sonnet*', 'input_token', 3_000_000_000n),
      row('claude-3-5-sonnet*', 'input_token', 2_000_000_000n),
    ],
    [],
  )
  // 1_000_000 input tokens cost exactly the price per 1M: 1_000_000 × p / 1e6 = p
  const oneMillion = usage({ inputTokens: 1_000_000 })
  it.each([
    ['exact beats every glob', 'gpt-4o-mini-2024-07-18', 160_000_000n],
    ['longest glob: gpt-4o-mini* (11 chars) over gpt-4o* (6)', 'gpt-4o-mini-tts', 150_000_000n],
    ['gpt-4o* over *', 'gpt-4o-audio-preview', 2_500_000_000n],
    ['a wildcard in the middle', 'claude-3-7-sonnet-20250219', 3_000_000_000n],
    [
      'claude-3-5-sonnet* (17 chars) over claude-*-sonnet* (14)',
      'claude-3-5-sonnet-20241022',
      2_000_000_000n,
    ],
    ['* catches the rest', 'llama-3.1-70b', 1_000_000_000n],
  ])('%s', (_label, model, expected) => {
    expect(computeCost(index.lookup(model, null), oneMillion, 1).costNano).toBe(expected)
  })
})

describe('computeCost: group override', () => {
  const index = createPriceIndex(
    [row('gpt-4o', 'input_token', 2_500_000_000n), row('gpt-4o', 'output_token', 10_000_000_000n)],
    [
      row('gpt-4o*', 'input_token', 1_000_000_000n, 0, 'team-a'),
      row('claude*', 'input_token', 1_000_000_000n, 0, 'team-b'),
    ],
  )
  const u = usage({ inputTokens: 1_000, outputTokens: 1_000 })

  it("uses the routed group's set for the model, even over a global exact name", () => {
    // The group's set has no output price: 1_000 × 1_000_000_000 = 1_000_000_000_000 / 1e6 = 1_000_000
    const prices = index.lookup('gpt-4o', 'team-a')
    expect(prices?.source).toBe('group')
    expect(computeCost(prices, u, 1).costNano).toBe(1_000_000n)
    // with the group's multiplier 0.3: 1_000_000 × 0.3 = 300_000
    expect(computeCost(prices, u, 0.3).costNano).toBe(300_000n)
  })

  it('falls back to the global set when the group prices other models only', () => {
    // 1_000 × 2_500_000_000 + 1_000 × 10_000_000_000 = 12_500_000_000_000 / 1e6 = 12_500_000
    expect(computeCost(index.lookup('gpt-4o', 'team-b'), u, 1).costNano).toBe(12_500_000n)
    expect(computeCost(index.lookup('gpt-4o', null), u, 1).costNano).toBe(12_500_000n)
  })
})

describe('computeCost: breakdown and validation', () => {
  it('reports each billed line with the unit whose price was used', () => {
    const result = computeCost(
      priceIndex.lookup('claude-3-5-haiku-latest', null),
      usage({ inputTokens: 10, cacheWrite1hTokens: 5, outputTokens: 2 }),
      1,
    )
    expect(result.breakdown.lines).toEqual([
      {
        unit: 'input_token',
        quantity: 10,
        pricedAs: 'input_token',
        priceNano: 800_000_000n,
        aboveInputTokens: 0,
      },
      {
        unit: 'cache_write_1h_token',
        quantity: 5,
        pricedAs: 'cache_write_token',
        priceNano: 1_000_000_000n,
        aboveInputTokens: 0,
      },
      { unit: 'output_token', quantity: 2, pricedAs: null, priceNano: 0n, aboveInputTokens: 0 },
    ])
    // 10 × 800_000_000 + 5 × 1_000_000_000 = 13_000_000_000 / 1e6 = 13_000
    expect(result.breakdown.baseCostNano).toBe(13_000n)
    expect(result.breakdown.promptTokens).toBe(15)
  })

  it('reports the long-context tier used', () => {
    const result = computeCost(priceIndex.lookup('gemini-2.5-pro', null), usage({ inputTokens: 300_000 }), 1)
    expect(result.breakdown.lines[0]).toMatchObject({ priceNano: 2_500_000_000n, aboveInputTokens: 200_000 })
  })

  it('a request price of 0 does not make the model free: tokens are billed', () => {
    const index = createPriceIndex([row('m', 'request', 0n), row('m', 'input_token', 1_000_000_000n)], [])
    // 1_000 × 1_000_000_000 / 1e6 = 1_000_000
    const result = computeCost(index.lookup('m', null), usage({ inputTokens: 1_000 }), 1)
    expect(result.costNano).toBe(1_000_000n)
    expect(result.breakdown.mode).toBe('tokens')
  })

  it('multiplier 0 makes a priced request free but still priced', () => {
    const result = computeCost(priceIndex.lookup('o4-mini', null), usage({ inputTokens: 1_000 }), 0)
    expect(result).toMatchObject({ costNano: 0n, priced: true })
  })

  it('rejects counts and multipliers that are not valid', () => {
    const prices = priceIndex.lookup('o4-mini', null)
    expect(() => computeCost(prices, usage({ inputTokens: -1 }), 1)).toThrow(RangeError)
    expect(() => computeCost(prices, usage({ outputTokens: 1.5 }), 1)).toThrow(RangeError)
    expect(() => computeCost(prices, usage({ inputTokens: Number.NaN }), 1)).toThrow(RangeError)
    expect(() => computeCost(prices, usage({}), -1)).toThrow(RangeError)
    expect(() => computeCost(prices, usage({}), Number.POSITIVE_INFINITY)).toThrow(RangeError)
    expect(() => computeCost(prices, usage({}), 1, { webSearchCalls: -2 })).toThrow(RangeError)
  })
})
