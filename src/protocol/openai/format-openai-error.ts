import { encodeSseEvent } from '../sse/encode-sse-event.ts'
import { errorTypeByStatus } from '../errors/error-type-by-status.ts'

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: null; code: string }
}

/**
 * OpenAI `error.type` by HTTP status. OpenAI itself answers a bad key (401) and an unknown model (404) with
 * `invalid_request_error` and tells them apart by `code`. 402 is `insufficient_quota`, which clients do not
 * retry.
 */
export function mapOpenAiErrorType(status: number): string {
  return errorTypeByStatus(
    { 402: 'insufficient_quota', 403: 'permission_error', 429: 'rate_limit_error' },
    { server: 'server_error', client: 'invalid_request_error' },
    status,
  )
}

/** `{error:{message,type,param,code}}`: the only envelope with a place for the gateway's stable `code`. */
export function formatOpenAiError(status: number, code: string, message: string): OpenAiErrorBody {
  return { error: { message, type: mapOpenAiErrorType(status), param: null, code } }
}

/** A mid-stream failure: a data-only event `data: {"error":{…}}\n\n`. */
export function formatOpenAiStreamError(status: number, code: string, message: string): string {
  return encodeSseEvent({ data: JSON.stringify(formatOpenAiError(status, code, message)) })
}
