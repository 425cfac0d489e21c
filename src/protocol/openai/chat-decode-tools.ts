import type { IOutputFormat, ITool, IToolChoice, Json } from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import {
  isUnset,
  optionalBoolean,
  optionalString,
  readArray,
  readObject,
  readString,
  refuseUnknownKeys,
} from './chat-read-json.ts'

const TOOL_KEYS = new Set(['type', 'function'])
const FUNCTION_KEYS = new Set(['name', 'description', 'parameters', 'strict'])
const SCHEMA_KEYS = new Set(['name', 'description', 'schema', 'strict'])

/** A function declared without `parameters` takes none: an empty object schema. */
const NO_PARAMETERS = { type: 'object', properties: {} }

/** `tools[]`: function tools only; custom (grammar) tools have no equivalent elsewhere and are refused. */
export function decodeChatTools(raw: Json | undefined): ITool[] {
  return readArray(raw, 'tools').map((t, i) => {
    const path = `tools[${i}]`
    const tool = readObject(t, path)
    if (tool.type !== 'function') {
      throw new TranslationRefusal(`${path}.type`, `${path}.type: only function tools can be translated`)
    }
    refuseUnknownKeys(tool, TOOL_KEYS, path)
    const fn = readObject(tool.function, `${path}.function`)
    refuseUnknownKeys(fn, FUNCTION_KEYS, `${path}.function`)
    const out: ITool = {
      name: readString(fn.name, `${path}.function.name`),
      parameters: isUnset(fn.parameters)
        ? NO_PARAMETERS
        : readObject(fn.parameters, `${path}.function.parameters`),
      path,
    }
    const description = optionalString(fn.description, `${path}.function.description`)
    if (description !== undefined) out.description = description
    const strict = optionalBoolean(fn.strict, `${path}.function.strict`)
    if (strict !== undefined) out.strict = strict
    return out
  })
}

/** `tool_choice`: auto, none, required or one named function; `allowed_tools` and custom choices are refused. */
export function decodeChatToolChoice(raw: Json): IToolChoice {
  if (raw === 'auto' || raw === 'none' || raw === 'required') return { type: raw }
  const choice = readObject(raw, 'tool_choice')
  if (choice.type !== 'function') {
    throw new TranslationRefusal(
      'tool_choice',
      'tool_choice: only auto, none, required or a function can be translated',
    )
  }
  const fn = readObject(choice.function, 'tool_choice.function')
  return { type: 'tool', name: readString(fn.name, 'tool_choice.function.name') }
}

/** `response_format`: text, JSON mode, or a JSON schema with its name, description and strictness. */
export function decodeChatResponseFormat(raw: Json): IOutputFormat {
  const format = readObject(raw, 'response_format')
  if (format.type === 'text' || format.type === 'json_object') return { type: format.type }
  if (format.type !== 'json_schema') {
    throw new TranslationRefusal('response_format.type', 'response_format.type: unknown format')
  }
  const spec = readObject(format.json_schema, 'response_format.json_schema')
  refuseUnknownKeys(spec, SCHEMA_KEYS, 'response_format.json_schema')
  const out: IOutputFormat = {
    type: 'json_schema',
    name: readString(spec.name, 'response_format.json_schema.name'),
    schema: isUnset(spec.schema) ? {} : readObject(spec.schema, 'response_format.json_schema.schema'),
  }
  const description = optionalString(spec.description, 'response_format.json_schema.description')
  if (description !== undefined) out.description = description
  const strict = optionalBoolean(spec.strict, 'response_format.json_schema.strict')
  if (strict !== undefined) out.strict = strict
  return out
}
