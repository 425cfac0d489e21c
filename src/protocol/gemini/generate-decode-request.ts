import type {
  IMediaSource,
  IMessage,
  IOutputFormat,
  IPart,
  IReasoning,
  IRequest,
  ISystemText,
  ITool,
  IToolChoice,
  JsonObject,
} from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import { encodeGeminiCallId } from './generate-ids.ts'
import { arrayOf, isObject, numberOr, objectOr, stringOr } from './generate-json.ts'
import { mediaPart } from './generate-media.ts'
import { camelCaseKeys } from './generate-normalise-keys.ts'
import { openApiToJsonSchema } from './generate-schema.ts'

/**
 * Top-level fields read without a place in the internal model, on purpose (docs/translation.md › Gemini):
 * `model` (the path names the model; the engine fills IRequest.model) and `safetySettings` whose thresholds only
 * loosen Google's own filters (`OFF`, `BLOCK_NONE`, `BLOCK_ONLY_HIGH`, unspecified), which no other provider has.
 * A stricter threshold asks for filtering another provider cannot apply: refused.
 */
export const GEMINI_HARMLESS_FIELDS = ['model', 'safetySettings'] as const

const LOOSE_THRESHOLDS = new Set(['OFF', 'BLOCK_NONE', 'BLOCK_ONLY_HIGH', 'HARM_BLOCK_THRESHOLD_UNSPECIFIED'])
const EFFORTS = new Set(['minimal', 'low', 'medium', 'high'])

function refuse(field: string, why: string): never {
  throw new TranslationRefusal(field, `${field}: ${why}`)
}

function refuseUnknownKeys(obj: JsonObject, known: readonly string[], at: string): void {
  for (const key of Object.keys(obj))
    if (!known.includes(key)) refuse(at ? `${at}.${key}` : key, 'has no equivalent in the target provider')
}

interface PendingCall {
  id: string
  rawId?: string
  name: string
  paired: boolean
}

/** A Gemini generateContent body (the model is in the path) as the internal request. */
export function decodeGeminiRequest(raw: JsonObject): IRequest {
  const json = camelCaseKeys(raw) as JsonObject
  refuseUnknownKeys(
    json,
    ['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', ...GEMINI_HARMLESS_FIELDS],
    '',
  )
  if (json.cachedContent !== undefined) refuse('cachedContent', 'a Gemini cache cannot be used elsewhere')
  checkSafetySettings(json.safetySettings)
  const req: IRequest = {
    model: '',
    system: decodeSystem(json.systemInstruction),
    messages: decodeContents(json.contents),
    stream: false,
    paths: {},
  }
  decodeTools(json.tools, req)
  decodeToolConfig(json.toolConfig, req)
  decodeGenerationConfig(json.generationConfig, req)
  return req
}

function checkSafetySettings(value: unknown): void {
  arrayOf(value).forEach((setting, i) => {
    const threshold = stringOr(objectOr(setting)?.threshold)
    if (threshold !== undefined && !LOOSE_THRESHOLDS.has(threshold))
      refuse(
        `safetySettings[${i}].threshold`,
        `${threshold} asks for filtering the target provider cannot apply`,
      )
  })
}

function decodeSystem(value: unknown): ISystemText[] {
  if (value === undefined) return []
  if (typeof value === 'string') return [{ role: 'system', text: value, path: 'systemInstruction' }]
  const content = objectOr(value) ?? refuse('systemInstruction', 'must be a Content object')
  return arrayOf(content.parts).map((part, i) => {
    const path = `systemInstruction.parts[${i}]`
    const obj = objectOr(part) ?? refuse(path, 'must be an object')
    refuseUnknownKeys(obj, ['text'], path)
    return { role: 'system', text: stringOr(obj.text) ?? refuse(path, 'only text parts translate'), path }
  })
}

function decodeContents(value: unknown): IMessage[] {
  const messages: IMessage[] = []
  let pending: PendingCall[] = []
  arrayOf(value).forEach((item, ci) => {
    const path = `contents[${ci}]`
    const content = objectOr(item) ?? refuse(path, 'must be a Content object')
    refuseUnknownKeys(content, ['role', 'parts'], path)
    const role = stringOr(content.role) ?? 'user'
    if (role !== 'user' && role !== 'model' && role !== 'function')
      refuse(`${path}.role`, `unknown role ${role}`)
    const assistant = role === 'model'
    const parts: IPart[] = []
    const calls: PendingCall[] = []
    arrayOf(content.parts).forEach((p, pi) => {
      const partPath = `${path}.parts[${pi}]`
      const part = objectOr(p) ?? refuse(partPath, 'must be a Part object')
      parts.push(...decodePart(part, partPath, assistant, calls, pending, ci, pi))
    })
    // The calls a following user turn (or several) may answer: those of the latest model turn.
    if (assistant) pending = calls
    messages.push({ role: assistant ? 'assistant' : 'user', parts, path })
  })
  return messages
}

function decodePart(
  part: JsonObject,
  path: string,
  assistant: boolean,
  calls: PendingCall[],
  pending: PendingCall[],
  ci: number,
  pi: number,
): IPart[] {
  refuseUnknownKeys(
    part,
    ['text', 'thought', 'thoughtSignature', 'inlineData', 'fileData', 'functionCall', 'functionResponse'],
    path,
  )
  const signature = stringOr(part.thoughtSignature)
  const modelOnly = (field: string) => {
    if (!assistant) refuse(`${path}.${field}`, 'belongs in a model turn')
  }
  if (part.functionCall !== undefined) {
    modelOnly('functionCall')
    const call = objectOr(part.functionCall) ?? refuse(`${path}.functionCall`, 'must be an object')
    refuseUnknownKeys(call, ['id', 'name', 'args'], `${path}.functionCall`)
    const name = stringOr(call.name) ?? refuse(`${path}.functionCall.name`, 'is required')
    const rawId = stringOr(call.id)
    // A call without Gemini's id gets one from its position: deterministic, unique in the conversation.
    const id = rawId || encodeGeminiCallId({ key: `c${ci}p${pi}` })
    calls.push({ id, rawId, name, paired: false })
    const args = call.args === undefined ? {} : call.args
    if (!isObject(args)) refuse(`${path}.functionCall.args`, 'must be an object')
    return [
      {
        type: 'tool_call',
        id,
        name,
        arguments: JSON.stringify(args),
        ...(signature ? { thoughtSignature: signature } : {}),
        path,
      },
    ]
  }
  if (part.functionResponse !== undefined) {
    if (assistant) refuse(`${path}.functionResponse`, 'belongs in a user turn')
    return [decodeFunctionResponse(part.functionResponse, `${path}.functionResponse`, pending)]
  }
  if (part.thought === true) {
    modelOnly('thought')
    return [{ type: 'thinking', text: stringOr(part.text) ?? '', origin: 'gemini', ...sig(signature), path }]
  }
  if (part.text !== undefined) {
    const text = stringOr(part.text) ?? refuse(`${path}.text`, 'must be a string')
    const out: IPart[] = text === '' ? [] : [{ type: 'text', text, path }]
    // A signature on a text part (often an empty one) is Gemini's replay token: an empty signed thinking part.
    if (signature) {
      modelOnly('thoughtSignature')
      out.push({ type: 'thinking', text: '', signature, origin: 'gemini', path: `${path}.thoughtSignature` })
    }
    return out
  }
  if (signature) refuse(`${path}.thoughtSignature`, 'a signature on a media part cannot be carried')
  if (part.inlineData !== undefined) return [decodeInlineData(part.inlineData, `${path}.inlineData`)]
  if (part.fileData !== undefined) return [decodeFileData(part.fileData, `${path}.fileData`)]
  return []
}

const sig = (signature: string | undefined) => (signature ? { signature } : {})

function decodeFunctionResponse(value: unknown, path: string, pending: PendingCall[]): IPart {
  const fr = objectOr(value) ?? refuse(path, 'must be an object')
  refuseUnknownKeys(fr, ['id', 'name', 'response', 'parts'], path)
  const name = stringOr(fr.name) ?? refuse(`${path}.name`, 'is required')
  const rawId = stringOr(fr.id)
  // Pair by Gemini's id when the call had it; else the first unanswered call of that name (Gemini CLI sends ids
  // of its own for calls that had none).
  const call =
    (rawId ? pending.find((c) => !c.paired && c.rawId === rawId) : undefined) ??
    pending.find((c) => !c.paired && c.name === name)
  if (!call) refuse(path, `answers no functionCall named ${name} of the previous model turn`)
  call.paired = true
  const response = objectOr(fr.response) ?? {}
  const keys = Object.keys(response)
  let content: string
  let isError = false
  if (keys.length === 1 && typeof response.output === 'string') content = response.output
  else if (keys.length === 1 && typeof response.error === 'string') {
    content = response.error
    isError = true
  } else content = JSON.stringify(response)
  // Gemini 3's multimodal function responses: the result's images follow its text.
  const media = arrayOf(fr.parts).map((p, i) => {
    const at = `${path}.parts[${i}]`
    const part = objectOr(p) ?? refuse(at, 'must be an object')
    refuseUnknownKeys(part, ['inlineData'], at)
    const image = decodeInlineData(part.inlineData, `${at}.inlineData`)
    if (image.type !== 'image') refuse(`${at}.inlineData`, 'only images translate inside a function response')
    return image
  })
  const result = media.length > 0 ? [{ type: 'text' as const, text: content, path }, ...media] : content
  return {
    type: 'tool_result',
    callId: call.id,
    name,
    content: result,
    ...(isError ? { isError } : {}),
    path,
  }
}

function decodeInlineData(value: unknown, path: string): IPart {
  const blob = objectOr(value) ?? refuse(path, 'must be an object')
  refuseUnknownKeys(blob, ['mimeType', 'data'], path)
  const mimeType = stringOr(blob.mimeType) ?? refuse(`${path}.mimeType`, 'is required')
  const data = stringOr(blob.data) ?? refuse(`${path}.data`, 'is required')
  return mediaPart(mimeType, { kind: 'base64', mediaType: mimeType, data }, path)
}

function decodeFileData(value: unknown, path: string): IPart {
  const file = objectOr(value) ?? refuse(path, 'must be an object')
  refuseUnknownKeys(file, ['mimeType', 'fileUri'], path)
  const fileUri = stringOr(file.fileUri) ?? refuse(`${path}.fileUri`, 'is required')
  const mimeType = stringOr(file.mimeType)
  const source: IMediaSource = { kind: 'file_id', fileId: fileUri, origin: 'gemini' }
  if (mimeType) source.mediaType = mimeType
  return mediaPart(mimeType ?? '', source, path)
}

function decodeTools(value: unknown, req: IRequest): void {
  if (value === undefined) return
  const tools: ITool[] = []
  arrayOf(value).forEach((t, ti) => {
    const tool = objectOr(t) ?? refuse(`tools[${ti}]`, 'must be an object')
    refuseUnknownKeys(tool, ['functionDeclarations'], `tools[${ti}]`)
    arrayOf(tool.functionDeclarations).forEach((d, di) => {
      const path = `tools[${ti}].functionDeclarations[${di}]`
      const decl = objectOr(d) ?? refuse(path, 'must be an object')
      refuseUnknownKeys(decl, ['name', 'description', 'parameters', 'parametersJsonSchema'], path)
      const name = stringOr(decl.name) ?? refuse(`${path}.name`, 'is required')
      const jsonSchema = objectOr(decl.parametersJsonSchema)
      const openApi = objectOr(decl.parameters)
      const parameters =
        jsonSchema ?? (openApi ? openApiToJsonSchema(openApi) : { type: 'object', properties: {} })
      const description = stringOr(decl.description)
      tools.push({ name, ...(description !== undefined ? { description } : {}), parameters, path })
    })
  })
  req.tools = tools
  req.paths.tools = 'tools'
}

function decodeToolConfig(value: unknown, req: IRequest): void {
  if (value === undefined) return
  const config = objectOr(value) ?? refuse('toolConfig', 'must be an object')
  refuseUnknownKeys(config, ['functionCallingConfig'], 'toolConfig')
  const at = 'toolConfig.functionCallingConfig'
  const fcc = objectOr(config.functionCallingConfig)
  if (!fcc) return
  refuseUnknownKeys(fcc, ['mode', 'allowedFunctionNames'], at)
  const mode = stringOr(fcc.mode) ?? 'AUTO'
  const names = arrayOf(fcc.allowedFunctionNames).filter((n): n is string => typeof n === 'string')
  let choice: IToolChoice
  if (mode === 'ANY') {
    if (names.length > 1)
      refuse(`${at}.allowedFunctionNames`, 'a choice among several named functions has no equivalent')
    choice = names.length === 1 ? { type: 'tool', name: names[0] } : { type: 'required' }
  } else if (mode === 'AUTO' || mode === 'MODE_UNSPECIFIED' || mode === 'NONE') {
    if (names.length > 0) refuse(`${at}.allowedFunctionNames`, `has no equivalent with mode ${mode}`)
    choice = mode === 'NONE' ? { type: 'none' } : { type: 'auto' }
  } else return refuse(`${at}.mode`, `${mode} has no equivalent`)
  req.toolChoice = choice
  req.paths.toolChoice = at
}

const CONFIG_FIELDS = [
  'temperature',
  'topP',
  'topK',
  'maxOutputTokens',
  'stopSequences',
  'candidateCount',
  'seed',
  'presencePenalty',
  'frequencyPenalty',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'responseModalities',
  'responseLogprobs',
  'thinkingConfig',
] as const

function decodeGenerationConfig(value: unknown, req: IRequest): void {
  if (value === undefined) return
  const gc = objectOr(value) ?? refuse('generationConfig', 'must be an object')
  refuseUnknownKeys(gc, CONFIG_FIELDS, 'generationConfig')
  const at = (f: string) => `generationConfig.${f}`
  const num = (f: string): number | undefined => {
    if (gc[f] === undefined) return undefined
    return numberOr(gc[f]) ?? refuse(at(f), 'must be a number')
  }
  const scalars = [
    ['temperature', 'temperature'],
    ['topP', 'topP'],
    ['topK', 'topK'],
    ['maxOutputTokens', 'maxOutputTokens'],
    ['candidateCount', 'candidateCount'],
    ['seed', 'seed'],
    ['presencePenalty', 'presencePenalty'],
    ['frequencyPenalty', 'frequencyPenalty'],
  ] as const
  for (const [wire, field] of scalars) {
    const n = num(wire)
    if (n === undefined) continue
    req[field] = n
    req.paths[field] = at(wire)
  }
  if (gc.stopSequences !== undefined) {
    req.stop = arrayOf(gc.stopSequences).map(
      (s, i) => stringOr(s) ?? refuse(at(`stopSequences[${i}]`), 'must be a string'),
    )
    req.paths.stop = at('stopSequences')
  }
  if (gc.responseLogprobs === true) refuse(at('responseLogprobs'), 'log probabilities do not translate')
  const modalities = arrayOf(gc.responseModalities)
  if (modalities.some((m) => m !== 'TEXT')) refuse(at('responseModalities'), 'only TEXT answers translate')
  decodeOutput(gc, req)
  if (gc.thinkingConfig !== undefined) decodeThinking(gc.thinkingConfig, req)
}

function decodeOutput(gc: JsonObject, req: IRequest): void {
  const mime = stringOr(gc.responseMimeType)
  const jsonSchema = objectOr(gc.responseJsonSchema)
  const openApi = objectOr(gc.responseSchema)
  let output: IOutputFormat | undefined
  if (jsonSchema) output = { type: 'json_schema', schema: jsonSchema }
  else if (openApi) output = { type: 'json_schema', schema: openApiToJsonSchema(openApi) }
  if (mime !== undefined && mime !== 'application/json' && mime !== 'text/plain')
    refuse('generationConfig.responseMimeType', `${mime} has no equivalent`)
  if (output && mime === 'text/plain')
    refuse('generationConfig.responseMimeType', 'a schema needs application/json')
  if (!output && mime === 'application/json') output = { type: 'json_object' }
  if (!output && mime === 'text/plain') output = { type: 'text' }
  if (!output) return
  req.output = output
  req.paths.output = jsonSchema
    ? 'generationConfig.responseJsonSchema'
    : openApi
      ? 'generationConfig.responseSchema'
      : 'generationConfig.responseMimeType'
}

function decodeThinking(value: unknown, req: IRequest): void {
  const at = 'generationConfig.thinkingConfig'
  const tc = objectOr(value) ?? refuse(at, 'must be an object')
  refuseUnknownKeys(tc, ['thinkingBudget', 'includeThoughts', 'thinkingLevel'], at)
  const budget =
    tc.thinkingBudget === undefined
      ? undefined
      : (numberOr(tc.thinkingBudget) ?? refuse(`${at}.thinkingBudget`, 'must be a number'))
  const level = stringOr(tc.thinkingLevel)?.toLowerCase()
  if (level !== undefined && !EFFORTS.has(level)) refuse(`${at}.thinkingLevel`, `${level} has no equivalent`)
  const include = tc.includeThoughts === true
  if (budget === undefined && level === undefined && !include) return
  const reasoning: IReasoning = { enabled: budget !== 0 }
  if (budget !== undefined) reasoning.budgetTokens = budget
  if (level !== undefined) reasoning.effort = level as IReasoning['effort']
  if (include) reasoning.summary = 'auto'
  req.reasoning = reasoning
  req.paths.reasoning = at
}
