import { AppError } from '../../domain/errors.ts'

/** The limiter's backend is down or slow and the limiter is configured fail-closed: the caller answers 503. */
export class RateLimiterUnavailableError extends AppError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('service_unavailable', `rate limiter unavailable: ${reason}`)
    this.name = 'RateLimiterUnavailableError'
    if (options?.cause !== undefined) this.cause = options.cause
  }
}

export const isRateLimiterUnavailable = (e: unknown): e is RateLimiterUnavailableError =>
  e instanceof RateLimiterUnavailableError
