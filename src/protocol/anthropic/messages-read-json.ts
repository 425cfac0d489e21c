import type { Json, JsonObject } from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'

/**
 * Shape checks for an Anthropic Messages body read by the codec. Each names the client's field, so a value of a
 * shape the codec cannot read is refused (400 naming it) rather than guessed at.
 */

export function isJsonObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function refuseShape(path: string, expected: string): never {
  throw new TranslationRefusal(path, `${path}: expected ${expected}`)
}

export function expectObject(v: Json | undefined, path: string): JsonObject {
  return isJsonObject(v) ? v : refuseShape(path, 'an object')
}

export function expectArray(v: Json | undefined, path: string): Json[] {
  return Array.isArray(v) ? v : refuseShape(path, 'an array')
}

export function expectString(v: Json | undefined, path: string): string {
  return typeof v === 'string' ? v : refuseShape(path, 'a string')
}

/** Absent and null are both "not set" (the SDKs send null for some optional fields). */
export function maybeString(v: Json | undefined, path: string): string | undefined {
  return v === undefined || v === null ? undefined : expectString(v, path)
}

export function maybeNumber(v: Json | undefined, path: string): number | undefined {
  if (v === undefined || v === null) return undefined
  return typeof v === 'number' && Number.isFinite(v) ? v : refuseShape(path, 'a number')
}

export function maybeBoolean(v: Json | undefined, path: string): boolean | undefined {
  if (v === undefined || v === null) return undefined
  return typeof v === 'boolean' ? v : refuseShape(path, 'true or false')
}

/** Refuses the first key of `obj` outside `known`, naming it under `prefix` (e.g. `messages[2].content[0].citations`). */
export function refuseOtherKeys(obj: JsonObject, known: ReadonlySet<string>, prefix: string): void {
  for (const key of Object.keys(obj)) {
    if (known.has(key)) continue
    const path = prefix ? `${prefix}.${key}` : key
    throw new TranslationRefusal(path, `${path}: cannot be translated to another provider`)
  }
}

/** JSON text holding an object (an SSE data line, an error body), else undefined. */
export function parseObjectText(text: string): JsonObject | undefined {
  try {
    const v = JSON.parse(text) as Json
    return isJsonObject(v) ? v : undefined
  } catch {
    return undefined
  }
}
