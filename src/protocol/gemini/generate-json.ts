import type { Json, JsonObject } from '../translate/internal-model.ts'

/** Small readers of untyped wire JSON for the Gemini generateContent codec. */

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function objectOr(value: unknown): JsonObject | undefined {
  return isObject(value) ? value : undefined
}

export function arrayOf(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : []
}

export function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

export function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

/** A parsed JSON object, or undefined when the text is not JSON or not an object. */
export function parseObject(text: string): JsonObject | undefined {
  try {
    return objectOr(JSON.parse(text))
  } catch {
    return undefined
  }
}
