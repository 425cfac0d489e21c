import { asRecord } from '../usage/usage.ts'

/**
 * True for the extra final chunk OpenAI sends when `stream_options.include_usage` is set: `choices: []`
 * and a non-null `usage`. The gateway removes it when it injected `include_usage` itself.
 * Accepts the raw `data:` payload or its parsed JSON.
 */
export function isUsageOnlyChunk(chunk: unknown): boolean {
  let json: Record<string, unknown> | undefined
  if (typeof chunk === 'string') {
    // Cheap pre-filter: content chunks are the vast majority and never need a second JSON parse.
    if (!chunk.includes('"usage"') || !chunk.includes('"choices"')) return false
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
