/**
 * The usage object of any of the four APIs read into one shape (translation-map §4), for the upstream's own
 * usage and for what a client saw alike: `input` is the whole prompt (Anthropic's three disjoint categories
 * summed), `output` includes reasoning (Gemini's thoughts added to its candidates).
 */
import type { WireJson } from './wire-json.ts'

/** The upstream API a request reached, or the API a client speaks. */
export type UpstreamApi = 'openai-chat' | 'openai-responses' | 'anthropic-messages' | 'gemini-generate'

export interface UsageFields {
  input: number
  cacheRead: number
  cacheWrite5m: number
  cacheWrite1h: number
  output: number
  /** Undefined where the API has no total (Anthropic). */
  total: number | undefined
  /** Undefined where the usage does not report it. */
  reasoning: number | undefined
}

export function readUsageFields(api: UpstreamApi, u: WireJson): UsageFields {
  switch (api) {
    case 'openai-chat':
      return openAiFields(
        u,
        u.prompt_tokens,
        u.prompt_tokens_details,
        u.completion_tokens,
        u.completion_tokens_details,
      )
    case 'openai-responses':
      return openAiFields(u, u.input_tokens, u.input_tokens_details, u.output_tokens, u.output_tokens_details)
    case 'anthropic-messages': {
      const write = u.cache_creation_input_tokens ?? 0
      const write1h = u.cache_creation?.ephemeral_1h_input_tokens ?? 0
      return {
        input: u.input_tokens + (u.cache_read_input_tokens ?? 0) + write,
        cacheRead: u.cache_read_input_tokens ?? 0,
        cacheWrite5m: write - write1h,
        cacheWrite1h: write1h,
        output: u.output_tokens,
        total: undefined,
        reasoning: u.output_tokens_details?.thinking_tokens,
      }
    }
    case 'gemini-generate':
      return {
        input: (u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0),
        cacheRead: u.cachedContentTokenCount ?? 0,
        cacheWrite5m: 0,
        cacheWrite1h: 0,
        output: (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0),
        total: u.totalTokenCount,
        reasoning: u.thoughtsTokenCount,
      }
  }
}

/** Chat Completions and Responses name the same counts differently; cached and reasoning are subsets. */
function openAiFields(
  u: WireJson,
  input: number,
  inputDetails: WireJson | undefined,
  output: number,
  outputDetails: WireJson | undefined,
): UsageFields {
  return {
    input,
    cacheRead: inputDetails?.cached_tokens ?? 0,
    cacheWrite5m: 0,
    cacheWrite1h: 0,
    output,
    total: u.total_tokens,
    reasoning: outputDetails?.reasoning_tokens,
  }
}
