import type { ModelPrices, PriceTier, PriceUnit } from './price-table.ts'

/**
 * The price each unit is billed at for one request, after choosing long-context tiers and applying the
 * fallbacks (docs/architecture.md, *Money › Pricing*).
 *
 * Tiers: a tier applies when the request's TOTAL prompt tokens (uncached input + cache reads + 5-minute and
 * 1-hour cache writes) are strictly greater than its `above_input_tokens` — "prompts > 200k tokens" as
 * Google and Anthropic word it, so a prompt of exactly 200 000 tokens stays on the base tier. The highest
 * applicable tier of each unit wins and prices every token of that unit in the request, output included (the
 * providers bill the whole request at the long-context rate). A unit without a tier row keeps its base price.
 *
 * Fallbacks: a missing cache-read or cache-write price is the input price; a missing 1-hour cache-write
 * price is the 5-minute one, then the input price. Other units have no fallback (missing = free).
 */
export interface AppliedPrice {
  /** The unit whose row supplied the price (differs from the billed unit after a fallback). */
  readonly pricedAs: PriceUnit
  readonly priceNano: bigint
  /** The tier threshold of that row (0 = base tier). */
  readonly aboveInputTokens: number
}

export type UnitPrices = Readonly<Record<PriceUnit, AppliedPrice | null>>

const FALLBACKS: Readonly<Record<PriceUnit, readonly PriceUnit[]>> = {
  input_token: [],
  output_token: [],
  cache_read_token: ['input_token'],
  cache_write_token: ['input_token'],
  cache_write_1h_token: ['cache_write_token', 'input_token'],
  request: [],
  web_search_call: [],
}

/** The applicable tier of one unit for a prompt of `promptTokens` tokens, without fallback. */
export function selectTier(
  prices: ModelPrices,
  unit: PriceUnit,
  promptTokens: number,
): PriceTier | undefined {
  const tiers = prices.tiers[unit]
  if (!tiers) return undefined
  let chosen: PriceTier | undefined
  for (const tier of tiers) {
    if (tier.aboveInputTokens === 0 || promptTokens > tier.aboveInputTokens) chosen = tier
    else break // sorted ascending: no later tier can apply
  }
  return chosen
}

export function selectUnitPrices(prices: ModelPrices, promptTokens: number): UnitPrices {
  const pick = (unit: PriceUnit): AppliedPrice | null => {
    for (const candidate of [unit, ...FALLBACKS[unit]]) {
      const tier = selectTier(prices, candidate, promptTokens)
      if (tier)
        return { pricedAs: candidate, priceNano: tier.priceNano, aboveInputTokens: tier.aboveInputTokens }
    }
    return null
  }
  return {
    input_token: pick('input_token'),
    output_token: pick('output_token'),
    cache_read_token: pick('cache_read_token'),
    cache_write_token: pick('cache_write_token'),
    cache_write_1h_token: pick('cache_write_1h_token'),
    request: pick('request'),
    web_search_call: pick('web_search_call'),
  }
}

/** Per-request pricing applies when the model has a `request` price above zero. */
export function hasRequestPrice(unitPrices: UnitPrices): boolean {
  return unitPrices.request !== null && unitPrices.request.priceNano > 0n
}
