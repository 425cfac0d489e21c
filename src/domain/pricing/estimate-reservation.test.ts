import { describe, expect, it } from 'vitest'
import { estimatePromptTokens, estimateReservation, type ReservationRequest } from './estimate-reservation.ts'
import { createPriceIndex } from './find-model-prices.ts'
import { SAMPLE_PRICE_ROWS } from '../../../test/support/pricing-fixtures.ts'

/**
 * Prices used below (per 1M tokens): gpt-4o $2.50 / $10; gemini-2.0-flash-lite $0.075 / $0.30; gemini-2.5-pro
 * $1.25 / $10, and $2.50 / $15 above 200k prompt tokens; image-gen-1 $0.04 per image.
 */
const index = createPriceIndex(SAMPLE_PRICE_ROWS, [])
const R = 4096

/** The estimate for `model` from the sample table, with R output tokens at most. */
function estimate(model: string, request: ReservationRequest, multiplier = 1): bigint {
  return estimateReservation(index.lookup(model, null), request, multiplier, R)
}

describe('estimateReservation', () => {
  it('prices ⌈bytes / 4⌉ prompt tokens and min(max_tokens, R) output tokens', () => {
    // ⌈10_001 / 4⌉ = 2_501 tokens; min(1_000, 4_096) = 1_000
    // 2_501 × 2_500_000_000 = 6_252_500_000_000; 1_000 × 10_000_000_000 = 10_000_000_000_000
    // sum 16_252_500_000_000 / 1e6 = 16_252_500 nano
    expect(estimate('gpt-4o', { promptBytes: 10_001, maxTokens: 1_000 })).toBe(16_252_500n)
  })

  it('reserves R output tokens when max_tokens is absent or larger', () => {
    // ⌈4_000 / 4⌉ = 1_000 → 1_000 × 2_500_000_000 = 2_500_000_000_000
    // 4_096 × 10_000_000_000 = 40_960_000_000_000 → sum 43_460_000_000_000 / 1e6 = 43_460_000
    expect(estimate('gpt-4o', { promptBytes: 4_000, maxTokens: null })).toBe(43_460_000n)
    expect(estimate('gpt-4o', { promptBytes: 4_000, maxTokens: 100_000 })).toBe(43_460_000n)
  })

  it('multiplies by n and the multiplier', () => {
    // 43_460_000 × n 3 × 1.5 = 195_570_000
    expect(estimate('gpt-4o', { promptBytes: 4_000, maxTokens: null, n: 3 }, 1.5)).toBe(195_570_000n)
    // × 0.3 = 13_038_000
    expect(estimate('gpt-4o', { promptBytes: 4_000, maxTokens: null }, 0.3)).toBe(13_038_000n)
  })

  it('rounds up, never under-reserving', () => {
    // ⌈5 / 4⌉ = 2 tokens × 75_000_000 = 150_000_000; 1 × 300_000_000 → 450_000_000 / 1e6 = 450 exactly
    expect(estimate('gemini-2.0-flash-lite', { promptBytes: 5, maxTokens: 1 })).toBe(450n)
    // × 0.3: 450_000_000 × 300_000 / 1e12 = 135 exactly; × 0.333333: 149.99985 → 150
    expect(estimate('gemini-2.0-flash-lite', { promptBytes: 5, maxTokens: 1 }, 0.333333)).toBe(150n)
    // 1 byte → 1 token × 75_000_000 = 75_000_000 / 1e6 = 75; max 0 output → 75
    expect(estimate('gemini-2.0-flash-lite', { promptBytes: 1, maxTokens: 0 })).toBe(75n)
    // 1 token at $0.075 with multiplier 0.5: 37.5 → 38 (the cost would round half up to 38 too)
    expect(estimate('gemini-2.0-flash-lite', { promptBytes: 1, maxTokens: 0 }, 0.5)).toBe(38n)
  })

  it('uses the long-context tier chosen by the estimated prompt', () => {
    // ⌈800_004 / 4⌉ = 200_001 > 200_000 → 200_001 × 2_500_000_000 = 500_002_500_000_000
    // 1_000 × 15_000_000_000 = 15_000_000_000_000 → 515_002_500_000_000 / 1e6 = 515_002_500
    expect(estimate('gemini-2.5-pro', { promptBytes: 800_004, maxTokens: 1_000 })).toBe(515_002_500n)
    // 800_000 bytes = 200_000 tokens: base tier → 200_000 × 1_250_000_000 + 1_000 × 10_000_000_000 = 260_000_000 nano
    expect(estimate('gemini-2.5-pro', { promptBytes: 800_000, maxTokens: 1_000 })).toBe(260_000_000n)
  })

  it('uses the per-request price × n × multiplier when there is one', () => {
    // 40_000_000 × 2 × 1.5 = 120_000_000
    expect(estimate('image-gen-1', { promptBytes: 10_000, maxTokens: null, n: 2 }, 1.5)).toBe(120_000_000n)
  })

  it('reserves nothing for an unpriced model', () => {
    expect(estimateReservation(null, { promptBytes: 10_000, maxTokens: null }, 1, R)).toBe(0n)
  })

  it('treats n below 1 as 1 and rejects invalid inputs', () => {
    const prices = index.lookup('gpt-4o', null)
    const one = estimateReservation(prices, { promptBytes: 4_000, maxTokens: null }, 1, R)
    expect(estimateReservation(prices, { promptBytes: 4_000, maxTokens: null, n: 0 }, 1, R)).toBe(one)
    expect(() => estimateReservation(prices, { promptBytes: -1, maxTokens: null }, 1, R)).toThrow(RangeError)
    expect(() => estimateReservation(prices, { promptBytes: 1, maxTokens: -5 }, 1, R)).toThrow(RangeError)
    expect(() => estimateReservation(prices, { promptBytes: 1, maxTokens: null, n: 1.5 }, 1, R)).toThrow(
      RangeError,
    )
    expect(() => estimateReservation(prices, { promptBytes: 1, maxTokens: null }, Number.NaN, R)).toThrow(
      RangeError,
    )
  })

  it('estimates prompt tokens as ⌈bytes / 4⌉', () => {
    expect(estimatePromptTokens(0)).toBe(0)
    expect(estimatePromptTokens(1)).toBe(1)
    expect(estimatePromptTokens(8)).toBe(2)
    expect(estimatePromptTokens(9)).toBe(3)
  })
})
