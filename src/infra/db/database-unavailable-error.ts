import { AppError } from '../../domain/errors.ts'

/**
 * The database could not be reached, did not answer in time, or dropped the connection: the request cannot be
 * decided, so it is refused with 503 (fail closed, never "unlimited"). The driver's own message, which names the
 * database's address, stays in `cause` for the logs and never reaches a client.
 */
export class DatabaseUnavailableError extends AppError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(
      'service_unavailable',
      'The database is unavailable; retry shortly',
      { reason },
      { 'retry-after': '1' },
    )
    this.name = 'DatabaseUnavailableError'
    if (options?.cause !== undefined) this.cause = options.cause
  }
}

export const isDatabaseUnavailable = (e: unknown): e is DatabaseUnavailableError =>
  e instanceof DatabaseUnavailableError
