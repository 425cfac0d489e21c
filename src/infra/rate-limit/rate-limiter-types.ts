/**
 * The rate limiter the proxy uses at admission and settlement (docs/architecture.md, *Money › Rate limits*).
 * Two implementations share these semantics: Redis (shared by every gateway process) and in-process memory
 * (when REDIS_URL is not set).
 *
 * Units: `limit`, `used` and `remaining` are requests for `request_limit`, tokens for `token_limit` and USD
 * for `quota_limit` (the unit of `rate_limits.value`); spend is passed in nano-USD (`costNano`).
 * A rule whose `limit` or `windowSec` is not a positive number is disabled: never checked nor recorded.
 */
export interface LimitRule {
  id: string
  limitType: 'request_limit' | 'token_limit' | 'quota_limit'
  windowSec: number
  limit: number
}

/** `g:{groupId}:u:{username}` per user within a group; `g:{groupId}:shared` for ownerless keys; `k:{keyId}` per key. */
export interface LimitScope {
  bucket: string
}

export interface UsageAmount {
  tokens: number
  costNano: bigint | number
}

export interface AdmitRequest {
  scope: string
  rules: LimitRule[]
  requestId: string
  estimate: UsageAmount
}

export interface RuleState {
  ruleId: string
  limit: number
  used: number
  remaining: number
  /** Seconds until the oldest entry of the window expires (0 when the window is empty). */
  resetSec: number
}

export type AdmitResult =
  | { ok: true; state: RuleState[]; degraded?: 'fail-open' }
  | { ok: false; rule: LimitRule; retryAfterSec: number; state: RuleState[] }

export interface RateLimiterHealth {
  backend: 'redis' | 'memory'
  healthy: boolean
  lastError?: string
  failOpenCount: number
}

export interface RateLimiter {
  /**
   * Checks every rule and, only if ALL pass, records the request (count 1, tokens = estimate.tokens,
   * spend = estimate.costNano) in ONE atomic step. When several rules fail, `rule` is the one that frees up
   * last, so waiting `retryAfterSec` clears every rule that failed. With the backend down and fail-closed it
   * throws `RateLimiterUnavailableError` (503).
   */
  admit(req: AdmitRequest): Promise<AdmitResult>
  /**
   * At settlement: replaces the estimate recorded for requestId by the actual tokens/spend (may be lower or
   * higher). Refund = settle with 0 tokens and 0 spend (request count stays). Idempotent. If the entry is no
   * longer in the window (expired, or admitted while the backend was down), a non-zero actual is recorded now.
   * Never throws for backend faults (they are counted in health()).
   */
  settle(scope: string, rules: LimitRule[], requestId: string, actual: UsageAmount): Promise<void>
  /** Current use of one rule in the rule's unit, for the dashboard gauges (/auth/my-status). */
  usage(scope: string, rule: LimitRule): Promise<number>
  /** Per-key concurrency: acquire returns a release function, or null when at the limit. Leases expire after ttlSec. */
  acquireConcurrency(key: string, max: number, ttlSec: number): Promise<null | (() => Promise<void>)>
  health(): RateLimiterHealth
  close(): Promise<void>
}
