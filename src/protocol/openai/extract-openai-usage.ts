import { convertOpenAiResponsesUsage, openAiUsage } from './extract-openai-responses-usage.ts'
import { asRecord, readTokenCounts, type Usage } from '../usage/usage.ts'

const FIELDS = {
  prompt: 'prompt_tokens',
  completion: 'completion_tokens',
  cached: 'prompt_tokens_details.cached_tokens',
  cacheHit: 'prompt_cache_hit_tokens',
  reasoning: 'completion_tokens_details.reasoning_tokens',
} as const

/**
 * Converts an OpenAI Chat Completions / Completions / Embeddings `usage` object.
 *
 * `prompt_tokens_details.cached_tokens` is a subset of `prompt_tokens` and
 * `completion_tokens_details.reasoning_tokens` a subset of `completion_tokens`, so uncached input is
 * prompt − cached and output is completion_tokens as reported. DeepSeek-style compat servers report cache
 * hits as `prompt_cache_hit_tokens` (also a subset of `prompt_tokens`). Bodies that use the Responses field
 * names (`input_tokens`, e.g. image generation or transcription) are converted as such.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
export function convertOpenAiUsage(raw: unknown): Usage {
  const c = readTokenCounts(raw, FIELDS, ['prompt', 'completion'])
  if (!c) return convertOpenAiResponsesUsage(raw)
  return openAiUsage(c.prompt ?? 0, c.cached ?? c.cacheHit ?? 0, c.completion ?? 0, c.reasoning ?? 0)
}

/** Usage of a non-streamed OpenAI chat completion, text completion or embeddings body. */
export function extractOpenAiUsage(body: unknown): Usage {
  return convertOpenAiUsage(asRecord(body)?.usage)
}
