import { asRecord } from '../usage/usage.ts'

const EMPTY_CHOICES = /"choices"\s*:\s*\[\s*\]/

/**
 * True for the extra final chunk OpenAI sends when `stream_options.include_usage` is set: `choices: []`
 * and a non-null `usage`. The gateway removes it when it injected `include_usage` itself.
 * Accepts the raw `data:` payload or its parsed JSON.
 */
export function isUsageOnlyChunk(chunk: unknown): boolean {
  let json: Record<string, unknown> | undefined
  if (typeof chunk === 'string') {
    // Cheap pre-filter: content chunks are the vast majority and never need a second JSON parse. With
    // include_usage every chunk names `usage` (null until the last), so the test is the empty `choices` array,
    // which a content chunk never has (quotes inside string values are escaped, so text cannot imitate it).
    if (!EMPTY_CHOICES.test(chunk) || !chunk.includes('"usage"')) return false
    try {
      json = asRecord(JSON.parse(chunk))
    } catch {
      return false
    }
  } else {
    json = asRecord(chunk)
  }
  if (!json) return false
  const { choices, usage } = json
  return Array.isArray(choices) && choices.length === 0 && asRecord(usage) !== undefined
}
