import type { SseEvent } from '../sse/parse-sse-stream.ts'
import type { Dialect, IError, IRequest, IResponse, IStreamEvent, JsonObject } from './internal-model.ts'

/** What an encoder of a request needs besides the request: the channel's model name and its output limit. */
export interface RequestEncodeContext {
  /** The model name the channel's provider knows (after the channel's model mapping). */
  upstreamModel: string
  /**
   * The model's maximum output from the catalogue, used where the target requires a limit the client did not
   * give (Anthropic's `max_tokens`); never a hard-coded guess.
   */
  defaultMaxOutputTokens: number
}

/** What an encoder of an answer needs: the names the client knows, and the gateway's id and clock for this request. */
export interface ResponseEncodeContext {
  /** The model the client asked for (not the channel's upstream name). */
  model: string
  /** The gateway's request id, for ids the client's dialect needs and the upstream did not give. */
  requestId: string
  /** Seconds since the epoch, from the caller's clock (the codecs are pure). */
  created: number
  /** OpenAI chat: the client asked for the usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean
  /**
   * OpenAI Responses: names of the client's freeform (`custom`) tools (the request's tools with `custom`), whose
   * calls the Responses encoders answer as `custom_tool_call` items rather than `function_call`s.
   */
  customTools?: readonly string[]
}

/** Turns one upstream SSE event at a time into internal events; `end` flushes what an unfinished stream left. */
export interface StreamDecoder {
  push(event: SseEvent): IStreamEvent[]
  end(): IStreamEvent[]
}

/** Turns internal events into the client's SSE text, written as soon as it is returned ('' when nothing is due). */
export interface StreamEncoder {
  push(event: IStreamEvent): string
}

/**
 * One dialect's decoder into the internal model and encoder out of it, for requests, plain answers, stream events
 * and errors. Pure: no IO, clock or randomness (ids come from the upstream or the context). Decoders and encoders
 * throw TranslationRefusal for what cannot be expressed, naming the client's field.
 */
export interface DialectCodec {
  dialect: Dialect
  decodeRequest(json: JsonObject): IRequest
  encodeRequest(req: IRequest, ctx: RequestEncodeContext): JsonObject
  decodeResponse(json: JsonObject): IResponse
  encodeResponse(res: IResponse, ctx: ResponseEncodeContext): JsonObject
  createStreamDecoder(): StreamDecoder
  createStreamEncoder(ctx: ResponseEncodeContext): StreamEncoder
  /** An upstream error answer (status and body text, which may not be JSON) as the internal error. */
  decodeError(status: number, body: string): IError
  /** The internal error as this dialect's status and body (Anthropic answers overload with 529). */
  encodeError(error: IError): { status: number; body: JsonObject }
  /** The terminal SSE event reporting a failure mid-stream. */
  encodeStreamError(error: IError): string
}
