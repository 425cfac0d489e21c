import type { BillableUsage } from '../../src/domain/pricing/billable-usage.ts'
import type { PriceRow, PriceUnit } from '../../src/domain/pricing/price-table.ts'
import { createEmptyUsage } from '../../src/protocol/usage/usage.ts'

/**
 * A price row as the tables hold it. Prices in the pricing tests are nano-USD per 1M tokens (or per call):
 * $2.50 / 1M = 2_500_000_000n. A `group_id` makes it a group override row.
 */
export function priceRow(
  model_name: string,
  unit: PriceUnit,
  price_nano: bigint,
  above_input_tokens = 0,
  group_id?: string,
): PriceRow {
  return { model_name, unit, price_nano, above_input_tokens, ...(group_id ? { group_id } : {}) }
}

/** Billable counts: every count 0 but those given. */
export function billableUsage(partial: Partial<BillableUsage> = {}): BillableUsage {
  const { reported: _reported, ...zero } = createEmptyUsage()
  return { ...zero, ...partial }
}

/**
 * The global price table the pricing tests compute their expected costs from, by hand, in their comments.
 * Some prices are missing on purpose (see Haiku) and some models have a long-context tier above 200k prompt tokens.
 */
export const SAMPLE_PRICE_ROWS: readonly PriceRow[] = [
  // OpenAI o4-mini: $1.10 in, $0.275 cached in, $4.40 out
  priceRow('o4-mini', 'input_token', 1_100_000_000n),
  priceRow('o4-mini', 'cache_read_token', 275_000_000n),
  priceRow('o4-mini', 'output_token', 4_400_000_000n),
  // Anthropic Sonnet 4.5: $3 / $15, read $0.30, 5m write $3.75, 1h write $6; > 200k prompt: $6 / $22.50 / $0.60 / $7.50 / $12
  priceRow('claude-sonnet-4-5*', 'input_token', 3_000_000_000n),
  priceRow('claude-sonnet-4-5*', 'output_token', 15_000_000_000n),
  priceRow('claude-sonnet-4-5*', 'cache_read_token', 300_000_000n),
  priceRow('claude-sonnet-4-5*', 'cache_write_token', 3_750_000_000n),
  priceRow('claude-sonnet-4-5*', 'cache_write_1h_token', 6_000_000_000n),
  priceRow('claude-sonnet-4-5*', 'input_token', 6_000_000_000n, 200_000),
  priceRow('claude-sonnet-4-5*', 'output_token', 22_500_000_000n, 200_000),
  priceRow('claude-sonnet-4-5*', 'cache_read_token', 600_000_000n, 200_000),
  priceRow('claude-sonnet-4-5*', 'cache_write_token', 7_500_000_000n, 200_000),
  priceRow('claude-sonnet-4-5*', 'cache_write_1h_token', 12_000_000_000n, 200_000),
  priceRow('claude-sonnet-4-5*', 'web_search_call', 10_000_000n), // $0.01 per search
  // Anthropic Haiku 3.5 with deliberately missing prices: no cache read, no 1h write, no output
  priceRow('claude-3-5-haiku*', 'input_token', 800_000_000n),
  priceRow('claude-3-5-haiku*', 'cache_write_token', 1_000_000_000n),
  // Gemini 2.5 Flash: $0.30 in, $0.03 cached, $2.50 out
  priceRow('gemini-2.5-flash', 'input_token', 300_000_000n),
  priceRow('gemini-2.5-flash', 'cache_read_token', 30_000_000n),
  priceRow('gemini-2.5-flash', 'output_token', 2_500_000_000n),
  // Gemini 2.5 Pro: $1.25 / $10 / $0.125 cached; prompts > 200k: $2.50 / $15 / $0.25
  priceRow('gemini-2.5-pro', 'input_token', 1_250_000_000n),
  priceRow('gemini-2.5-pro', 'output_token', 10_000_000_000n),
  priceRow('gemini-2.5-pro', 'cache_read_token', 125_000_000n),
  priceRow('gemini-2.5-pro', 'input_token', 2_500_000_000n, 200_000),
  priceRow('gemini-2.5-pro', 'output_token', 15_000_000_000n, 200_000),
  priceRow('gemini-2.5-pro', 'cache_read_token', 250_000_000n, 200_000),
  // Per-request prices: $0.04 per image (its token price is ignored); $0.005 per call + $0.01 per search
  priceRow('image-gen-1', 'request', 40_000_000n),
  priceRow('image-gen-1', 'input_token', 1_000_000_000n),
  priceRow('search-agent-1', 'request', 5_000_000n),
  priceRow('search-agent-1', 'web_search_call', 10_000_000n),
  // gpt-4o-mini: $0.15 / $0.60, no cached price (falls back to input)
  priceRow('gpt-4o-mini', 'input_token', 150_000_000n),
  priceRow('gpt-4o-mini', 'output_token', 600_000_000n),
  // A price with sub-nano per-token precision: $0.0375 / 1M = 37.5 nano-USD per token
  priceRow('tiny-embed', 'input_token', 37_500_000n),
  // GPT-4o: $2.50 / $10
  priceRow('gpt-4o', 'input_token', 2_500_000_000n),
  priceRow('gpt-4o', 'output_token', 10_000_000_000n),
  // Gemini 2.0 Flash-Lite: $0.075 / $0.30 (fractional nano per token: a reservation rounds it up)
  priceRow('gemini-2.0-flash-lite', 'input_token', 75_000_000n),
  priceRow('gemini-2.0-flash-lite', 'output_token', 300_000_000n),
]
