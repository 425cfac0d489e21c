import { countBillablePromptTokens, toCountBigInt, type BillableUsage } from './billable-usage.ts'
import { TOKENS_PER_PRICE, type ModelPrices, type PriceUnit } from './price-table.ts'
import { divideRoundHalfUp, MULTIPLIER_SCALE, toMultiplierMicros } from './round-division.ts'
import { hasRequestPrice, selectUnitPrices, type AppliedPrice } from './select-unit-prices.ts'

/**
 * The real cost of a request (docs/architecture.md, *Money › Pricing*), in nano-USD, with integer arithmetic
 * only.
 *
 * - Per-request price (a `request` price > 0): request price × multiplier, tokens ignored.
 * - Otherwise: (uncached input × P_in + cache read × P_cache_read + 5m cache write × P_cache_write
 *   + 1h cache write × P_cache_write_1h + output × P_out) / 1e6 × multiplier, with the tier and fallback
 *   rules of select-unit-prices.ts.
 * - In both modes, web search calls (`opts.webSearchCalls`) add calls × the `web_search_call` price when
 *   the model has one: providers bill searches on top of tokens.
 *
 * Every term is accumulated exactly in nano-USD × 1e6 (token prices are per 1M tokens; per-call prices are
 * scaled by 1e6 to share the denominator); the multiplier becomes an integer of millionths; the total is
 * divided ONCE at the end, rounding half up. Unpriced (null prices) → 0n and `priced: false`.
 */
export interface CostLine {
  unit: PriceUnit
  /** Tokens, or calls for per-call units. */
  quantity: number
  /** The unit whose price was used (after a fallback), or null when nothing prices it (billed 0). */
  pricedAs: PriceUnit | null
  /** nano-USD per 1M tokens, or per call. */
  priceNano: bigint
  /** Tier threshold of the price used (0 = base tier). */
  aboveInputTokens: number
}

export interface CostBreakdown {
  mode: 'tokens' | 'request' | 'unpriced'
  /** Total prompt tokens, which selected the tier. */
  promptTokens: number
  multiplierMicros: bigint
  /** The lines that were billed (token lines with a zero quantity are left out). */
  lines: CostLine[]
  /** Cost before the multiplier, rounded half up (informational). */
  baseCostNano: bigint
}

export interface CostResult {
  costNano: bigint
  priced: boolean
  breakdown: CostBreakdown
}

export interface ComputeCostOptions {
  /** Web search tool calls the provider reported (Anthropic `server_tool_use.web_search_requests`...). */
  webSearchCalls?: number
}

const TOKEN_LINES: readonly { unit: PriceUnit; field: keyof BillableUsage }[] = [
  { unit: 'input_token', field: 'inputTokens' },
  { unit: 'cache_read_token', field: 'cacheReadTokens' },
  { unit: 'cache_write_token', field: 'cacheWriteTokens' },
  { unit: 'cache_write_1h_token', field: 'cacheWrite1hTokens' },
  { unit: 'output_token', field: 'outputTokens' },
]

export function computeCost(
  prices: ModelPrices | null,
  usage: BillableUsage,
  multiplier: number,
  opts: ComputeCostOptions = {},
): CostResult {
  const multiplierMicros = toMultiplierMicros(multiplier)
  const counts = TOKEN_LINES.map(({ unit, field }) => ({
    unit,
    field,
    tokens: toCountBigInt(usage[field], field),
  }))
  const webSearchCalls = toCountBigInt(opts.webSearchCalls ?? 0, 'webSearchCalls')
  const promptTokens = countBillablePromptTokens(usage)

  if (prices === null) {
    return {
      costNano: 0n,
      priced: false,
      breakdown: { mode: 'unpriced', promptTokens, multiplierMicros, lines: [], baseCostNano: 0n },
    }
  }

  const unitPrices = selectUnitPrices(prices, promptTokens)
  const lines: CostLine[] = []
  /** nano-USD × TOKENS_PER_PRICE, exact. */
  let numerator = 0n
  const bill = (unit: PriceUnit, quantity: bigint, applied: AppliedPrice | null, scale: bigint) => {
    const priceNano = applied?.priceNano ?? 0n
    numerator += quantity * priceNano * scale
    lines.push({
      unit,
      quantity: Number(quantity),
      pricedAs: applied?.pricedAs ?? null,
      priceNano,
      aboveInputTokens: applied?.aboveInputTokens ?? 0,
    })
  }

  const perRequest = hasRequestPrice(unitPrices)
  if (perRequest) {
    bill('request', 1n, unitPrices.request, TOKENS_PER_PRICE)
  } else {
    for (const { unit, tokens } of counts) if (tokens > 0n) bill(unit, tokens, unitPrices[unit], 1n)
  }
  if (webSearchCalls > 0n && unitPrices.web_search_call) {
    bill('web_search_call', webSearchCalls, unitPrices.web_search_call, TOKENS_PER_PRICE)
  }

  return {
    costNano: divideRoundHalfUp(numerator * multiplierMicros, TOKENS_PER_PRICE * MULTIPLIER_SCALE),
    priced: true,
    breakdown: {
      mode: perRequest ? 'request' : 'tokens',
      promptTokens,
      multiplierMicros,
      lines,
      baseCostNano: divideRoundHalfUp(numerator, TOKENS_PER_PRICE),
    },
  }
}
