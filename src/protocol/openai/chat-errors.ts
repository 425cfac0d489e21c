import type { IError, IErrorKind, JsonObject } from '../translate/internal-model.ts'
import { encodeSseEvent } from '../sse/encode-sse-event.ts'
import { isObject, parseJsonObject } from './chat-read-json.ts'
import { errorKindOfStatus } from '../translate/error-kind-of-status.ts'

/** Each kind's `error.type`, default `code` and status in OpenAI's envelope (translation map §5). */
const BY_KIND: Record<IErrorKind, { type: string; code: string | null; status: number }> = {
  invalid_request: { type: 'invalid_request_error', code: null, status: 400 },
  // OpenAI answers a bad key with invalid_request_error and tells it apart by its code.
  authentication: { type: 'invalid_request_error', code: 'invalid_api_key', status: 401 },
  permission: { type: 'permission_error', code: null, status: 403 },
  not_found: { type: 'invalid_request_error', code: 'not_found', status: 404 },
  request_too_large: { type: 'invalid_request_error', code: 'request_too_large', status: 413 },
  rate_limit: { type: 'rate_limit_error', code: 'rate_limit_exceeded', status: 429 },
  quota: { type: 'insufficient_quota', code: 'insufficient_quota', status: 429 },
  server: { type: 'server_error', code: null, status: 500 },
  overloaded: { type: 'server_error', code: 'overloaded', status: 503 },
  timeout: { type: 'server_error', code: 'timeout', status: 504 },
}

/** The kind an OpenAI error's code or type names on its own (a stream's error event has no status). */
function kindByName(type: string | undefined, code: string | undefined): IErrorKind | undefined {
  if (code === 'insufficient_quota' || type === 'insufficient_quota') return 'quota'
  if (code === 'invalid_api_key') return 'authentication'
  if (code === 'model_not_found' || code === 'not_found') return 'not_found'
  if (code === 'request_too_large') return 'request_too_large'
  if (code === 'overloaded') return 'overloaded'
  if (code === 'timeout') return 'timeout'
  if (
    code === 'rate_limit_exceeded' ||
    type === 'rate_limit_error' ||
    type === 'tokens' ||
    type === 'requests'
  ) {
    return 'rate_limit'
  }
  if (type === 'permission_error') return 'permission'
  if (type === 'authentication_error') return 'authentication'
  if (type === 'server_error') return 'server'
  if (type === 'invalid_request_error') return 'invalid_request'
  return undefined
}

/** Reads `{error:{message,type,param,code}}`; `status` undefined for a stream's error event. */
export function decodeChatErrorObject(obj: JsonObject, status?: number): IError {
  const e = isObject(obj.error) ? obj.error : obj
  const type = typeof e.type === 'string' ? e.type : undefined
  const code = typeof e.code === 'string' ? e.code : undefined
  const named = kindByName(type, code)
  // A quota that will not clear stays `quota` under any status; otherwise the status decides (it is authoritative).
  const kind = status === undefined || named === 'quota' ? (named ?? 'server') : errorKindOfStatus(status)
  const err: IError = {
    status: status ?? BY_KIND[kind].status,
    kind,
    message: typeof e.message === 'string' ? e.message : 'upstream error',
  }
  if (typeof e.param === 'string') err.param = e.param
  if (code !== undefined) err.code = code
  return err
}

/** An upstream error answer (the body may not be JSON, e.g. a proxy's HTML page) as the internal error. */
export function decodeChatError(status: number, body: string): IError {
  const obj = parseJsonObject(body)
  if (obj) return decodeChatErrorObject(obj, status)
  const text = body.trim()
  return {
    status,
    kind: errorKindOfStatus(status),
    message: text === '' ? `upstream error ${status}` : text.slice(0, 500),
  }
}

function errorBody(error: IError): JsonObject {
  const entry = BY_KIND[error.kind]
  return {
    error: {
      message: error.message,
      type: entry.type,
      param: error.param ?? null,
      code: error.code ?? entry.code,
    },
  }
}

/**
 * The internal error in OpenAI's envelope, `param` naming the client's field of a refusal. The status is kept
 * unless OpenAI has no such status: Anthropic's 529 overload becomes 503 (translation map §5).
 */
export function encodeChatError(error: IError): { status: number; body: JsonObject } {
  const status =
    error.status === 529 || error.status < 400 || error.status > 599
      ? BY_KIND[error.kind].status
      : error.status
  return { status, body: errorBody(error) }
}

/** A failure mid-stream: `data: {"error":{…}}`, after which the stream ends (no `[DONE]`). */
export function encodeChatStreamError(error: IError): string {
  return encodeSseEvent({ data: JSON.stringify(errorBody(error)) })
}
