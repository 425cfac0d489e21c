import { encodeSseEvent } from '../sse/encode-sse-event.ts'

export type ClientProtocol = 'openai' | 'anthropic' | 'gemini'

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: null; code: string }
}

export interface AnthropicErrorBody {
  type: 'error'
  error: { type: string; message: string }
}

export interface GeminiErrorBody {
  error: { code: number; message: string; status: string }
}

export type ClientErrorBody = OpenAiErrorBody | AnthropicErrorBody | GeminiErrorBody

/**
 * OpenAI `error.type` by HTTP status. OpenAI itself answers a bad key (401) and an unknown model (404) with
 * `invalid_request_error` and tells them apart by `code`. 402 is `insufficient_quota`, which clients do not
 * retry.
 */
export function mapOpenAiErrorType(status: number): string {
  switch (status) {
    case 402:
      return 'insufficient_quota'
    case 403:
      return 'permission_error'
    case 429:
      return 'rate_limit_error'
    default:
      return status >= 500 ? 'server_error' : 'invalid_request_error'
  }
}

/**
 * Anthropic `error.type` by HTTP status.
 * @see https://docs.anthropic.com/en/api/errors
 */
export function mapAnthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error'
    case 401:
      return 'authentication_error'
    case 402:
      return 'billing_error'
    case 403:
      return 'permission_error'
    case 404:
      return 'not_found_error'
    case 413:
      return 'request_too_large'
    case 429:
      return 'rate_limit_error'
    case 503:
    case 529:
      return 'overloaded_error'
    case 504:
      return 'timeout_error'
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error'
  }
}

/**
 * Gemini (google.rpc) `error.status` by HTTP status. 402 (gateway balance exhausted) maps to
 * `RESOURCE_EXHAUSTED` like a quota error.
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
 */
export function mapGeminiErrorStatus(status: number): string {
  switch (status) {
    case 400:
    case 413:
      return 'INVALID_ARGUMENT'
    case 401:
      return 'UNAUTHENTICATED'
    case 402:
    case 429:
      return 'RESOURCE_EXHAUSTED'
    case 403:
      return 'PERMISSION_DENIED'
    case 404:
      return 'NOT_FOUND'
    case 409:
      return 'ABORTED'
    case 499:
      return 'CANCELLED'
    case 501:
      return 'UNIMPLEMENTED'
    case 502:
    case 503:
      return 'UNAVAILABLE'
    case 504:
      return 'DEADLINE_EXCEEDED'
    default:
      return status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION'
  }
}

/**
 * The JSON error body of the client's protocol: OpenAI `{error:{message,type,param,code}}`, Anthropic
 * `{type:"error",error:{type,message}}`, Gemini `{error:{code,message,status}}`. `code` is the gateway's
 * stable error code; only OpenAI's shape has a place for it.
 */
export function formatClientError(
  protocol: ClientProtocol,
  status: number,
  code: string,
  message: string,
): ClientErrorBody {
  switch (protocol) {
    case 'openai':
      return { error: { message, type: mapOpenAiErrorType(status), param: null, code } }
    case 'anthropic':
      return { type: 'error', error: { type: mapAnthropicErrorType(status), message } }
    case 'gemini':
      return { error: { code: status, message, status: mapGeminiErrorStatus(status) } }
  }
}

/**
 * The terminal SSE event that reports a mid-stream failure in the client's protocol: OpenAI
 * `data: {"error":{…}}\n\n`, Anthropic `event: error\ndata: {"type":"error",…}\n\n`, Gemini
 * `data: {"error":{…}}\r\n\r\n` (Gemini frames its SSE stream with CRLF).
 */
export function formatClientStreamError(
  protocol: ClientProtocol,
  status: number,
  code: string,
  message: string,
): string {
  const data = JSON.stringify(formatClientError(protocol, status, code, message))
  switch (protocol) {
    case 'openai':
      return encodeSseEvent({ data })
    case 'anthropic':
      return encodeSseEvent({ event: 'error', data })
    case 'gemini':
      return encodeSseEvent({ data }, '\r\n')
  }
}
