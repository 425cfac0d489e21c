/**
 * The output limit a request asked for, in any protocol's field (OpenAI's `max_tokens`, `max_completion_tokens`,
 * Responses' `max_output_tokens`, Gemini's `generationConfig.maxOutputTokens`), or null: admission estimates the
 * reservation from it.
 */
export function readMaxTokens(json: Record<string, unknown> | null): number | null {
  if (!json) return null
  for (const k of ['max_tokens', 'max_completion_tokens', 'max_output_tokens']) {
    const v = json[k]
    if (isTokenCount(v)) return v
  }
  const gc = json.generationConfig as Record<string, unknown> | undefined
  if (gc && isTokenCount(gc.maxOutputTokens)) return gc.maxOutputTokens
  return null
}

/**
 * A limit the estimate can use; anything else (negative, fractional, beyond 2^53) reserves the default, and the
 * provider answers the nonsense itself. Above the default reservation the value changes nothing anyway.
 */
const isTokenCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

/** How many answers the request asked for (OpenAI's `n`, Gemini's `candidateCount`), 1 to 128. */
export function readN(json: Record<string, unknown> | null): number {
  const n = json?.n ?? (json?.generationConfig as Record<string, unknown> | undefined)?.candidateCount
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? Math.min(n, 128) : 1
}
