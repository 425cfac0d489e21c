/**
 * The one registry of error codes. Each code has one HTTP status; the HTTP edge maps it once to the caller's
 * protocol (admin JSON, OpenAI, Anthropic or Gemini error shape). Codes are stable: clients may match on them.
 */
export const ERROR_CODES = {
  validation_error: 400,
  invalid_json: 400,
  bad_request: 400,
  unauthorized: 401,
  invalid_api_key: 401,
  invalid_credentials: 401,
  key_expired: 401,
  insufficient_quota: 402,
  forbidden: 403,
  model_not_allowed: 403,
  key_frozen: 403,
  key_frozen_by_admin: 403,
  not_found: 404,
  model_not_found: 404,
  conflict: 409,
  last_superadmin: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  voucher_expired: 400,
  voucher_used: 409,
  rate_limited: 429,
  login_throttled: 429,
  internal_error: 500,
  upstream_error: 502,
  no_channel: 503,
  upstream_timeout: 504,
  service_unavailable: 503,
} as const

export type ErrorCode = keyof typeof ERROR_CODES

/**
 * The one error class of the gateway: the admin API, the user API and the proxy all throw it, and each edge writes it
 * once in its caller's shape (http/send-error.ts, proxy/send-proxy-error.ts). `status` is the code's own unless the
 * proxy passes a provider's status through (a 429 or 503 of the upstream, 499 for a client that left).
 */
export class AppError extends Error {
  readonly status: number
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
    status?: number,
  ) {
    super(message)
    this.status = status ?? ERROR_CODES[code]
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`)
export const forbidden = (message = 'Permission denied') => new AppError('forbidden', message)
export const conflict = (message: string) => new AppError('conflict', message)

/** The message of anything thrown, for a log line or a reply that must not carry a stack or a cause. */
export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err))
