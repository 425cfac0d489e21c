import type { PriceUnit } from './price-table.ts'

/**
 * Built-in catalogue of the providers' public list prices (docs/architecture.md, *Money › Pricing*), which an
 * admin can import into `model_prices`. Prices are USD per 1M tokens, or USD per call for `request` /
 * `web_search_call`.
 *
 * Prices as published by OpenAI, Anthropic and Google on their public pricing pages in November 2025
 * (standard / paid tier, no batch or flex discount), compiled from those pages' well-known published values
 * and spot-checked against public copies of them. ADMINS MUST VERIFY THEM before importing: providers
 * change prices and add models often, and a wrong price is billed silently.
 *
 * Names: snapshots are listed explicitly for OpenAI and Google (a glob like `gpt-5*` would also price
 * gpt-5-pro or a future gpt-5.x at the wrong rate); Anthropic entries use a version glob
 * (`claude-sonnet-4-5*` covers the alias and its dated snapshots, which share a price).
 *
 * Not included on purpose: OpenAI web search (per-call rate depends on model and tool version) and Gemini
 * search grounding (free daily allowance first), audio/image pricing, batch discounts, Anthropic's data
 * residency and fast-mode surcharges, Gemini cache storage per hour.
 */
export const LIST_PRICES_TAKEN_ON = '2025-11'

export type ListPriceVendor = 'openai' | 'anthropic' | 'google'

export interface ListPriceEntry {
  model_name: string
  unit: PriceUnit
  /** USD per 1M tokens, or USD per call for `request` / `web_search_call`. */
  price_per_unit: number
  /** Long-context tier: applies when the request's prompt exceeds this many tokens. Absent = base tier. */
  above_input_tokens?: number
  vendor: ListPriceVendor
  context_length?: number
}

/** USD per 1M tokens of one tier. */
interface TokenPrices {
  input: number
  /** Absent for input-only models (embeddings). */
  output?: number
  cache_read?: number
  cache_write?: number
  cache_write_1h?: number
}

function entries(
  vendor: ListPriceVendor,
  names: readonly string[],
  contextLength: number | undefined,
  base: TokenPrices,
  extra: { longContext?: { aboveInputTokens: number } & TokenPrices; webSearchCall?: number } = {},
): ListPriceEntry[] {
  const tierRows = (prices: TokenPrices, aboveInputTokens?: number) => {
    const units: [PriceUnit, number | undefined][] = [
      ['input_token', prices.input],
      ['output_token', prices.output],
      ['cache_read_token', prices.cache_read],
      ['cache_write_token', prices.cache_write],
      ['cache_write_1h_token', prices.cache_write_1h],
    ]
    return units.flatMap(([unit, price]) => (price === undefined ? [] : [{ unit, price, aboveInputTokens }]))
  }
  const rows = [
    ...tierRows(base),
    ...(extra.longContext ? tierRows(extra.longContext, extra.longContext.aboveInputTokens) : []),
  ]
  if (extra.webSearchCall !== undefined)
    rows.push({ unit: 'web_search_call', price: extra.webSearchCall, aboveInputTokens: undefined })
  return names.flatMap((model_name) =>
    rows.map(({ unit, price, aboveInputTokens }) => ({
      model_name,
      unit,
      price_per_unit: price,
      ...(aboveInputTokens === undefined ? {} : { above_input_tokens: aboveInputTokens }),
      vendor,
      ...(contextLength === undefined ? {} : { context_length: contextLength }),
    })),
  )
}

// ---- OpenAI (openai.com/api/pricing). Cached input = cache_read; OpenAI does not bill cache writes. ----
const openai: ListPriceEntry[] = [
  ...entries('openai', ['gpt-5', 'gpt-5-2025-08-07', 'gpt-5-chat-latest', 'gpt-5.1'], 400_000, {
    input: 1.25,
    cache_read: 0.125,
    output: 10,
  }),
  ...entries('openai', ['gpt-5-mini', 'gpt-5-mini-2025-08-07'], 400_000, {
    input: 0.25,
    cache_read: 0.025,
    output: 2,
  }),
  ...entries('openai', ['gpt-5-nano', 'gpt-5-nano-2025-08-07'], 400_000, {
    input: 0.05,
    cache_read: 0.005,
    output: 0.4,
  }),
  ...entries('openai', ['gpt-5-pro', 'gpt-5-pro-2025-10-06'], 400_000, { input: 15, output: 120 }),
  ...entries('openai', ['gpt-4.1', 'gpt-4.1-2025-04-14'], 1_047_576, {
    input: 2,
    cache_read: 0.5,
    output: 8,
  }),
  ...entries('openai', ['gpt-4.1-mini', 'gpt-4.1-mini-2025-04-14'], 1_047_576, {
    input: 0.4,
    cache_read: 0.1,
    output: 1.6,
  }),
  ...entries('openai', ['gpt-4.1-nano', 'gpt-4.1-nano-2025-04-14'], 1_047_576, {
    input: 0.1,
    cache_read: 0.025,
    output: 0.4,
  }),
  ...entries('openai', ['gpt-4o', 'gpt-4o-2024-08-06', 'gpt-4o-2024-11-20'], 128_000, {
    input: 2.5,
    cache_read: 1.25,
    output: 10,
  }),
  ...entries('openai', ['gpt-4o-2024-05-13'], 128_000, { input: 5, output: 15 }),
  ...entries('openai', ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18'], 128_000, {
    input: 0.15,
    cache_read: 0.075,
    output: 0.6,
  }),
  ...entries('openai', ['o3', 'o3-2025-04-16'], 200_000, { input: 2, cache_read: 0.5, output: 8 }),
  ...entries('openai', ['o3-mini', 'o3-mini-2025-01-31'], 200_000, {
    input: 1.1,
    cache_read: 0.55,
    output: 4.4,
  }),
  ...entries('openai', ['o4-mini', 'o4-mini-2025-04-16'], 200_000, {
    input: 1.1,
    cache_read: 0.275,
    output: 4.4,
  }),
  // Embeddings bill input tokens only.
  ...entries('openai', ['text-embedding-3-small'], 8_191, { input: 0.02 }),
  ...entries('openai', ['text-embedding-3-large'], 8_191, { input: 0.13 }),
]

// ---- Anthropic (claude.com/pricing). Cache read = 0.1× input, 5-minute write = 1.25×, 1-hour write = 2×;
// web search $10 per 1,000 searches (tokens billed on top). Sonnet 4 / 4.5 with the 1M-context beta bill the
// whole request at the long-context rate when the prompt exceeds 200k tokens. ----
const WEB_SEARCH = 0.01
const anthropic: ListPriceEntry[] = [
  ...entries(
    'anthropic',
    ['claude-opus-4-5*'],
    200_000,
    { input: 5, output: 25, cache_read: 0.5, cache_write: 6.25, cache_write_1h: 10 },
    { webSearchCall: WEB_SEARCH },
  ),
  ...entries(
    'anthropic',
    ['claude-opus-4-1*', 'claude-opus-4-0', 'claude-opus-4-20250514'],
    200_000,
    { input: 15, output: 75, cache_read: 1.5, cache_write: 18.75, cache_write_1h: 30 },
    { webSearchCall: WEB_SEARCH },
  ),
  ...entries(
    'anthropic',
    ['claude-sonnet-4-5*', 'claude-sonnet-4-0', 'claude-sonnet-4-20250514'],
    200_000,
    { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75, cache_write_1h: 6 },
    {
      webSearchCall: WEB_SEARCH,
      longContext: {
        aboveInputTokens: 200_000,
        input: 6,
        output: 22.5,
        cache_read: 0.6,
        cache_write: 7.5,
        cache_write_1h: 12,
      },
    },
  ),
  ...entries(
    'anthropic',
    ['claude-3-7-sonnet*', 'claude-3-5-sonnet*'],
    200_000,
    { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75, cache_write_1h: 6 },
    { webSearchCall: WEB_SEARCH },
  ),
  ...entries(
    'anthropic',
    ['claude-haiku-4-5*'],
    200_000,
    { input: 1, output: 5, cache_read: 0.1, cache_write: 1.25, cache_write_1h: 2 },
    { webSearchCall: WEB_SEARCH },
  ),
  ...entries(
    'anthropic',
    ['claude-3-5-haiku*'],
    200_000,
    { input: 0.8, output: 4, cache_read: 0.08, cache_write: 1, cache_write_1h: 1.6 },
    { webSearchCall: WEB_SEARCH },
  ),
]

// ---- Google Gemini API (ai.google.dev/gemini-api/docs/pricing), text/image/video input. Cached content =
// cache_read; creating an explicit cache is billed as input (plus hourly storage, not modelled). ----
const google: ListPriceEntry[] = [
  ...entries(
    'google',
    ['gemini-2.5-pro'],
    1_048_576,
    { input: 1.25, output: 10, cache_read: 0.125 },
    { longContext: { aboveInputTokens: 200_000, input: 2.5, output: 15, cache_read: 0.25 } },
  ),
  ...entries('google', ['gemini-2.5-flash'], 1_048_576, { input: 0.3, output: 2.5, cache_read: 0.03 }),
  ...entries('google', ['gemini-2.5-flash-lite'], 1_048_576, { input: 0.1, output: 0.4, cache_read: 0.01 }),
  ...entries('google', ['gemini-2.0-flash', 'gemini-2.0-flash-001'], 1_048_576, {
    input: 0.1,
    output: 0.4,
    cache_read: 0.025,
  }),
  ...entries('google', ['gemini-2.0-flash-lite', 'gemini-2.0-flash-lite-001'], 1_048_576, {
    input: 0.075,
    output: 0.3,
  }),
]

export const LIST_PRICE_CATALOGUE: readonly ListPriceEntry[] = Object.freeze([
  ...openai,
  ...anthropic,
  ...google,
])
