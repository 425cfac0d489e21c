import {
  asRecord,
  createEmptyUsage,
  readTokenCount,
  rejectImplausibleUsage,
  type Usage,
} from '../usage/usage.ts'

/**
 * Converts an OpenAI Responses-style `usage` object (`input_tokens`, `input_tokens_details.cached_tokens`,
 * `output_tokens`, `output_tokens_details.reasoning_tokens`). Cached tokens are a subset of input tokens,
 * reasoning tokens a subset of output tokens. Image generation and token-billed transcription use the
 * same field names.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */
export function convertOpenAiResponsesUsage(raw: unknown): Usage {
  const usage = createEmptyUsage()
  const u = asRecord(raw)
  if (!u) return usage
  const input = readTokenCount(u.input_tokens)
  const output = readTokenCount(u.output_tokens)
  if (input === undefined && output === undefined) return usage
  const prompt = input ?? 0
  const cached = Math.min(prompt, readTokenCount(asRecord(u.input_tokens_details)?.cached_tokens) ?? 0)
  usage.inputTokens = prompt - cached
  usage.cacheReadTokens = cached
  usage.outputTokens = output ?? 0
  usage.reasoningTokens = Math.min(
    usage.outputTokens,
    readTokenCount(asRecord(u.output_tokens_details)?.reasoning_tokens) ?? 0,
  )
  usage.reported = true
  return rejectImplausibleUsage(usage)
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
