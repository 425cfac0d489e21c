import type { LimitRule, RuleState, UsageAmount } from './rate-limiter-types.ts'

/** Internal form of a rule: integer units (requests, tokens, nano-USD) and milliseconds. */
export interface PreparedRule {
  rule: LimitRule
  /** 'r' counts requests (one entry each, never settled); 'a' sums amounts (tokens or nano-USD). */
  kind: 'r' | 'a'
  windowMs: number
  /** Admitted only if used + amount <= limitUnits. */
  limitUnits: number
}

const NANO_PER_USD = 1e9

const isActive = (rule: LimitRule): boolean =>
  Number.isFinite(rule.limit) && rule.limit > 0 && Number.isFinite(rule.windowSec) && rule.windowSec > 0

/**
 * Active rules only (limit and window > 0), first occurrence of each id, in the given order.
 * A request limit of 0.5 admits one request, as the original (`current < value`) did.
 */
export function prepareRules(rules: readonly LimitRule[]): PreparedRule[] {
  const seen = new Set<string>()
  const out: PreparedRule[] = []
  for (const rule of rules) {
    if (!isActive(rule) || seen.has(rule.id)) continue
    seen.add(rule.id)
    const windowMs = Math.max(1, Math.round(rule.windowSec * 1000))
    switch (rule.limitType) {
      case 'request_limit':
        out.push({ rule, kind: 'r', windowMs, limitUnits: Math.ceil(rule.limit) })
        break
      case 'token_limit':
        out.push({ rule, kind: 'a', windowMs, limitUnits: Math.floor(rule.limit) })
        break
      case 'quota_limit':
        out.push({ rule, kind: 'a', windowMs, limitUnits: Math.round(rule.limit * NANO_PER_USD) })
        break
    }
  }
  return out
}

const nonNegativeInt = (n: number): number => (Number.isFinite(n) && n > 0 ? Math.ceil(n) : 0)

function nanoUnits(cost: bigint | number): number {
  if (typeof cost === 'bigint') return cost > 0n ? Number(cost) : 0
  return nonNegativeInt(cost)
}

/** What one request adds to a rule: 1 request, its tokens, or its spend in nano-USD. */
export function amountFor(rule: LimitRule, amount: UsageAmount): number {
  switch (rule.limitType) {
    case 'request_limit':
      return 1
    case 'token_limit':
      return nonNegativeInt(amount.tokens)
    case 'quota_limit':
      return nanoUnits(amount.costNano)
  }
}

/** Internal units back to the rule's unit (USD for quota limits). */
export function toRuleUnit(rule: LimitRule, units: number): number {
  return rule.limitType === 'quota_limit' ? units / NANO_PER_USD : units
}

export function ruleState(rule: LimitRule, usedUnits: number, resetMs: number): RuleState {
  const used = toRuleUnit(rule, usedUnits)
  return {
    ruleId: rule.id,
    limit: rule.limit,
    used,
    remaining: Math.max(0, rule.limit - used),
    resetSec: resetMs > 0 ? Math.ceil(resetMs / 1000) : 0,
  }
}

/** Retry-After in whole seconds, never 0: a rejected caller must wait at least until the next second. */
export const retryAfterSec = (ms: number): number => Math.max(1, Math.ceil(ms / 1000))
