import { convertOpenAiResponsesUsage } from './extract-openai-responses-usage.ts'
import {
  asRecord,
  createEmptyUsage,
  readTokenCount,
  rejectImplausibleUsage,
  type Usage,
} from '../usage/usage.ts'

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
  const u = asRecord(raw)
  if (!u) return createEmptyUsage()
  const promptReported = readTokenCount(u.prompt_tokens)
  const completionReported = readTokenCount(u.completion_tokens)
  if (promptReported === undefined && completionReported === undefined) {
    return convertOpenAiResponsesUsage(u)
  }
  const prompt = promptReported ?? 0
  const completion = completionReported ?? 0
  const cachedReported =
    readTokenCount(asRecord(u.prompt_tokens_details)?.cached_tokens) ??
    readTokenCount(u.prompt_cache_hit_tokens)
  const cached = Math.min(prompt, cachedReported ?? 0)
  const reasoning = readTokenCount(asRecord(u.completion_tokens_details)?.reasoning_tokens) ?? 0
  return rejectImplausibleUsage({
    inputTokens: prompt - cached,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    outputTokens: completion,
    reasoningTokens: Math.min(completion, reasoning),
    reported: true,
  })
}

/** Usage of a non-streamed OpenAI chat completion, text completion or embeddings body. */
export function extractOpenAiUsage(body: unknown): Usage {
  return convertOpenAiUsage(asRecord(body)?.usage)
}
