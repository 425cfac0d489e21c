import type { AdmitResult, RuleState } from './rate-limiter-types.ts'

/**
 * Rate-limit headers (docs/architecture.md, *Money › Rate limits*): `Retry-After` on 429, and
 * `x-ratelimit-limit/remaining/reset` of the rule that tripped, or on success of the rule closest to its
 * limit.
 */
export function buildRateLimitHeaders(result: AdmitResult): Record<string, string> {
  const pick = (states: RuleState[]): RuleState | undefined =>
    states.reduce<RuleState | undefined>(
      (best, x) => (!best || x.remaining / x.limit < best.remaining / best.limit ? x : best),
      undefined,
    )
  const state = result.ok
    ? pick(result.state)
    : (result.state.find((s) => s.ruleId === result.rule.id) ?? pick(result.state))
  const headers: Record<string, string> = {}
  if (!result.ok) headers['retry-after'] = String(result.retryAfterSec)
  if (state) {
    headers['x-ratelimit-limit'] = String(state.limit)
    headers['x-ratelimit-remaining'] = String(Math.max(0, Math.floor(state.remaining * 1e6) / 1e6))
    headers['x-ratelimit-reset'] = String(result.ok ? state.resetSec : result.retryAfterSec)
  }
  return headers
}
