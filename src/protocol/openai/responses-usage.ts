import type { IUsage, Json, JsonObject } from '../translate/internal-model.ts'
import { isObject } from './responses-read-json.ts'

const count = (v: Json | undefined): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined

/**
 * A Responses `usage` object as the internal usage: `input_tokens` already includes the cached tokens and
 * `output_tokens` the reasoning tokens (translation-map §4). Reasoning stays undefined when not reported.
 */
export function decodeResponsesUsage(raw: Json | undefined): IUsage | undefined {
  if (!isObject(raw)) return undefined
  const input = count(raw.input_tokens)
  const output = count(raw.output_tokens)
  if (input === undefined && output === undefined) return undefined
  const inDetails = isObject(raw.input_tokens_details) ? raw.input_tokens_details : {}
  const outDetails = isObject(raw.output_tokens_details) ? raw.output_tokens_details : {}
  const usage: IUsage = {
    input: input ?? 0,
    cacheRead: count(inDetails.cached_tokens) ?? 0,
    cacheWrite: 0,
    output: output ?? 0,
  }
  const reasoning = count(outDetails.reasoning_tokens)
  if (reasoning !== undefined) usage.reasoning = reasoning
  return usage
}

/** The internal usage in Responses' fields; an unknown reasoning count is reported as 0 (the field is required). */
export function encodeResponsesUsage(u: IUsage): JsonObject {
  return {
    input_tokens: u.input,
    input_tokens_details: { cached_tokens: u.cacheRead },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
    total_tokens: u.input + u.output,
  }
}
