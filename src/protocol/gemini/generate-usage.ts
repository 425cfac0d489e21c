import type { IUsage, JsonObject } from '../translate/internal-model.ts'
import { numberOr, objectOr } from './generate-json.ts'

/**
 * Gemini `usageMetadata` as internal usage (translation-map §4, §8 #10): input = prompt + tool-use prompt (the
 * cached part is inside the prompt), output = candidates + thoughts (thoughts are NOT inside candidates),
 * reasoning = thoughts when Gemini reports them. Undefined when no count is present.
 */
export function decodeGeminiUsage(value: unknown): IUsage | undefined {
  const meta = objectOr(value)
  if (!meta) return undefined
  const count = (field: string) => numberOr(meta[field])
  const prompt = count('promptTokenCount')
  const candidates = count('candidatesTokenCount')
  const thoughts = count('thoughtsTokenCount')
  const toolUse = count('toolUsePromptTokenCount')
  const cached = count('cachedContentTokenCount')
  if ([prompt, candidates, thoughts, toolUse, cached].every((c) => c === undefined)) return undefined
  const usage: IUsage = {
    input: (prompt ?? 0) + (toolUse ?? 0),
    cacheRead: cached ?? 0,
    cacheWrite: 0,
    output: (candidates ?? 0) + (thoughts ?? 0),
  }
  if (thoughts !== undefined) usage.reasoning = thoughts
  return usage
}

/**
 * Internal usage as `usageMetadata` for a Gemini client: prompt = all input (cache reads and writes included),
 * candidates = output − reasoning, thoughts = reasoning when known, total = input + output.
 */
export function encodeGeminiUsage(usage: IUsage): JsonObject {
  const reasoning = usage.reasoning ?? 0
  const meta: JsonObject = { promptTokenCount: usage.input, candidatesTokenCount: usage.output - reasoning }
  if (usage.cacheRead > 0) meta.cachedContentTokenCount = usage.cacheRead
  if (usage.reasoning !== undefined) meta.thoughtsTokenCount = usage.reasoning
  meta.totalTokenCount = usage.input + usage.output
  return meta
}

/** Merge a chunk's running totals into what the stream reported so far: the last value of each field wins. */
export function mergeUsageMetadata(into: JsonObject, value: unknown): boolean {
  const meta = objectOr(value)
  if (!meta) return false
  for (const [key, v] of Object.entries(meta)) if (typeof v === 'number') into[key] = v
  return true
}
