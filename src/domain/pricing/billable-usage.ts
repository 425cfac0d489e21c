import type { Usage } from '../../protocol/usage/usage.ts'

/**
 * Token counts as billed: the protocol layer's normalised `Usage` without its `reported` flag. The input
 * categories are disjoint: each prompt token is in exactly one of inputTokens / cacheReadTokens /
 * cacheWriteTokens / cacheWrite1hTokens; `reasoningTokens` is informational, already inside `outputTokens`.
 */
export type BillableUsage = Omit<Usage, 'reported'>

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
