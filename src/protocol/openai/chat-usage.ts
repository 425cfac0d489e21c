import type { IUsage, Json, JsonObject } from '../translate/internal-model.ts'
import { isObject } from './chat-read-json.ts'

const count = (v: Json | undefined): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined

/**
 * Chat Completions `usage` → IUsage. `prompt_tokens` already includes the cached part and `completion_tokens` the
 * reasoning part (docs/architecture.md › Usage), so they are taken as they are: input = prompt, cacheRead = cached
 * (or DeepSeek's `prompt_cache_hit_tokens`), output = completion; reasoning only when the server reported it.
 * Undefined when the value is not a usage object (`usage: null` on ordinary chunks).
 */
export function decodeChatUsage(raw: Json | undefined): IUsage | undefined {
  if (!isObject(raw)) return undefined
  const prompt = count(raw.prompt_tokens)
  const completion = count(raw.completion_tokens)
  if (prompt === undefined && completion === undefined) return undefined
  const promptDetails = isObject(raw.prompt_tokens_details) ? raw.prompt_tokens_details : {}
  const completionDetails = isObject(raw.completion_tokens_details) ? raw.completion_tokens_details : {}
  const usage: IUsage = {
    input: prompt ?? 0,
    cacheRead: count(promptDetails.cached_tokens) ?? count(raw.prompt_cache_hit_tokens) ?? 0,
    cacheWrite: 0,
    output: completion ?? 0,
  }
  const reasoning = count(completionDetails.reasoning_tokens)
  if (reasoning !== undefined) usage.reasoning = reasoning
  return usage
}

/**
 * IUsage → Chat Completions `usage`: prompt = all input (cache reads and writes included, §8 #9 of the translation
 * map), cached = cache reads, completion = all output; `reasoning_tokens` only when known (Anthropic reports none).
 */
export function encodeChatUsage(usage: IUsage): JsonObject {
  const out: JsonObject = {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead },
  }
  if (usage.reasoning !== undefined) out.completion_tokens_details = { reasoning_tokens: usage.reasoning }
  return out
}
