import type { IReasoning, IRequest, Json, JsonObject } from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import { decodeChatMessages } from './chat-decode-messages.ts'
import { decodeChatResponseFormat, decodeChatToolChoice, decodeChatTools } from './chat-decode-tools.ts'
import {
  isObject,
  isUnset,
  optionalBoolean,
  optionalNumber,
  optionalString,
  readArray,
  readObject,
  readString,
  refuseUnknownKeys,
} from './chat-read-json.ts'

/**
 * Fields read elsewhere in this file, and the hints dropped on purpose when translating: OpenAI-side storage and
 * billing options (`store`, `metadata`, `service_tier`) and cache retention have no meaning at another provider.
 */
const KNOWN = new Set([
  'model',
  'messages',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'max_completion_tokens',
  'max_tokens',
  'temperature',
  'top_p',
  'stop',
  'seed',
  'presence_penalty',
  'frequency_penalty',
  'n',
  'reasoning_effort',
  'stream',
  'stream_options',
  'user',
  'safety_identifier',
  'prompt_cache_key',
  'logprobs',
  'top_logprobs',
  'logit_bias',
  'modalities',
  'verbosity',
  // dropped on purpose (docs: chat-codec.ts)
  'store',
  'metadata',
  'service_tier',
  'prompt_cache_retention',
])

const EFFORTS = new Set(['none', 'minimal', 'low', 'medium', 'high', 'xhigh'])

const refuse = (field: string, why: string): never => {
  throw new TranslationRefusal(field, `${field}: ${why}`)
}

/**
 * Options that only mean something at OpenAI (log probabilities, token biases, audio output, verbosity) are refused
 * when set to anything but their default; their defaults are accepted, since SDKs and tools send them explicitly.
 */
function refuseOpenAiOnlyOptions(body: JsonObject): void {
  if (body.logprobs === true) refuse('logprobs', 'log probabilities cannot be translated')
  if (!isUnset(body.top_logprobs) && body.top_logprobs !== 0) {
    refuse('top_logprobs', 'log probabilities cannot be translated')
  }
  if (
    !isUnset(body.logit_bias) &&
    !(isObject(body.logit_bias) && Object.keys(body.logit_bias).length === 0)
  ) {
    refuse('logit_bias', 'token biases cannot be translated')
  }
  if (!isUnset(body.modalities)) {
    const modalities = readArray(body.modalities, 'modalities')
    if (modalities.some((m) => m !== 'text')) refuse('modalities', 'only text output can be translated')
  }
  if (!isUnset(body.verbosity) && body.verbosity !== 'medium') {
    refuse('verbosity', 'verbosity cannot be translated')
  }
}

function decodeStop(raw: Json): string[] {
  if (typeof raw === 'string') return [raw]
  return readArray(raw, 'stop').map((s, i) => readString(s, `stop[${i}]`))
}

function decodeReasoningEffort(raw: Json): IReasoning {
  const effort = readString(raw, 'reasoning_effort')
  if (!EFFORTS.has(effort)) refuse('reasoning_effort', `unknown effort "${effort}"`)
  return { enabled: effort !== 'none', effort: effort as IReasoning['effort'] }
}

/** Sets a number field and its client path when the client sent it. */
function setNumber(
  req: IRequest,
  body: JsonObject,
  field: 'temperature' | 'topP' | 'seed' | 'presencePenalty' | 'frequencyPenalty' | 'candidateCount',
  name: string,
): void {
  const v = optionalNumber(body[name], name)
  if (v === undefined) return
  req[field] = v
  req.paths[field] = name
}

/**
 * A Chat Completions request body → IRequest (translation map §1). Every field is placed, dropped on purpose (see
 * KNOWN) or refused naming it; `max_completion_tokens` is read before the legacy `max_tokens` (§8 #18).
 */
export function decodeChatRequest(body: JsonObject): IRequest {
  refuseUnknownKeys(body, KNOWN, '')
  refuseOpenAiOnlyOptions(body)
  const { system, messages } = decodeChatMessages(body.messages)
  const req: IRequest = {
    model: readString(body.model, 'model'),
    system,
    messages,
    stream: optionalBoolean(body.stream, 'stream') ?? false,
    paths: {},
  }
  if (!isUnset(body.tools)) {
    req.tools = decodeChatTools(body.tools)
    req.paths.tools = 'tools'
  }
  if (!isUnset(body.tool_choice)) {
    req.toolChoice = decodeChatToolChoice(body.tool_choice)
    req.paths.toolChoice = 'tool_choice'
  }
  const parallel = optionalBoolean(body.parallel_tool_calls, 'parallel_tool_calls')
  if (parallel !== undefined) {
    req.parallelToolCalls = parallel
    req.paths.parallelToolCalls = 'parallel_tool_calls'
  }
  if (!isUnset(body.response_format)) {
    req.output = decodeChatResponseFormat(body.response_format)
    req.paths.output = 'response_format'
  }
  const limitField = isUnset(body.max_completion_tokens) ? 'max_tokens' : 'max_completion_tokens'
  const limit = optionalNumber(body[limitField], limitField)
  if (limit !== undefined) {
    req.maxOutputTokens = limit
    req.paths.maxOutputTokens = limitField
  }
  setNumber(req, body, 'temperature', 'temperature')
  setNumber(req, body, 'topP', 'top_p')
  setNumber(req, body, 'seed', 'seed')
  setNumber(req, body, 'presencePenalty', 'presence_penalty')
  setNumber(req, body, 'frequencyPenalty', 'frequency_penalty')
  setNumber(req, body, 'candidateCount', 'n')
  if (!isUnset(body.stop)) {
    req.stop = decodeStop(body.stop)
    req.paths.stop = 'stop'
  }
  if (!isUnset(body.reasoning_effort)) {
    req.reasoning = decodeReasoningEffort(body.reasoning_effort)
    req.paths.reasoning = 'reasoning_effort'
  }
  if (!isUnset(body.stream_options)) {
    const opts = readObject(body.stream_options, 'stream_options')
    const include = optionalBoolean(opts.include_usage, 'stream_options.include_usage')
    if (include !== undefined) req.includeUsage = include
  }
  const userField = isUnset(body.safety_identifier) ? 'user' : 'safety_identifier'
  const user = optionalString(body[userField], userField)
  if (user !== undefined) {
    req.user = user
    req.paths.user = userField
  }
  const cacheKey = optionalString(body.prompt_cache_key, 'prompt_cache_key')
  if (cacheKey !== undefined) {
    req.cacheKey = cacheKey
    req.paths.cacheKey = 'prompt_cache_key'
  }
  return req
}
