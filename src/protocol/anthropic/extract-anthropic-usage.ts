import { asRecord, createEmptyUsage, readTokenCounts, reportedUsage, type Usage } from '../usage/usage.ts'

const FIELDS = {
  input: 'input_tokens',
  output: 'output_tokens',
  cacheRead: 'cache_read_input_tokens',
  cacheCreation: 'cache_creation_input_tokens',
  write5m: 'cache_creation.ephemeral_5m_input_tokens',
  write1h: 'cache_creation.ephemeral_1h_input_tokens',
} as const

/**
 * Converts an Anthropic Messages `usage` object.
 *
 * `input_tokens`, `cache_read_input_tokens` and `cache_creation_input_tokens` are disjoint: each is billed
 * once. `cache_creation.ephemeral_1h_input_tokens` is the 1-hour part of the cache writes and is moved out
 * of `cacheWriteTokens` into `cacheWrite1hTokens`. Thinking tokens are inside `output_tokens` and not
 * reported separately.
 * @see https://docs.anthropic.com/en/api/messages
 */
export function convertAnthropicUsage(raw: unknown): Usage {
  const c = readTokenCounts(raw, FIELDS)
  if (!c) return createEmptyUsage()
  const totalWrites = c.cacheCreation ?? (c.write5m ?? 0) + (c.write1h ?? 0)
  const oneHour = Math.min(totalWrites, c.write1h ?? 0)
  return reportedUsage({
    inputTokens: c.input ?? 0,
    cacheReadTokens: c.cacheRead ?? 0,
    cacheWriteTokens: totalWrites - oneHour,
    cacheWrite1hTokens: oneHour,
    outputTokens: c.output ?? 0,
  })
}

/** Usage of a non-streamed Anthropic message (`{type: "message", usage}`) or count-free body. */
export function extractAnthropicUsage(body: unknown): Usage {
  return convertAnthropicUsage(asRecord(body)?.usage)
}
