import { readOutputLimit } from '../protocol/protocols.ts'

/**
 * The output limit a request asked for, in any protocol's field (each protocol folder declares its own:
 * `outputLimitFields`), or null: admission estimates the reservation from it.
 */
export function readMaxTokens(json: Record<string, unknown> | null): number | null {
  return readOutputLimit(json).maxTokens
}

/** How many answers the request asked for (OpenAI's `n`, Gemini's `candidateCount`), 1 to 128. */
export function readN(json: Record<string, unknown> | null): number {
  return readOutputLimit(json).n
}
