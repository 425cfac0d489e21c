import type { IError, IErrorKind, JsonObject } from '../translate/internal-model.ts'
import { errorKindOfStatus } from '../translate/error-kind-of-status.ts'
import { encodeSseEvent } from '../sse/encode-sse-event.ts'
import { isJsonObject, parseObjectText } from './messages-read-json.ts'

/**
 * Anthropic errors ↔ the internal error (translation-map §5; docs.claude.com/en/api/errors). Anthropic answers
 * overload with 529 `overloaded_error`; a quota that will not clear by retrying becomes 402 `billing_error`,
 * which the SDKs do not retry.
 */

const KIND_BY_TYPE: Readonly<Record<string, IErrorKind>> = {
  invalid_request_error: 'invalid_request',
  authentication_error: 'authentication',
  permission_error: 'permission',
  not_found_error: 'not_found',
  request_too_large: 'request_too_large',
  rate_limit_error: 'rate_limit',
  billing_error: 'quota',
  api_error: 'server',
  overloaded_error: 'overloaded',
  timeout_error: 'timeout',
}

const TYPE_BY_KIND: Readonly<Record<IErrorKind, { type: string; status: number }>> = {
  invalid_request: { type: 'invalid_request_error', status: 400 },
  authentication: { type: 'authentication_error', status: 401 },
  permission: { type: 'permission_error', status: 403 },
  not_found: { type: 'not_found_error', status: 404 },
  request_too_large: { type: 'request_too_large', status: 413 },
  rate_limit: { type: 'rate_limit_error', status: 429 },
  quota: { type: 'billing_error', status: 402 },
  server: { type: 'api_error', status: 500 },
  overloaded: { type: 'overloaded_error', status: 529 },
  timeout: { type: 'timeout_error', status: 504 },
}

/** Anthropic's 402 is its billing error; every other status means what it means everywhere. */
function kindByStatus(status: number): IErrorKind {
  return status === 402 ? 'quota' : errorKindOfStatus(status)
}

/** An `error` object (`{type, message, details?}`) as the internal error. */
export function decodeErrorObject(status: number, error: JsonObject | undefined, fallback: string): IError {
  const type = typeof error?.type === 'string' ? error.type : ''
  let kind = KIND_BY_TYPE[type] ?? kindByStatus(status)
  // A reached spend limit answers 429 but will not clear by retrying.
  const details = error?.details
  if (isJsonObject(details) && details.error_code === 'enforced_spend_limit_reached') kind = 'quota'
  const message = typeof error?.message === 'string' && error.message !== '' ? error.message : fallback
  return { status, kind, message }
}

export function decodeAnthropicError(status: number, body: string): IError {
  const json = parseObjectText(body)
  const error = json && isJsonObject(json.error) ? json.error : undefined
  const fallback = body.trim() !== '' && !json ? body.trim().slice(0, 500) : `Upstream error (HTTP ${status})`
  return decodeErrorObject(status, error, fallback)
}

export function encodeAnthropicError(error: IError): { status: number; body: JsonObject } {
  const { type, status: canonical } = TYPE_BY_KIND[error.kind]
  // Keep the status the error came with where it fits its kind (a 422 stays a 422); a quota, an overload and a
  // mismatched status take Anthropic's own.
  const fits =
    (error.kind === 'invalid_request' && error.status >= 400 && error.status < 500) ||
    (error.kind === 'server' && error.status >= 500)
  const status = fits ? error.status : canonical
  // Anthropic's error has no `param`: the refused field is named in the message.
  const message =
    error.param !== undefined && !error.message.includes(error.param)
      ? `${error.param}: ${error.message}`
      : error.message
  return { status, body: { type: 'error', error: { type, message } } }
}

export function encodeAnthropicStreamError(error: IError): string {
  return encodeSseEvent({ event: 'error', data: JSON.stringify(encodeAnthropicError(error).body) })
}
