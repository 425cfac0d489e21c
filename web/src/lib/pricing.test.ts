import { describe, expect, it } from 'vitest'
import { guessVendor, pivotPrices } from './pricing.ts'

describe('pricing', () => {
  it('guesses vendors', () => {
    expect(guessVendor('claude-sonnet-4')).toBe('Anthropic')
    expect(guessVendor('gpt-4o-mini')).toBe('OpenAI')
    expect(guessVendor('o3')).toBe('OpenAI')
    expect(guessVendor('gemini-2.5-pro')).toBe('Google')
    expect(guessVendor('whatever', 'Acme')).toBe('Acme')
    expect(guessVendor('whatever', 'openai')).toBe('OpenAI')
    expect(guessVendor('whatever', 'google')).toBe('Google')
    expect(guessVendor('foo')).toBe('Other')
  })
  it('pivots rows per model and tier', () => {
    const rows = pivotPrices([
      { model_name: 'm', unit: 'input_token', price_per_unit: 1 },
      { model_name: 'm', unit: 'output_token', price_per_unit: 2 },
      { model_name: 'm', unit: 'input_token', price_per_unit: 3, above_input_tokens: 200000 },
    ])
    expect(rows).toHaveLength(1)
    expect(rows[0].tiers).toEqual([
      { above: 0, prices: { input_token: 1, output_token: 2 } },
      { above: 200000, prices: { input_token: 3 } },
    ])
  })
})
