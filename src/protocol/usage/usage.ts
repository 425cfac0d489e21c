/**
 * Token usage normalised across OpenAI, Anthropic and Gemini (SPEC §5.3, §6).
 *
 * The input categories are DISJOINT, so each token is billed exactly once at its own price:
 * prompt = inputTokens + cacheReadTokens + cacheWriteTokens + cacheWrite1hTokens.
 * `reasoningTokens` is informational only: it is already counted inside `outputTokens`.
 */
export interface Usage {
  /** Prompt tokens that were neither read from nor written to a prompt cache. */
  inputTokens: number
  /** Prompt tokens served from the provider's prompt cache. */
  cacheReadTokens: number
  /** Prompt tokens written to the cache with the default (5-minute) lifetime. Excludes `cacheWrite1hTokens`. */
  cacheWriteTokens: number
  /** Prompt tokens written to the cache with a 1-hour lifetime (Anthropic `ephemeral_1h_input_tokens`). */
  cacheWrite1hTokens: number
  /** Everything billed at the output price, reasoning/thinking included. */
  outputTokens: number
  /** Reasoning/thinking tokens, already inside `outputTokens`. */
  reasoningTokens: number
  /**
   * True when the provider reported usage. False means every count is 0 because nothing was reported and
   * the caller must estimate; a provider that reports zeros gives `reported: true` and is billed zero.
   */
  reported: boolean
}

/** A usage with every count 0 and `reported: false`. */
export function createEmptyUsage(): Usage {
  return {
    inputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    reported: false,
  }
}

/** All prompt tokens, cached or not. */
export function countPromptTokens(usage: Usage): number {
  return usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens + usage.cacheWrite1hTokens
}

/** A non-negative integer from an untrusted JSON value, or undefined when it is not a finite number. */
export function readTokenCount(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined
  return value > 0 ? Math.floor(value) : 0
}

/** `value` when it is a non-null, non-array object, else undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}
