/**
 * The gateway's one internal model of a request, a response, a stream event and an error, which every dialect's
 * decoder produces and every dialect's encoder consumes (docs/translation.md). Translation is
 * `encode_target(decode_client(x))`; nothing here is any one provider's shape.
 *
 * Lossless by construction: what a decoder cannot place in this model it refuses (a TranslationRefusal naming the
 * client's field); what an encoder cannot express in its dialect it refuses the same way, naming the client's field
 * through the `path` the decoder recorded. Nothing is dropped silently, except what docs/translation.md lists as
 * dropped on purpose (another provider's thinking, citations, cache-control hints).
 */

/** The four client-facing APIs the translator speaks; a protocol may have several (OpenAI: chat and responses). */
export type Dialect = 'openai-chat' | 'openai-responses' | 'anthropic-messages' | 'gemini-generate'
export const DIALECTS: readonly Dialect[] = [
  'openai-chat',
  'openai-responses',
  'anthropic-messages',
  'gemini-generate',
]

/** The provider family whose signatures and replay tokens a thinking block carries (valid only there). */
export type ThinkingOrigin = 'openai' | 'anthropic' | 'gemini'

/** A JSON value as parsed; schemas and tool results keep whatever the client sent. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonObject = { [key: string]: Json }

// ---------------------------------------------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------------------------------------------

export interface IRequest {
  /** The model the client named (the channel's upstream model is given to the encoder separately). */
  model: string
  /** System and developer instructions, in order; each keeps its role. Before the first message. */
  system: ISystemText[]
  messages: IMessage[]
  tools?: ITool[]
  toolChoice?: IToolChoice
  /** false: at most one tool call per turn (OpenAI `parallel_tool_calls:false`, Anthropic `disable_parallel_tool_use`). */
  parallelToolCalls?: boolean
  output?: IOutputFormat
  /** The client's limit on generated tokens (thinking included where the provider counts it there). */
  maxOutputTokens?: number
  temperature?: number
  topP?: number
  topK?: number
  stop?: string[]
  seed?: number
  presencePenalty?: number
  frequencyPenalty?: number
  /** Number of alternatives; only 1 translates. */
  candidateCount?: number
  reasoning?: IReasoning
  stream: boolean
  /** OpenAI chat `stream_options.include_usage`: the client wants the usage chunk. */
  includeUsage?: boolean
  /** An end-user id (OpenAI `user`/`safety_identifier`, Anthropic `metadata.user_id`). */
  user?: string
  /** A prompt-cache/session hint (OpenAI `prompt_cache_key`); dropped where the target has none. */
  cacheKey?: string
  /**
   * The client field of each request-level setting, for refusals: e.g. `{ topK: 'generationConfig.topK' }`.
   * Filled by the decoder for every field it set.
   */
  paths: Partial<Record<IRequestField, string>>
}

/** Request-level settings an encoder may refuse; `paths` maps them to the client's field names. */
export type IRequestField =
  | 'tools'
  | 'toolChoice'
  | 'parallelToolCalls'
  | 'output'
  | 'maxOutputTokens'
  | 'temperature'
  | 'topP'
  | 'topK'
  | 'stop'
  | 'seed'
  | 'presencePenalty'
  | 'frequencyPenalty'
  | 'candidateCount'
  | 'reasoning'
  | 'user'
  | 'cacheKey'

export interface ISystemText {
  role: 'system' | 'developer'
  text: string
  path: string
}

export interface IMessage {
  /** Tool results travel in `user` messages (as Anthropic and Gemini place them). */
  role: 'user' | 'assistant'
  parts: IPart[]
  /** The client's field of this message, e.g. `messages[3]`. */
  path: string
}

export type IPart =
  | ITextPart
  | IImagePart
  | IDocumentPart
  | IAudioPart
  | IToolCallPart
  | IToolResultPart
  | IThinkingPart
  | IRefusalPart

export interface ITextPart {
  type: 'text'
  text: string
  path: string
}

export type IMediaSource =
  | { kind: 'url'; url: string }
  /** `data` is bare base64; `mediaType` normalised (`image/jpg` → `image/jpeg`). */
  | { kind: 'base64'; mediaType: string; data: string }
  /** A provider-side file id: never crosses providers (encoders of another family refuse it). */
  | { kind: 'file_id'; fileId: string; origin: ThinkingOrigin; mediaType?: string }
  | { kind: 'text'; text: string }

export interface IImagePart {
  type: 'image'
  source: IMediaSource
  /** OpenAI `detail`; dropped where the target has no such hint. */
  detail?: 'auto' | 'low' | 'high'
  path: string
}

export interface IDocumentPart {
  type: 'document'
  source: IMediaSource
  filename?: string
  title?: string
  path: string
}

export interface IAudioPart {
  type: 'audio'
  data: string
  format: string
  path: string
}

export interface IToolCallPart {
  type: 'tool_call'
  /** The pairing id the client sees (OpenAI `call_id`/`id`, Anthropic `toolu_…`, a synthesised one for Gemini). */
  id: string
  name: string
  /** The arguments as JSON text, exactly as received (OpenAI's shape); object-shaped dialects stringify. */
  arguments: string
  /** Gemini's `thoughtSignature` on the functionCall part, to echo back to Gemini. */
  thoughtSignature?: string
  /** OpenAI Responses' item id (`fc_…`), kept only for replay to Responses. */
  itemId?: string
  path: string
}

export interface IToolResultPart {
  type: 'tool_result'
  /** The id of the call this answers. */
  callId: string
  /** The function's name when the client said it (Gemini requires it; found from history otherwise). */
  name?: string
  /** Text, or parts (text and images) where the client sent an array. */
  content: string | (ITextPart | IImagePart)[]
  isError?: boolean
  path: string
}

export interface IThinkingPart {
  type: 'thinking'
  /** Visible reasoning text or summary (may be empty: a signed block with its display omitted). */
  text: string
  /** Anthropic `signature`; OpenAI Responses `encrypted_content`; Gemini `thoughtSignature`. */
  signature?: string
  /** Anthropic `redacted_thinking.data`. */
  redacted?: string
  /** Replay tokens are valid only for this provider family; encoders of another drop the block (never as text). */
  origin: ThinkingOrigin
  /** OpenAI Responses reasoning item id, for replay there. */
  itemId?: string
  path: string
}

export interface IRefusalPart {
  type: 'refusal'
  text: string
  path: string
}

export interface ITool {
  name: string
  description?: string
  /** JSON Schema of the arguments as the client sent it (Gemini's OpenAPI subset converted by its codec). */
  parameters: JsonObject
  strict?: boolean
  /**
   * An OpenAI Responses freeform (`custom`) tool: elsewhere a function taking `{"input": string}` (its
   * `parameters`); the Responses encoders turn its calls back into `custom_tool_call`s with that input.
   */
  custom?: { format?: JsonObject }
  path: string
}

export type IToolChoice =
  { type: 'auto' } | { type: 'none' } | { type: 'required' } | { type: 'tool'; name: string }

export type IOutputFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name?: string; schema: JsonObject; strict?: boolean; description?: string }

export interface IReasoning {
  /** Off when false (Anthropic `{type:'disabled'}`, Gemini `thinkingBudget:0`, OpenAI effort `none`). */
  enabled: boolean
  effort?: 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh'
  /** Token budget (Anthropic `budget_tokens`, Gemini `thinkingBudget`; -1 dynamic). */
  budgetTokens?: number
  /** OpenAI Responses `reasoning.summary`; Gemini `includeThoughts` maps to 'auto'. */
  summary?: 'auto' | 'concise' | 'detailed'
  /** Anthropic `{type:'adaptive'}`. */
  adaptive?: boolean
}

// ---------------------------------------------------------------------------------------------------------------
// Response
// ---------------------------------------------------------------------------------------------------------------

export type IFinishReason =
  | 'stop'
  | 'stop_sequence'
  | 'length'
  | 'tool_calls'
  | 'content_filter'
  | 'refusal'
  | 'pause'
  /** The model produced a malformed call or failed (Gemini MALFORMED_FUNCTION_CALL, Responses `failed`). */
  | 'error'
  | 'other'

/**
 * Usage in one neutral shape. `input` is ALL prompt tokens (cache reads and writes included), `output` ALL
 * generated tokens (reasoning included). Unknown categories are undefined, not 0 (Anthropic reports no reasoning
 * count). Each dialect converts to and from its own fields (docs/translation.md › Usage).
 */
export interface IUsage {
  input: number
  cacheRead: number
  cacheWrite: number
  output: number
  reasoning?: number
}

export interface IResponse {
  id: string
  model: string
  /** Text, tool calls, thinking and refusals, in order. */
  parts: IPart[]
  finish: IFinishReason
  /** The stop sequence that ended the answer, where the provider says which. */
  stopSequence?: string
  usage?: IUsage
}

// ---------------------------------------------------------------------------------------------------------------
// Stream
// ---------------------------------------------------------------------------------------------------------------

/**
 * One event of a streamed answer. Content comes in blocks, each opened once, fed deltas and closed once; `block`
 * numbers them from 0 in opening order. Blocks may interleave (OpenAI chat's parallel tool calls); an encoder whose
 * dialect cannot interleave (Anthropic) holds later blocks until the earlier one closes.
 */
export type IStreamEvent =
  | { type: 'start'; id: string; model: string; usage?: IUsage }
  | { type: 'block_start'; block: number; kind: 'text' }
  | { type: 'block_start'; block: number; kind: 'refusal' }
  | { type: 'block_start'; block: number; kind: 'thinking'; origin: ThinkingOrigin; itemId?: string }
  | { type: 'block_start'; block: number; kind: 'redacted_thinking'; data: string; origin: ThinkingOrigin }
  | {
      type: 'block_start'
      block: number
      kind: 'tool_call'
      id: string
      name: string
      thoughtSignature?: string
      itemId?: string
    }
  | { type: 'text_delta'; block: number; text: string }
  | { type: 'thinking_delta'; block: number; text: string }
  /** A thinking block's signature (Anthropic `signature_delta`, arriving last; Responses encrypted content). */
  | { type: 'signature_delta'; block: number; signature: string }
  | { type: 'arguments_delta'; block: number; json: string }
  | { type: 'block_stop'; block: number }
  /** The latest usage (last value wins per field; never summed). */
  | { type: 'usage'; usage: IUsage }
  | { type: 'finish'; reason: IFinishReason; stopSequence?: string }
  /** The stream ended normally (after `finish`). */
  | { type: 'end' }
  /** A failure mid-stream; the encoder closes what is open and sends its dialect's error event. */
  | { type: 'error'; error: IError }

export type IBlockKind = Extract<IStreamEvent, { type: 'block_start' }>['kind']

// ---------------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------------

export type IErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'request_too_large'
  | 'rate_limit'
  /** Quota or spend limit that will not clear by retrying. */
  | 'quota'
  | 'server'
  | 'overloaded'
  | 'timeout'

export interface IError {
  status: number
  kind: IErrorKind
  message: string
  /** The client field at fault (OpenAI `param`). */
  param?: string
  /** A provider's own code (OpenAI `code`, e.g. `context_length_exceeded`), kept where the target has room. */
  code?: string
}
