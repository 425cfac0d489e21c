import type { Json, JsonObject } from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'

/**
 * Typed reads of a Chat Completions body for the codec: each names the client's field when the value has a shape
 * the codec cannot read, so a malformed field is refused (400 naming it) rather than guessed at.
 */

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** The value is absent: missing or JSON null (OpenAI treats both as "not set"). */
export function isUnset(v: Json | undefined): v is undefined | null {
  return v === undefined || v === null
}

export function readObject(v: Json | undefined, path: string): JsonObject {
  if (!isObject(v)) throw new TranslationRefusal(path, `${path}: expected an object`)
  return v
}

export function readArray(v: Json | undefined, path: string): Json[] {
  if (!Array.isArray(v)) throw new TranslationRefusal(path, `${path}: expected an array`)
  return v
}

export function readString(v: Json | undefined, path: string): string {
  if (typeof v !== 'string') throw new TranslationRefusal(path, `${path}: expected a string`)
  return v
}

export function readNumber(v: Json | undefined, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new TranslationRefusal(path, `${path}: expected a number`)
  }
  return v
}

export function readBoolean(v: Json | undefined, path: string): boolean {
  if (typeof v !== 'boolean') throw new TranslationRefusal(path, `${path}: expected true or false`)
  return v
}

export function optionalString(v: Json | undefined, path: string): string | undefined {
  return isUnset(v) ? undefined : readString(v, path)
}

export function optionalNumber(v: Json | undefined, path: string): number | undefined {
  return isUnset(v) ? undefined : readNumber(v, path)
}

export function optionalBoolean(v: Json | undefined, path: string): boolean | undefined {
  return isUnset(v) ? undefined : readBoolean(v, path)
}

/** Refuses every key of `obj` not in `known`, naming it under `prefix` (e.g. `messages[2].audio`). */
export function refuseUnknownKeys(obj: JsonObject, known: ReadonlySet<string>, prefix: string): void {
  for (const key of Object.keys(obj)) {
    if (!known.has(key)) {
      const path = prefix === '' ? key : `${prefix}.${key}`
      throw new TranslationRefusal(path, `${path}: not supported when translating to another provider`)
    }
  }
}

/** Parses JSON text that should hold an object (a stream chunk, an error body); undefined when it does not. */
export function parseJsonObject(text: string): JsonObject | undefined {
  try {
    const v = JSON.parse(text) as Json
    return isObject(v) ? v : undefined
  } catch {
    return undefined
  }
}
