import { asRecord, createEmptyUsage, readTokenCounts, reportedUsage, type Usage } from '../usage/usage.ts'

const FIELDS = {
  prompt: 'promptTokenCount',
  candidates: 'candidatesTokenCount',
  thoughts: 'thoughtsTokenCount',
  toolUse: 'toolUsePromptTokenCount',
  cached: 'cachedContentTokenCount',
} as const

/**
 * Converts a Gemini `usageMetadata` object.
 *
 * `cachedContentTokenCount` is a subset of `promptTokenCount`; `thoughtsTokenCount` is NOT inside
 * `candidatesTokenCount`, so output = candidates + thoughts. `toolUsePromptTokenCount` (tool results fed
 * back to the model, e.g. search grounding) is outside `promptTokenCount` and billed as input.
 * @see https://ai.google.dev/api/generate-content#UsageMetadata
 */
export function convertGeminiUsage(raw: unknown): Usage {
  const c = readTokenCounts(raw, FIELDS)
  if (!c) return createEmptyUsage()
  const cached = Math.min(c.prompt ?? 0, c.cached ?? 0)
  return reportedUsage({
    inputTokens: (c.prompt ?? 0) - cached + (c.toolUse ?? 0),
    cacheReadTokens: cached,
    outputTokens: (c.candidates ?? 0) + (c.thoughts ?? 0),
    reasoningTokens: c.thoughts ?? 0,
  })
}

/** Usage of a non-streamed Gemini `generateContent` body (`{candidates, usageMetadata}`). */
export function extractGeminiUsage(body: unknown): Usage {
  return convertGeminiUsage(asRecord(body)?.usageMetadata)
}
