/**
 * Price rows as stored in `model_prices` / `group_model_prices` (docs/architecture.md,
 * *Money › Pricing*), and the resolved per-model price set the rest of the pricing module works on.
 *
 * Money is integer nano-USD (1e-9 USD). `price_nano` is nano-USD per 1M tokens for the token units and
 * nano-USD per call for `request` and `web_search_call`, so a list price such as $0.075 / 1M tokens is the
 * exact integer 75_000_000n.
 */
export const PRICE_UNITS = Object.freeze([
  'input_token',
  'output_token',
  'cache_read_token',
  'cache_write_token',
  'cache_write_1h_token',
  'request',
  'web_search_call',
] as const)

export type PriceUnit = (typeof PRICE_UNITS)[number]

/** Units priced per call rather than per 1M tokens. */
export const PER_CALL_UNITS: ReadonlySet<PriceUnit> = new Set<PriceUnit>(['request', 'web_search_call'])

/** Token prices are per this many tokens. */
export const TOKENS_PER_PRICE = 1_000_000n

const UNIT_SET: ReadonlySet<string> = new Set(PRICE_UNITS)

export function isPriceUnit(value: string): value is PriceUnit {
  return UNIT_SET.has(value)
}

export interface PriceRow {
  /** An exact model name or a `*` glob (`gpt-4o*`, `claude-*-sonnet*`, `*`). Matched case-insensitively. */
  model_name: string
  unit: PriceUnit
  /** nano-USD per 1M tokens, or per call for `request` / `web_search_call`. */
  price_nano: bigint
  /** Long-context tier threshold: the price applies when the request's prompt has MORE than this many tokens. 0 = base tier. */
  above_input_tokens: number
  /** Set on `group_model_prices` rows. */
  group_id?: string
}

/** One price of a unit, valid when the request's total prompt tokens exceed `aboveInputTokens` (0 = always). */
export interface PriceTier {
  readonly aboveInputTokens: number
  readonly priceNano: bigint
}

/** Everything needed to price one model, as resolved for one (model, group). Immutable and shared: do not mutate. */
export interface ModelPrices {
  /** The normalised pattern that matched (an exact name or a glob). */
  readonly pattern: string
  /** Whether the routed group's override set or the global set was used. */
  readonly source: 'group' | 'global'
  /** The group whose set was used, or null for the global set. */
  readonly groupId: string | null
  /** Per unit, its tiers sorted by `aboveInputTokens` ascending (unique thresholds). A unit without a row is absent. */
  readonly tiers: Readonly<Partial<Record<PriceUnit, readonly PriceTier[]>>>
}
