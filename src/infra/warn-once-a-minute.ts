import type { Logger } from 'pino'
import { errorMessage } from '../domain/errors.ts'

/**
 * An error handler for a dependency that fails on every call while it is away (Redis, the database on a timer):
 * one warning line a minute with the error's message, not one per call.
 */
export function warnOnceAMinute(
  logger: Pick<Logger, 'warn'>,
  message: string,
  now: () => number = Date.now,
): (err: unknown) => void {
  let lastAt = -Infinity
  return (err) => {
    if (now() - lastAt < 60_000) return
    lastAt = now()
    logger.warn({ err: errorMessage(err) }, message)
  }
}
