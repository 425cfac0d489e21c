import type { Json, JsonObject } from '../translate/internal-model.ts'
import { isObject } from './generate-json.ts'

/**
 * Gemini's OpenAPI 3.0 subset (`FunctionDeclaration.parameters`, `generationConfig.responseSchema`) as JSON
 * Schema, the internal model's schema language (docs/translation.md › Gemini › Schemas): `type` names lower-cased
 * (`STRING` → `string`), `nullable: true` → a type array with `null`, `example` → `examples`. `propertyOrdering`
 * is dropped: it orders a structured answer's keys and has no JSON Schema keyword; the answer's meaning is kept.
 * Everything else (`format`, `enum`, `properties`, `required`, `items`, `anyOf`, bounds) is JSON Schema already.
 */
export function openApiToJsonSchema(schema: JsonObject): JsonObject {
  const out: JsonObject = {}
  for (const [key, value] of Object.entries(schema)) {
    switch (key) {
      case 'type':
        if (typeof value === 'string' && value !== 'TYPE_UNSPECIFIED') out.type = value.toLowerCase()
        break
      case 'nullable':
      case 'propertyOrdering':
        break
      case 'example':
        out.examples = [value]
        break
      case 'properties':
        out.properties = isObject(value) ? mapValues(value) : value
        break
      case 'items':
        out.items = isObject(value) ? openApiToJsonSchema(value) : value
        break
      case 'anyOf':
        out.anyOf = Array.isArray(value)
          ? value.map((v) => (isObject(v) ? openApiToJsonSchema(v) : v))
          : value
        break
      default:
        out[key] = value
    }
  }
  if (schema.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null']
  return out
}

function mapValues(properties: JsonObject): JsonObject {
  const out: JsonObject = {}
  for (const [name, value] of Object.entries(properties))
    out[name] = isObject(value) ? openApiToJsonSchema(value) : (value satisfies Json)
  return out
}
