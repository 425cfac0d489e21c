/**
 * Token counts as billed (the same shape as `Usage` of src/protocol/usage/usage.ts, declared here so that the
 * pricing domain depends on nothing else). The input categories are disjoint: each prompt token is in exactly
 * one of inputTokens / cacheReadTokens / cacheWriteTokens / cacheWrite1hTokens.
 */
export interface BillableUsage {
  /** Prompt tokens neither read from nor written to a cache (OpenAI/Gemini: prompt − cached). */
  inputTokens: number
  cacheReadTokens: number
  /** 5-minute cache writes (Anthropic `cache_creation_input_tokens` minus the 1-hour part). */
  cacheWriteTokens: number
  /** 1-hour cache writes (Anthropic `ephemeral_1h_input_tokens`). */
  cacheWrite1hTokens: number
  /** Everything billed at the output price, reasoning / thoughts included. */
  outputTokens: number
  /** Informational: already inside `outputTokens`, never billed again. */
  reasoningTokens: number
}

/** The request's whole prompt, which selects the long-context tier. */
export function countBillablePromptTokens(usage: BillableUsage): number {
  return usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens + usage.cacheWrite1hTokens
}

/** A count as a bigint; a count that is not a non-negative safe integer is a caller bug, never billed silently. */
export function toCountBigInt(value: number, field: string): bigint {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${field} must be a non-negative integer, got ${value}`)
  }
  return BigInt(value)
}
