import type { IError, IErrorKind, Json, JsonObject } from '../translate/internal-model.ts'
import { encodeSseEvent } from '../sse/encode-sse-event.ts'
import { mapOpenAiErrorType } from './format-openai-error.ts'
import { isObject } from './responses-read-json.ts'
import { errorKindOfStatus } from '../translate/error-kind-of-status.ts'

/** The status an OpenAI error `code` implies where none came with it (a stream's error event). */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  rate_limit_exceeded: 429,
  insufficient_quota: 429,
  invalid_api_key: 401,
  model_not_found: 404,
  context_length_exceeded: 400,
  invalid_prompt: 400,
  server_error: 500,
  server_is_overloaded: 503,
}

function kindOf(status: number, type: string | undefined, code: string | undefined): IErrorKind {
  if (code === 'insufficient_quota' || type === 'insufficient_quota') return 'quota'
  return errorKindOfStatus(status)
}

const text = (v: Json | undefined): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/**
 * An OpenAI error envelope `{error:{message,type,param,code}}` as the internal error (translation-map §5). A
 * status of 500 with a code that says otherwise (a stream's `error` event has no status) takes the code's.
 */
export function decodeResponsesErrorBody(status: number, body: JsonObject): IError {
  const e = isObject(body.error) ? body.error : body
  const code = text(e.code)
  const effective = status === 500 && code !== undefined ? (STATUS_BY_CODE[code] ?? status) : status
  const error: IError = {
    status: effective,
    kind: kindOf(effective, text(e.type), code),
    message: text(e.message) ?? `Upstream error ${effective}`,
  }
  const param = text(e.param)
  if (param !== undefined) error.param = param
  if (code !== undefined) error.code = code
  return error
}

/** An upstream error answer; a body that is not OpenAI's JSON keeps its text (trimmed) as the message. */
export function decodeResponsesError(status: number, body: string): IError {
  try {
    const json = JSON.parse(body) as Json
    if (isObject(json)) return decodeResponsesErrorBody(status, json)
  } catch {
    // not JSON: a proxy's HTML or plain text
  }
  const message = body.trim().slice(0, 1000) || `Upstream error ${status}`
  return { status, kind: kindOf(status, undefined, undefined), message }
}

const DEFAULT_CODE: Partial<Record<IErrorKind, string>> = {
  authentication: 'invalid_api_key',
  quota: 'insufficient_quota',
  rate_limit: 'rate_limit_exceeded',
}

/**
 * The internal error in OpenAI's envelope. Anthropic's 529 is OpenAI's 503; a quota that will not clear is 429
 * `insufficient_quota`, which OpenAI's clients know not to retry. A refusal's field goes in `param`.
 */
export function encodeResponsesError(error: IError): { status: number; body: JsonObject } {
  let status = error.status
  if (error.kind === 'overloaded') status = 503
  else if (error.kind === 'quota' || error.kind === 'rate_limit') status = 429
  const type = error.kind === 'quota' ? 'insufficient_quota' : mapOpenAiErrorType(status)
  return {
    status,
    body: {
      error: {
        message: error.message,
        type,
        param: error.param ?? null,
        code: error.code ?? DEFAULT_CODE[error.kind] ?? null,
      },
    },
  }
}

/** A failure mid-stream as Responses' `error` event (`{type:"error",code,message,param}`). */
export function encodeResponsesStreamError(error: IError): string {
  const { body } = encodeResponsesError(error)
  const e = body.error as JsonObject
  const data = { type: 'error', code: e.code, message: e.message, param: e.param }
  return encodeSseEvent({ event: 'error', data: JSON.stringify(data) })
}
