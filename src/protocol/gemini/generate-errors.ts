import type { IError, IErrorKind, JsonObject } from '../translate/internal-model.ts'
import { encodeSseEvent } from '../sse/encode-sse-event.ts'
import { arrayOf, numberOr, objectOr, parseObject, stringOr } from './generate-json.ts'

/** Gemini's `error.status` per internal kind, and the HTTP status it comes with (translation-map §5). */
const BY_KIND: Readonly<Record<IErrorKind, [number, string]>> = {
  invalid_request: [400, 'INVALID_ARGUMENT'],
  authentication: [401, 'UNAUTHENTICATED'],
  permission: [403, 'PERMISSION_DENIED'],
  not_found: [404, 'NOT_FOUND'],
  // Gemini has no 413: an oversized request is an invalid argument.
  request_too_large: [400, 'INVALID_ARGUMENT'],
  rate_limit: [429, 'RESOURCE_EXHAUSTED'],
  quota: [429, 'RESOURCE_EXHAUSTED'],
  server: [500, 'INTERNAL'],
  overloaded: [503, 'UNAVAILABLE'],
  timeout: [504, 'DEADLINE_EXCEEDED'],
}

const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo'
const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest'

function kindOf(status: number, rpcStatus: string | undefined, reason: string | undefined): IErrorKind {
  if (reason === 'API_KEY_INVALID' || rpcStatus === 'UNAUTHENTICATED' || status === 401)
    return 'authentication'
  if (status === 403 || rpcStatus === 'PERMISSION_DENIED') return 'permission'
  if (status === 404) return 'not_found'
  if (status === 413) return 'request_too_large'
  if (status === 429 || rpcStatus === 'RESOURCE_EXHAUSTED') return 'rate_limit'
  if (status === 503 || rpcStatus === 'UNAVAILABLE') return 'overloaded'
  if (status === 504 || rpcStatus === 'DEADLINE_EXCEEDED') return 'timeout'
  if (status >= 500) return 'server'
  return 'invalid_request'
}

/**
 * An upstream Gemini error answer as the internal error. Gemini reports a bad key as 400 with
 * `details[].reason: API_KEY_INVALID`: that is the channel's credential, an authentication error (401) for
 * failover and health, never the client's fault.
 */
export function decodeGeminiError(status: number, body: string): IError {
  const error = objectOr(parseObject(body)?.error)
  const rpcStatus = stringOr(error?.status)
  const details = arrayOf(error?.details).map((d) => objectOr(d) ?? {})
  const reason = details.map((d) => stringOr(d.reason)).find((r) => r !== undefined)
  const field = details
    .flatMap((d) => arrayOf(d.fieldViolations))
    .map((v) => stringOr(objectOr(v)?.field))
    .find((f) => f !== undefined)
  const code = numberOr(error?.code) ?? status
  const kind = kindOf(code, rpcStatus, reason)
  const out: IError = {
    status: kind === 'authentication' ? 401 : code,
    kind,
    message: stringOr(error?.message) ?? (body.trim() || `upstream answered ${status}`),
  }
  const providerCode = reason ?? rpcStatus
  if (providerCode !== undefined) out.code = providerCode
  if (field !== undefined) out.param = field
  return out
}

/**
 * The internal error as a Gemini client's `{error:{code,message,status,details}}`. The field at fault (a
 * translation refusal's) goes in a google.rpc.BadRequest field violation and in the message; a bad key keeps
 * Gemini's own 400 API_KEY_INVALID shape.
 */
export function encodeGeminiError(error: IError): { status: number; body: JsonObject } {
  let [status, rpcStatus] = BY_KIND[error.kind]
  const details: JsonObject[] = []
  if (error.code === 'API_KEY_INVALID') {
    status = 400
    rpcStatus = 'INVALID_ARGUMENT'
    details.push({ '@type': ERROR_INFO, reason: 'API_KEY_INVALID', domain: 'googleapis.com' })
  }
  let message = error.message
  if (error.param !== undefined) {
    if (!message.includes(error.param)) message = `${error.param}: ${message}`
    details.push({
      '@type': BAD_REQUEST,
      fieldViolations: [{ field: error.param, description: error.message }],
    })
  }
  const body: JsonObject = { code: status, message, status: rpcStatus }
  if (details.length > 0) body.details = details
  return { status, body: { error: body } }
}

/** A failure mid-stream: `data: {"error":{…}}` framed with CRLF like Gemini's own `alt=sse` stream. */
export function encodeGeminiStreamError(error: IError): string {
  return encodeSseEvent({ data: JSON.stringify(encodeGeminiError(error).body) }, '\r\n')
}
