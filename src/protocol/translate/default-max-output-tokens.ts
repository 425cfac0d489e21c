/**
 * The most a model can generate, by model family (a name prefix; the longest matching prefix wins), for a
 * translated request to a dialect that requires a limit the client did not give (Anthropic's `max_tokens`;
 * docs/translation.md › Max tokens). The figures are the providers' published maximum outputs (Anthropic's and
 * Google's model overviews, OpenAI's model pages) at the time of writing; a model not listed gets
 * UNKNOWN_MODEL_MAX_OUTPUT. The gateway's model catalogue (list-price-catalogue.ts) has context lengths but no
 * output limits, so this table is the one place they live.
 */
export const MAX_OUTPUT_TOKENS_BY_FAMILY: Readonly<Record<string, number>> = {
  'claude-opus-4-5': 64_000,
  'claude-sonnet-4-5': 64_000,
  'claude-haiku-4-5': 64_000,
  'claude-opus-4-1': 32_000,
  'claude-opus-4': 32_000,
  'claude-sonnet-4': 64_000,
  'claude-3-7-sonnet': 64_000,
  'claude-3-5-sonnet': 8_192,
  'claude-3-5-haiku': 8_192,
  'claude-3-opus': 4_096,
  'claude-3-haiku': 4_096,
  'gemini-2.5': 65_536,
  'gemini-3': 65_536,
  'gemini-2.0': 8_192,
  'gpt-5': 128_000,
  'gpt-4.1': 32_768,
  'gpt-4o': 16_384,
  o3: 100_000,
  'o4-mini': 100_000,
}

/**
 * A model of no listed family (a new release, a self-hosted model behind a compatible server): a limit every
 * current chat model accepts. Documented in docs/translation.md; a client that needs more says so itself.
 */
export const UNKNOWN_MODEL_MAX_OUTPUT = 8_192

/** The maximum output of the upstream model (after the channel's mapping), from the table above. */
export function defaultMaxOutputTokens(upstreamModel: string): number {
  const name = upstreamModel.toLowerCase().replace(/^models\//, '')
  let best = ''
  for (const prefix in MAX_OUTPUT_TOKENS_BY_FAMILY) {
    if (name.startsWith(prefix) && prefix.length > best.length) best = prefix
  }
  return best ? MAX_OUTPUT_TOKENS_BY_FAMILY[best] : UNKNOWN_MODEL_MAX_OUTPUT
}
