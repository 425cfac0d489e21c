import type { Json } from '../translate/internal-model.ts'
import { isObject } from './generate-json.ts'

/** Keys whose values are the client's own data (arguments, results, schemas): their inner keys stay as sent. */
const OPAQUE = new Set([
  'args',
  'response',
  'parameters',
  'parametersJsonSchema',
  'responseSchema',
  'responseJsonSchema',
])

const camel = (key: string): string => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/**
 * Gemini's REST API takes proto field names in either spelling (`system_instruction` or `systemInstruction`;
 * Google's own curl examples use snake_case). The codec reads camelCase, so structural keys are camel-cased
 * first; the client's data (function arguments and responses, schemas) is left exactly as sent.
 */
export function camelCaseKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(camelCaseKeys)
  if (!isObject(value)) return value
  const out: { [key: string]: Json } = {}
  for (const [key, inner] of Object.entries(value)) {
    const name = camel(key)
    out[name] = OPAQUE.has(name) ? inner : camelCaseKeys(inner)
  }
  return out
}
