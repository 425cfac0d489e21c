import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../domain/errors.ts'

/** Fastify's own parser errors, mapped into the registry so the client sees a 4xx naming the problem. */
function fromFastifyError(err: FastifyError): AppError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_json', 'Request body is not valid JSON')
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'Request body is too large')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('unsupported_media_type', 'Unsupported content type; send application/json')
    default:
      break
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    if (err.statusCode === 413) return new AppError('payload_too_large', 'Request body is too large')
    if (err.statusCode === 415) return new AppError('unsupported_media_type', 'Unsupported content type')
    if (err.statusCode === 404) return new AppError('not_found', 'Not found')
    // Malformed JSON from secure-json-parse (e.g. __proto__) and other client errors.
    return new AppError('bad_request', 'Malformed request')
  }
  return undefined
}

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err
  return fromFastifyError(err as FastifyError) ?? new AppError('internal_error', 'Internal server error')
}

/** The admin and user API error shape: `{"error":{"code","message"}}`. 5xx details are never sent. */
export function sendAdminError(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const e = toAppError(err)
  if (e.status >= 500 && !(err instanceof AppError)) req.log.error({ err }, 'unhandled error')
  if (e.headers) void reply.headers(e.headers)
  const body: Record<string, unknown> = { code: e.code, message: e.message }
  if (e.details && e.status < 500) Object.assign(body, e.details)
  void reply.code(e.status).send({ error: body })
}
