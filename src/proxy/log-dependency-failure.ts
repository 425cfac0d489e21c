import type { AppError } from '../domain/errors.ts'
import type { ProxyDeps } from './proxy-types.ts'

/**
 * One warning per second at most for a dependency outage: during one, every request fails the same way, and a log
 * line each would bury the first (docs/security.md, #79).
 */
let lastDependencyWarning = 0
let suppressedDependencyWarnings = 0
export function logDependencyFailure(logger: ProxyDeps['logger'], err: AppError, requestId: string): void {
  const now = Date.now()
  if (now - lastDependencyWarning < 1000) {
    suppressedDependencyWarnings++
    return
  }
  lastDependencyWarning = now
  const suppressed = suppressedDependencyWarnings
  suppressedDependencyWarnings = 0
  logger.warn({ err, requestId, suppressed }, 'a dependency is unavailable: request refused with 503')
}
