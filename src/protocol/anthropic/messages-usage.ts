import type { IUsage, Json, JsonObject } from '../translate/internal-model.ts'
import { isJsonObject } from './messages-read-json.ts'

/**
 * Anthropic usage ↔ the internal usage (translation-map §4). Anthropic's `input_tokens`, `cache_read_input_tokens`
 * and `cache_creation_input_tokens` are disjoint, the internal `input` is all three together; thinking is inside
 * `output_tokens` and not reported apart, so `reasoning` stays unknown.
 */

function count(v: Json | undefined): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined
}

/** The fields an Anthropic usage object carries, each kept only when it is a count (last value wins per field). */
export interface AnthropicUsageCounts {
  input_tokens?: number
  cache_read_input_tokens?: number
  cache_creation_input_tokens?: number
  output_tokens?: number
}

/** Merges the counts of `raw` over `into` (a stream's `message_delta` repeats and updates `message_start`'s). */
export function mergeUsageCounts(into: AnthropicUsageCounts, raw: Json | undefined): boolean {
  if (!isJsonObject(raw)) return false
  let seen = false
  for (const key of [
    'input_tokens',
    'cache_read_input_tokens',
    'cache_creation_input_tokens',
    'output_tokens',
  ] as const) {
    const n = count(raw[key])
    if (n !== undefined) {
      into[key] = n
      seen = true
    }
  }
  return seen
}

export function usageFromCounts(c: AnthropicUsageCounts): IUsage {
  const cacheRead = c.cache_read_input_tokens ?? 0
  const cacheWrite = c.cache_creation_input_tokens ?? 0
  return {
    input: (c.input_tokens ?? 0) + cacheRead + cacheWrite,
    cacheRead,
    cacheWrite,
    output: c.output_tokens ?? 0,
  }
}

/** An answer's `usage` object as the internal usage; undefined when it carries no count. */
export function decodeAnthropicUsage(raw: Json | undefined): IUsage | undefined {
  const counts: AnthropicUsageCounts = {}
  return mergeUsageCounts(counts, raw) ? usageFromCounts(counts) : undefined
}

/**
 * The internal usage in Anthropic's fields: `input_tokens` is what was neither read from nor written to the
 * cache. Skipping the subtraction makes Claude Code count the cache twice and compact early (§8 #9).
 */
export function encodeAnthropicUsage(u: IUsage): JsonObject {
  return {
    input_tokens: Math.max(0, u.input - u.cacheRead - u.cacheWrite),
    cache_creation_input_tokens: u.cacheWrite,
    cache_read_input_tokens: u.cacheRead,
    output_tokens: u.output,
  }
}
