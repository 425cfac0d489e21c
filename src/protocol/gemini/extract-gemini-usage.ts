import {
  asRecord,
  createEmptyUsage,
  readTokenCount,
  rejectImplausibleUsage,
  type Usage,
} from '../usage/usage.ts'

/**
 * Converts a Gemini `usageMetadata` object.
 *
 * `cachedContentTokenCount` is a subset of `promptTokenCount`; `thoughtsTokenCount` is NOT inside
 * `candidatesTokenCount`, so output = candidates + thoughts. `toolUsePromptTokenCount` (tool results fed
 * back to the model, e.g. search grounding) is outside `promptTokenCount` and billed as input.
 * @see https://ai.google.dev/api/generate-content#UsageMetadata
 */
export function convertGeminiUsage(raw: unknown): Usage {
  const usage = createEmptyUsage()
  const u = asRecord(raw)
  if (!u) return usage
  const prompt = readTokenCount(u.promptTokenCount)
  const candidates = readTokenCount(u.candidatesTokenCount)
  const thoughts = readTokenCount(u.thoughtsTokenCount)
  const toolUse = readTokenCount(u.toolUsePromptTokenCount)
  const cachedReported = readTokenCount(u.cachedContentTokenCount)
  if (
    prompt === undefined &&
    candidates === undefined &&
    thoughts === undefined &&
    toolUse === undefined &&
    cachedReported === undefined
  ) {
    return usage
  }
  const cached = Math.min(prompt ?? 0, cachedReported ?? 0)
  usage.inputTokens = (prompt ?? 0) - cached + (toolUse ?? 0)
  usage.cacheReadTokens = cached
  usage.outputTokens = (candidates ?? 0) + (thoughts ?? 0)
  usage.reasoningTokens = thoughts ?? 0
  usage.reported = true
  return rejectImplausibleUsage(usage)
}

/** Usage of a non-streamed Gemini `generateContent` body (`{candidates, usageMetadata}`). */
export function extractGeminiUsage(body: unknown): Usage {
  return convertGeminiUsage(asRecord(body)?.usageMetadata)
}
