import { asRecord, createEmptyUsage, readTokenCounts, reportedUsage, type Usage } from '../usage/usage.ts'

const FIELDS = {
  input: 'input_tokens',
  output: 'output_tokens',
  cached: 'input_tokens_details.cached_tokens',
  reasoning: 'output_tokens_details.reasoning_tokens',
} as const

/**
 * OpenAI's usage under either naming (`prompt_tokens` or `input_tokens`): cached tokens are a subset of the
 * prompt, reasoning tokens a subset of the output.
 */
export function openAiUsage(prompt: number, cached: number, output: number, reasoning: number): Usage {
  const cachedIn = Math.min(prompt, cached)
  return reportedUsage({
    inputTokens: prompt - cachedIn,
    cacheReadTokens: cachedIn,
    outputTokens: output,
    reasoningTokens: Math.min(output, reasoning),
  })
}

/**
 * Converts an OpenAI Responses-style `usage` object (`input_tokens`, `input_tokens_details.cached_tokens`,
 * `output_tokens`, `output_tokens_details.reasoning_tokens`). Cached tokens are a subset of input tokens,
 * reasoning tokens a subset of output tokens. Image generation and token-billed transcription use the
 * same field names.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */
export function convertOpenAiResponsesUsage(raw: unknown): Usage {
  const c = readTokenCounts(raw, FIELDS, ['input', 'output'])
  if (!c) return createEmptyUsage()
  return openAiUsage(c.input ?? 0, c.cached ?? 0, c.output ?? 0, c.reasoning ?? 0)
}

/**
 * Usage of a non-streamed Responses API body (`{object: "response", usage}`), or of a stream event that
 * wraps the response (`response.completed` / `response.incomplete` / `response.failed`).
 */
export function extractOpenAiResponsesUsage(body: unknown): Usage {
  const b = asRecord(body)
  if (!b) return createEmptyUsage()
  if (b.usage === undefined) {
    const response = asRecord(b.response)
    if (response) return convertOpenAiResponsesUsage(response.usage)
  }
  return convertOpenAiResponsesUsage(b.usage)
}
