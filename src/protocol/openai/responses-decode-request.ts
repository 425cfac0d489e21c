import type {
  IOutputFormat,
  IReasoning,
  IRequest,
  ITool,
  IToolChoice,
  Json,
  JsonObject,
} from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import { decodeResponsesInput } from './responses-decode-input.ts'
import {
  isObject,
  isSet,
  readArray,
  readBoolean,
  readNumber,
  readObject,
  readString,
  refuseUnknownKeys,
  requireString,
} from './responses-read-json.ts'

function refuse(path: string, why: string): never {
  throw new TranslationRefusal(path, `${path}: ${why}`)
}

/**
 * Request fields that change nothing another provider could honour, dropped on purpose (docs/translation.md):
 * storage and retention on OpenAI's side, extra output the client asks OpenAI for (`include`), routing tiers,
 * metadata (Codex's `client_metadata`: its window, session and turn ids), context truncation policy, verbosity
 * hints and the SSE obfuscation padding. `background:false`, `store` and `stream_options` are likewise harmless.
 */
const HARMLESS = new Set([
  'store',
  'include',
  'metadata',
  'client_metadata',
  'service_tier',
  'truncation',
  'prompt_cache_retention',
  'stream_options',
  'background',
])
const PLACED = new Set([
  'model',
  'instructions',
  'input',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'text',
  'reasoning',
  'max_output_tokens',
  'temperature',
  'top_p',
  'stream',
  'user',
  'safety_identifier',
  'prompt_cache_key',
])
const KNOWN = new Set([...HARMLESS, ...PLACED])

const EFFORTS = new Set(['none', 'minimal', 'low', 'medium', 'high', 'xhigh'])
const SUMMARIES = new Set(['auto', 'concise', 'detailed'])

/** A freeform tool's input as a function argument, so any provider can call it (docs/translation.md). */
function customParameters(format: JsonObject | undefined): JsonObject {
  const input: JsonObject = { type: 'string', description: 'The raw input of the tool.' }
  if (format?.type === 'grammar' && typeof format.definition === 'string') {
    const syntax = typeof format.syntax === 'string' ? format.syntax : 'grammar'
    input.description = `The raw input of the tool; it must match this ${syntax} grammar:\n${format.definition}`
  }
  return { type: 'object', properties: { input }, required: ['input'], additionalProperties: false }
}

function decodeTool(raw: Json, path: string): ITool {
  if (!isObject(raw)) refuse(path, 'expected a tool object')
  const type = readString(raw, 'type', `${path}.type`)
  if (type === 'function') {
    refuseUnknownKeys(raw, new Set(['type', 'name', 'description', 'parameters', 'strict']), path)
    const tool: ITool = {
      name: requireString(raw, 'name', `${path}.name`),
      parameters: readObject(raw, 'parameters', `${path}.parameters`) ?? { type: 'object', properties: {} },
      path,
    }
    const description = readString(raw, 'description', `${path}.description`)
    if (description !== undefined) tool.description = description
    const strict = readBoolean(raw, 'strict', `${path}.strict`)
    if (strict !== undefined) tool.strict = strict
    return tool
  }
  if (type === 'custom') {
    refuseUnknownKeys(raw, new Set(['type', 'name', 'description', 'format']), path)
    const format = readObject(raw, 'format', `${path}.format`)
    if (format && format.type !== 'text' && format.type !== 'grammar')
      refuse(`${path}.format`, 'unknown custom tool format')
    const tool: ITool = {
      name: requireString(raw, 'name', `${path}.name`),
      parameters: customParameters(format),
      custom: format ? { format } : {},
      path,
    }
    const description = readString(raw, 'description', `${path}.description`)
    if (description !== undefined) tool.description = description
    return tool
  }
  // web_search, file_search, code_interpreter, local_shell, computer_use, mcp, namespace…: OpenAI-hosted or
  // OpenAI-specific, with no equivalent at another provider (translation-map §1.3).
  return refuse(path, `the built-in tool "${String(type)}" cannot be translated to another provider`)
}

function decodeToolChoice(raw: Json | undefined): IToolChoice | undefined {
  if (!isSet(raw)) return undefined
  if (raw === 'auto' || raw === 'none' || raw === 'required') return { type: raw }
  if (isObject(raw) && (raw.type === 'function' || raw.type === 'custom') && typeof raw.name === 'string')
    return { type: 'tool', name: raw.name }
  return refuse('tool_choice', 'this tool_choice cannot be translated to another provider')
}

function decodeText(text: JsonObject | undefined): IOutputFormat | undefined {
  if (!text) return undefined
  // `verbosity` is a length hint with no equivalent elsewhere: dropped on purpose (docs/translation.md).
  refuseUnknownKeys(text, new Set(['format', 'verbosity']), 'text')
  const format = readObject(text, 'format', 'text.format')
  if (!format) return undefined
  const type = readString(format, 'type', 'text.format.type')
  if (type === 'text' || type === 'json_object') {
    refuseUnknownKeys(format, new Set(['type']), 'text.format')
    return { type }
  }
  if (type !== 'json_schema') refuse('text.format.type', `format "${String(type)}" cannot be translated`)
  refuseUnknownKeys(format, new Set(['type', 'name', 'schema', 'strict', 'description']), 'text.format')
  const schema = readObject(format, 'schema', 'text.format.schema')
  if (!schema) refuse('text.format.schema', 'required')
  const out: IOutputFormat = { type: 'json_schema', schema }
  const name = readString(format, 'name', 'text.format.name')
  if (name !== undefined) out.name = name
  const strict = readBoolean(format, 'strict', 'text.format.strict')
  if (strict !== undefined) out.strict = strict
  const description = readString(format, 'description', 'text.format.description')
  if (description !== undefined) out.description = description
  return out
}

function decodeReasoning(raw: JsonObject | undefined): IReasoning | undefined {
  if (!raw) return undefined
  // `generate_summary` is the deprecated name of `summary`.
  refuseUnknownKeys(raw, new Set(['effort', 'summary', 'generate_summary']), 'reasoning')
  const effort = readString(raw, 'effort', 'reasoning.effort')
  if (effort !== undefined && !EFFORTS.has(effort)) refuse('reasoning.effort', `unknown effort "${effort}"`)
  const summaryKey = isSet(raw.summary) ? 'summary' : 'generate_summary'
  const summary = readString(raw, summaryKey, `reasoning.${summaryKey}`)
  if (summary !== undefined && !SUMMARIES.has(summary))
    refuse(`reasoning.${summaryKey}`, `unknown summary "${summary}"`)
  const out: IReasoning = { enabled: effort !== 'none' }
  if (effort !== undefined) out.effort = effort as IReasoning['effort']
  if (summary !== undefined) out.summary = summary as IReasoning['summary']
  return out
}

/**
 * A Responses request body as the internal request (translation-map §1). `previous_response_id` and
 * `conversation` point at state kept by OpenAI, which another provider cannot read: refused (the engine decodes
 * only when translating; same-protocol traffic passes through untouched).
 */
export function decodeResponsesRequest(json: JsonObject): IRequest {
  if (isSet(json.previous_response_id))
    refuse('previous_response_id', 'responses stored by OpenAI cannot be continued at another provider')
  if (isSet(json.conversation))
    refuse('conversation', 'conversations stored by OpenAI cannot be continued at another provider')
  if (json.background === true) refuse('background', 'background responses cannot be translated')
  refuseUnknownKeys(json, KNOWN, '')

  const { system, messages } = decodeResponsesInput(json.input)
  const instructions = readString(json, 'instructions', 'instructions')
  if (instructions !== undefined) system.unshift({ role: 'system', text: instructions, path: 'instructions' })

  const req: IRequest = {
    model: requireString(json, 'model', 'model'),
    system,
    messages,
    stream: readBoolean(json, 'stream', 'stream') ?? false,
    paths: {},
  }
  const set = <K extends keyof IRequest>(key: K, value: IRequest[K] | undefined, path: string): void => {
    if (value === undefined) return
    req[key] = value
    req.paths[key as keyof IRequest['paths']] = path
  }
  const tools = readArray(json, 'tools', 'tools')
  if (tools && tools.length > 0)
    set(
      'tools',
      tools.map((t, i) => decodeTool(t, `tools[${i}]`)),
      'tools',
    )
  set('toolChoice', decodeToolChoice(json.tool_choice), 'tool_choice')
  set(
    'parallelToolCalls',
    readBoolean(json, 'parallel_tool_calls', 'parallel_tool_calls'),
    'parallel_tool_calls',
  )
  set('output', decodeText(readObject(json, 'text', 'text')), 'text.format')
  set('maxOutputTokens', readNumber(json, 'max_output_tokens', 'max_output_tokens'), 'max_output_tokens')
  set('temperature', readNumber(json, 'temperature', 'temperature'), 'temperature')
  set('topP', readNumber(json, 'top_p', 'top_p'), 'top_p')
  set('reasoning', decodeReasoning(readObject(json, 'reasoning', 'reasoning')), 'reasoning')
  const safety = readString(json, 'safety_identifier', 'safety_identifier')
  if (safety !== undefined) set('user', safety, 'safety_identifier')
  else set('user', readString(json, 'user', 'user'), 'user')
  set('cacheKey', readString(json, 'prompt_cache_key', 'prompt_cache_key'), 'prompt_cache_key')
  return req
}
