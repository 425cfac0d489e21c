import { encodeSseEvent } from '../sse/encode-sse-event.ts'
import { errorTypeByStatus } from '../errors/error-type-by-status.ts'

export interface AnthropicErrorBody {
  type: 'error'
  error: { type: string; message: string }
}

const TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  503: 'overloaded_error',
  529: 'overloaded_error',
  504: 'timeout_error',
}

/**
 * Anthropic `error.type` by HTTP status.
 * @see https://docs.anthropic.com/en/api/errors
 */
export function mapAnthropicErrorType(status: number): string {
  return errorTypeByStatus(TYPES, { server: 'api_error', client: 'invalid_request_error' }, status)
}

/** `{type:"error",error:{type,message}}`. */
export function formatAnthropicError(status: number, _code: string, message: string): AnthropicErrorBody {
  return { type: 'error', error: { type: mapAnthropicErrorType(status), message } }
}

/** A mid-stream failure: `event: error\ndata: {"type":"error",…}\n\n`. */
export function formatAnthropicStreamError(status: number, code: string, message: string): string {
  return encodeSseEvent({ event: 'error', data: JSON.stringify(formatAnthropicError(status, code, message)) })
}
