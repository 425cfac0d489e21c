import { encodeSseEvent } from '../sse/encode-sse-event.ts'
import { errorTypeByStatus } from '../errors/error-type-by-status.ts'

export interface GeminiErrorBody {
  error: { code: number; message: string; status: string }
}

const STATUSES: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  413: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  402: 'RESOURCE_EXHAUSTED',
  429: 'RESOURCE_EXHAUSTED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  499: 'CANCELLED',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
}

/**
 * Gemini (google.rpc) `error.status` by HTTP status. 402 (gateway balance exhausted) maps to
 * `RESOURCE_EXHAUSTED` like a quota error.
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
 */
export function mapGeminiErrorStatus(status: number): string {
  return errorTypeByStatus(STATUSES, { server: 'INTERNAL', client: 'FAILED_PRECONDITION' }, status)
}

/** `{error:{code,message,status}}`. */
export function formatGeminiError(status: number, _code: string, message: string): GeminiErrorBody {
  return { error: { code: status, message, status: mapGeminiErrorStatus(status) } }
}

/** A mid-stream failure: `data: {"error":{…}}\r\n\r\n` (Gemini frames its SSE stream with CRLF). */
export function formatGeminiStreamError(status: number, code: string, message: string): string {
  return encodeSseEvent({ data: JSON.stringify(formatGeminiError(status, code, message)) }, '\r\n')
}
