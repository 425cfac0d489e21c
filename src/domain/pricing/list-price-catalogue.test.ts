import { describe, expect, it } from 'vitest'
import { computeCost } from './compute-cost.ts'
import { createPriceIndex } from './find-model-prices.ts'
import { LIST_PRICE_CATALOGUE, LIST_PRICES_TAKEN_ON, type ListPriceEntry } from './list-price-catalogue.ts'
import { isPriceUnit, type PriceRow } from './price-table.ts'
import { billableUsage } from '../../../test/support/pricing-fixtures.ts'

/** USD → nano-USD the way an import would, for the checks below. */
const toNano = (usd: number) => BigInt(Math.round(usd * 1e9))
const toRow = (e: ListPriceEntry): PriceRow => ({
  model_name: e.model_name,
  unit: e.unit,
  price_nano: toNano(e.price_per_unit),
  above_input_tokens: e.above_input_tokens ?? 0,
})

describe('LIST_PRICE_CATALOGUE', () => {
  it('says when the prices were taken', () => {
    expect(LIST_PRICES_TAKEN_ON).toMatch(/^\d{4}-\d{2}/)
  })

  it('has unique (model_name, unit, above_input_tokens) entries', () => {
    const keys = LIST_PRICE_CATALOGUE.map((e) => `${e.model_name}|${e.unit}|${e.above_input_tokens ?? 0}`)
    const duplicates = keys.filter((k, i) => keys.indexOf(k) !== i)
    expect(duplicates).toEqual([])
  })

  it('has only positive prices, known units and sane fields', () => {
    for (const e of LIST_PRICE_CATALOGUE) {
      expect(e.price_per_unit, `${e.model_name} ${e.unit}`).toBeGreaterThan(0)
      expect(Number.isFinite(e.price_per_unit)).toBe(true)
      expect(isPriceUnit(e.unit)).toBe(true)
      expect(e.model_name).toBe(e.model_name.trim().toLowerCase())
      expect(['openai', 'anthropic', 'google']).toContain(e.vendor)
      if (e.above_input_tokens !== undefined)
        expect(Number.isInteger(e.above_input_tokens) && e.above_input_tokens > 0).toBe(true)
      // whole nano-USD: storing it as price_nano loses nothing
      expect(Math.abs(e.price_per_unit * 1e9 - Math.round(e.price_per_unit * 1e9))).toBeLessThan(1e-3)
    }
  })

  it('covers the mainstream models of the three vendors with input and output prices', () => {
    const index = createPriceIndex(LIST_PRICE_CATALOGUE.map(toRow), [])
    const chat = [
      'gpt-4o',
      'gpt-4o-mini-2024-07-18',
      'gpt-4.1',
      'gpt-4.1-mini',
      'gpt-4.1-nano',
      'o3',
      'o4-mini',
      'gpt-5',
      'gpt-5-mini',
      'gpt-5-nano',
      'claude-opus-4-1-20250805',
      'claude-opus-4-20250514',
      'claude-sonnet-4-5-20250929',
      'claude-sonnet-4-20250514',
      'claude-haiku-4-5-20251001',
      'claude-3-7-sonnet-20250219',
      'claude-3-5-sonnet-20241022',
      'claude-3-5-haiku-20241022',
      'gemini-2.5-pro',
      'gemini-2.5-flash',
      'gemini-2.5-flash-lite',
      'gemini-2.0-flash',
      'gemini-2.0-flash-lite',
    ]
    for (const model of chat) {
      const prices = index.lookup(model, null)
      expect(prices?.tiers.input_token, model).toBeDefined()
      expect(prices?.tiers.output_token, model).toBeDefined()
    }
    for (const model of ['text-embedding-3-small', 'text-embedding-3-large']) {
      expect(index.lookup(model, null)?.tiers.input_token, model).toBeDefined()
    }
  })

  it('prices Anthropic cache reads at 0.1×, 5-minute writes at 1.25× and 1-hour writes at 2× the input price', () => {
    const byKey = new Map(
      LIST_PRICE_CATALOGUE.map((e) => [`${e.model_name}|${e.unit}|${e.above_input_tokens ?? 0}`, e]),
    )
    const anthropicInputs = LIST_PRICE_CATALOGUE.filter(
      (e) => e.vendor === 'anthropic' && e.unit === 'input_token',
    )
    expect(anthropicInputs.length).toBeGreaterThan(0)
    for (const input of anthropicInputs) {
      const other = (unit: string) =>
        byKey.get(`${input.model_name}|${unit}|${input.above_input_tokens ?? 0}`)?.price_per_unit
      const inNano = toNano(input.price_per_unit)
      // compare in nano-USD × 100 to keep integers: read = in / 10, write = in × 5 / 4, 1h = in × 2
      expect(toNano(other('cache_read_token') ?? 0) * 10n, input.model_name).toBe(inNano)
      expect(toNano(other('cache_write_token') ?? 0) * 4n, input.model_name).toBe(inNano * 5n)
      expect(toNano(other('cache_write_1h_token') ?? 0), input.model_name).toBe(inNano * 2n)
    }
  })

  it('gives every long-context tier a base price for the same unit, and a higher one', () => {
    for (const tier of LIST_PRICE_CATALOGUE.filter((e) => e.above_input_tokens !== undefined)) {
      const base = LIST_PRICE_CATALOGUE.find(
        (e) => e.model_name === tier.model_name && e.unit === tier.unit && e.above_input_tokens === undefined,
      )
      expect(base, `${tier.model_name} ${tier.unit}`).toBeDefined()
      expect(tier.price_per_unit).toBeGreaterThan(base?.price_per_unit ?? Infinity)
    }
  })

  it('imports into the index and bills gemini-2.5-pro above 200k prompt tokens at the long-context rate', () => {
    const index = createPriceIndex(LIST_PRICE_CATALOGUE.map(toRow), [])
    const usage = billableUsage({ inputTokens: 250_000, outputTokens: 1_000 })
    // 250_000 × $2.50 / 1M = $0.625; 1_000 × $15 / 1M = $0.015 → $0.64 = 640_000_000 nano
    expect(computeCost(index.lookup('gemini-2.5-pro', null), usage, 1).costNano).toBe(640_000_000n)
  })
})
