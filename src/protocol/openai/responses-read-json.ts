import type { Json, JsonObject } from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'

/** Small readers of untrusted Responses JSON; a value of the wrong type is refused naming its field. */

export const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Absent and `null` are the same to OpenAI: the field is not set. */
export const isSet = (v: Json | undefined): boolean => v !== undefined && v !== null

export function readString(obj: JsonObject, key: string, path: string): string | undefined {
  const v = obj[key]
  if (!isSet(v)) return undefined
  if (typeof v !== 'string') throw new TranslationRefusal(path, `${path}: expected a string`)
  return v
}

export function requireString(obj: JsonObject, key: string, path: string): string {
  const v = readString(obj, key, path)
  if (v === undefined) throw new TranslationRefusal(path, `${path}: required`)
  return v
}

export function readNumber(obj: JsonObject, key: string, path: string): number | undefined {
  const v = obj[key]
  if (!isSet(v)) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new TranslationRefusal(path, `${path}: expected a number`)
  return v
}

export function readBoolean(obj: JsonObject, key: string, path: string): boolean | undefined {
  const v = obj[key]
  if (!isSet(v)) return undefined
  if (typeof v !== 'boolean') throw new TranslationRefusal(path, `${path}: expected a boolean`)
  return v
}

export function readObject(obj: JsonObject, key: string, path: string): JsonObject | undefined {
  const v = obj[key]
  if (!isSet(v)) return undefined
  if (!isObject(v)) throw new TranslationRefusal(path, `${path}: expected an object`)
  return v
}

export function readArray(obj: JsonObject, key: string, path: string): Json[] | undefined {
  const v = obj[key]
  if (!isSet(v)) return undefined
  if (!Array.isArray(v)) throw new TranslationRefusal(path, `${path}: expected an array`)
  return v
}

/** Refuses every key of `obj` that is set and neither placed nor listed as harmless. */
export function refuseUnknownKeys(obj: JsonObject, known: ReadonlySet<string>, prefix: string): void {
  for (const key of Object.keys(obj)) {
    if (known.has(key) || !isSet(obj[key])) continue
    const path = prefix === '' ? key : `${prefix}.${key}`
    throw new TranslationRefusal(path, `${path}: not supported when translating to another provider`)
  }
}

/** `data:<type>;base64,<data>` → its parts, else undefined (a web URL). */
export function splitDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const m = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s.exec(url)
  if (!m) return undefined
  const mediaType = m[1].toLowerCase()
  return { mediaType: mediaType === 'image/jpg' ? 'image/jpeg' : mediaType, data: m[2] }
}
