import {
  asRecord,
  createEmptyUsage,
  readTokenCount,
  rejectImplausibleUsage,
  type Usage,
} from '../usage/usage.ts'

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
  const usage = createEmptyUsage()
  const u = asRecord(raw)
  if (!u) return usage
  const input = readTokenCount(u.input_tokens)
  const output = readTokenCount(u.output_tokens)
  const cacheRead = readTokenCount(u.cache_read_input_tokens)
  const cacheCreation = readTokenCount(u.cache_creation_input_tokens)
  const detail = asRecord(u.cache_creation)
  const write5m = readTokenCount(detail?.ephemeral_5m_input_tokens)
  const write1h = readTokenCount(detail?.ephemeral_1h_input_tokens)
  if (
    input === undefined &&
    output === undefined &&
    cacheRead === undefined &&
    cacheCreation === undefined &&
    write5m === undefined &&
    write1h === undefined
  ) {
    return usage
  }
  const totalWrites = cacheCreation ?? (write5m ?? 0) + (write1h ?? 0)
  const oneHour = Math.min(totalWrites, write1h ?? 0)
  usage.inputTokens = input ?? 0
  usage.cacheReadTokens = cacheRead ?? 0
  usage.cacheWriteTokens = totalWrites - oneHour
  usage.cacheWrite1hTokens = oneHour
  usage.outputTokens = output ?? 0
  usage.reported = true
  return rejectImplausibleUsage(usage)
}

/** Usage of a non-streamed Anthropic message (`{type: "message", usage}`) or count-free body. */
export function extractAnthropicUsage(body: unknown): Usage {
  return convertAnthropicUsage(asRecord(body)?.usage)
}
