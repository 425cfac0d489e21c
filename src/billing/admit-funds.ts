import type { Kysely } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import type { RateLimiter, LimitRule, AdmitResult } from '../infra/rate-limit/rate-limiter-types.ts'
import { groupScope, keyScope } from '../infra/rate-limit/build-limit-scope.ts'
import { buildRateLimitHeaders } from '../infra/rate-limit/build-rate-limit-headers.ts'
import { estimateReservation, estimatePromptTokens } from '../domain/pricing/estimate-reservation.ts'
import type { ModelPrices } from '../domain/pricing/price-table.ts'
import { reserveFunds } from '../services/billing/reserve-funds.ts'
import type { KeyPrincipal } from './token-cache.ts'
import type { RateRule } from './routing-snapshot.ts'

export interface AdmissionInput {
  requestId: string
  principal: KeyPrincipal
  /** The routed group (of the first candidate), or null for a superadmin's global fallback. */
  groupId: string | null
  multiplier: number
  groupRules: readonly RateRule[]
  prices: ModelPrices | null
  json: Record<string, unknown> | null
  promptBytes: number
  reserveOutputTokens: number
  now: number
}

/**
 * What the rate limiter decided, for metrics: `fail_open` when a rule could not be checked (Redis down) and the
 * request went through; `package_spillover` when a package was used up and the balance paid instead. Null when
 * no rule applied.
 */
export type RateLimitDecision =
  'allowed' | 'fail_open' | 'package_spillover' | 'limited' | 'concurrency_limited'

export interface Admission {
  rateLimit: RateLimitDecision | null
  covered: boolean
  /** Whether money was held (a reservations row exists); unlimited users with uncapped keys hold nothing. */
  reserved: boolean
  estimateNano: bigint
  estimateTokens: number
  /** Rate-limit buckets this request was recorded in, corrected at settlement. */
  buckets: { scope: string; rules: LimitRule[] }[]
  headers: Record<string, string>
  releaseConcurrency: (() => Promise<void>) | null
}

export type AdmissionRefusal =
  | { kind: 'rate_limited'; rule: LimitRule; retryAfterSec: number; headers: Record<string, string> }
  | { kind: 'insufficient_quota'; reason: 'balance' | 'key_cap' }
  | { kind: 'concurrency' }

function readMaxTokens(json: Record<string, unknown> | null): number | null {
  if (!json) return null
  for (const k of ['max_tokens', 'max_completion_tokens', 'max_output_tokens']) {
    const v = json[k]
    if (isTokenCount(v)) return v
  }
  const gc = json.generationConfig as Record<string, unknown> | undefined
  if (gc && isTokenCount(gc.maxOutputTokens)) return gc.maxOutputTokens
  return null
}

/**
 * A limit the estimate can use; anything else (negative, fractional, beyond 2^53) reserves the default, and the
 * provider answers the nonsense itself. Above the default reservation the value changes nothing anyway.
 */
const isTokenCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

function readN(json: Record<string, unknown> | null): number {
  const n = json?.n ?? (json?.generationConfig as Record<string, unknown> | undefined)?.candidateCount
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? Math.min(n, 128) : 1
}

const toLimitRules = (rules: readonly RateRule[]): LimitRule[] =>
  rules.map((r) => ({ id: r.id, limitType: r.limitType, windowSec: r.windowSec, limit: r.limit }))

function keyRules(p: KeyPrincipal): LimitRule[] {
  const out: LimitRule[] = []
  if (p.rpm) out.push({ id: `rpm:${p.tokenId}`, limitType: 'request_limit', windowSec: 60, limit: p.rpm })
  if (p.tpm) out.push({ id: `tpm:${p.tokenId}`, limitType: 'token_limit', windowSec: 60, limit: p.tpm })
  return out
}

/**
 * Admission (README, "Rate limits and packages"): per-key limits, the group's rules (a "package" for a key bound
 * to the group), then the reservation of the estimate against the user's balance and the key's cap. Anything
 * refused undoes what was recorded before it.
 */
export async function admitRequest(
  db: Kysely<Database>,
  limiter: RateLimiter,
  a: AdmissionInput,
): Promise<
  | { ok: true; admission: Admission }
  | { ok: false; refusal: AdmissionRefusal; rateLimit: RateLimitDecision | null }
> {
  const p = a.principal
  const maxTokens = readMaxTokens(a.json)
  const n = readN(a.json)
  const estimateNano = estimateReservation(
    a.prices,
    { promptBytes: a.promptBytes, maxTokens, n },
    a.multiplier,
    a.reserveOutputTokens,
  )
  const estimateTokens =
    (estimatePromptTokens(a.promptBytes) +
      Math.min(maxTokens ?? a.reserveOutputTokens, a.reserveOutputTokens)) *
    n
  const estimate = { tokens: estimateTokens, costNano: estimateNano }
  const buckets: Admission['buckets'] = []
  const undo = async () => {
    for (const b of buckets) await limiter.settle(b.scope, b.rules, a.requestId, { tokens: 0, costNano: 0 })
  }
  let headers: Record<string, string> = {}
  const limited = (r: Extract<AdmitResult, { ok: false }>): AdmissionRefusal => ({
    kind: 'rate_limited',
    rule: r.rule,
    retryAfterSec: r.retryAfterSec,
    headers: buildRateLimitHeaders(r),
  })

  let checked = false
  let failedOpen = false
  const decided = (): RateLimitDecision | null => (failedOpen ? 'fail_open' : checked ? 'allowed' : null)
  const kr = keyRules(p)
  if (kr.length) {
    const r = await limiter.admit({ scope: keyScope(p.tokenId), rules: kr, requestId: a.requestId, estimate })
    if (!r.ok) return { ok: false, refusal: limited(r), rateLimit: 'limited' }
    checked = true
    if (r.degraded) failedOpen = true
    buckets.push({ scope: keyScope(p.tokenId), rules: kr })
    headers = buildRateLimitHeaders(r)
  }

  let releaseConcurrency: (() => Promise<void>) | null = null
  if (p.maxConcurrency) {
    releaseConcurrency = await limiter.acquireConcurrency(keyScope(p.tokenId), p.maxConcurrency, 3600)
    if (!releaseConcurrency) {
      await undo()
      return { ok: false, refusal: { kind: 'concurrency' }, rateLimit: 'concurrency_limited' }
    }
    checked = true
  }
  const refuse = async (refusal: AdmissionRefusal, rateLimit = decided()) => {
    await undo()
    await releaseConcurrency?.()
    return { ok: false as const, refusal, rateLimit }
  }

  let covered = false
  // For a key bound to the routed group, the group's active rules are its package. A personal key that only
  // routes through the group is limited by the rules an admin extended to all keys (`all_keys`), as throttles
  // it cannot pay its way around; by default (`bound_keys`, as the original) by none: the balance alone decides.
  const bound = a.groupId !== null && p.groupId === a.groupId
  const rules = toLimitRules(bound ? a.groupRules : a.groupRules.filter((r) => r.appliesTo === 'all_keys'))
  if (rules.length && a.groupId) {
    const scope = groupScope(a.groupId, p.username)
    const r = await limiter.admit({ scope, rules, requestId: a.requestId, estimate })
    if (r.ok) {
      checked = true
      if (r.degraded) failedOpen = true
      buckets.push({ scope, rules })
      headers = buildRateLimitHeaders(r)
      // A key bound to a group whose active rules all pass is covered by that group's package. While the limiter
      // fails open the rules were not checked: only rate limiting degrades, never a budget, so the user's balance
      // pays (docs/security.md, #36). A key without a user has no balance to fall back on and stays covered.
      covered = bound && !(r.degraded && p.username)
    } else if (bound && p.username) {
      // The package is used up: the balance may pay instead. If it cannot, the answer is the rule (429, not
      // 402): waiting for the window is what the caller can do.
      const paid = await reserveFunds(db, {
        requestId: a.requestId,
        username: p.username,
        tokenId: p.tokenId,
        userAmount: estimateNano,
        tokenAmount: estimateNano,
        now: a.now,
      })
      if (!paid.ok) return refuse(limited(r), 'limited')
      return {
        ok: true,
        admission: {
          rateLimit: 'package_spillover',
          covered: false,
          reserved: true,
          estimateNano,
          estimateTokens,
          buckets,
          headers: buildRateLimitHeaders(r),
          releaseConcurrency,
        },
      }
    } else {
      // A throttle (all_keys rule on a personal key), or an ownerless bound key with no balance to fall back on.
      return refuse(limited(r), 'limited')
    }
  }

  // Nothing to protect: an unlimited balance (or a package) and a key without a cap. No database write needed.
  const keyCapped = p.quotaNano !== null && p.quotaNano > 0n
  if (!keyCapped && (covered || p.userUnlimited)) {
    return {
      ok: true,
      admission: {
        rateLimit: decided(),
        covered,
        reserved: false,
        estimateNano,
        estimateTokens,
        buckets,
        headers,
        releaseConcurrency,
      },
    }
  }
  const reserved = await reserveFunds(db, {
    requestId: a.requestId,
    username: p.username,
    tokenId: p.tokenId,
    userAmount: covered ? 0n : estimateNano,
    tokenAmount: estimateNano,
    now: a.now,
  })
  if (!reserved.ok) return refuse({ kind: 'insufficient_quota', reason: reserved.reason })
  return {
    ok: true,
    admission: {
      rateLimit: decided(),
      covered,
      reserved: true,
      estimateNano,
      estimateTokens,
      buckets,
      headers,
      releaseConcurrency,
    },
  }
}
