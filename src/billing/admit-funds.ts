import { AppError } from '../domain/errors.ts'
import { DatabaseUnavailableError } from '../infra/db/database-unavailable-error.ts'
import { isDatabaseUnavailable } from '../infra/db/classify-database-error.ts'
import type { RateLimiter, LimitRule, AdmitResult } from '../infra/rate-limit/rate-limiter-types.ts'
import { groupScope, keyScope } from '../infra/rate-limit/build-limit-scope.ts'
import { buildRateLimitHeaders } from '../infra/rate-limit/build-rate-limit-headers.ts'
import { estimateReservation, estimatePromptTokens } from '../domain/pricing/estimate-reservation.ts'
import type { ModelPrices } from '../domain/pricing/price-table.ts'
import type { ReservationRequest, ReservationResult } from './reserve-funds.ts'

/** The key a request came with, as admission needs it (the proxy's KeyPrincipal has these fields and more). */
export interface KeyFacts {
  keyId: string
  /** The key's owner; null for a key without one. */
  username: string | null
  /** The group the key is bound to, if any. */
  groupId: string | null
  /** The key's spending cap; null or not positive: none. */
  quotaNano: bigint | null
  /** The owner's balance is unlimited: nothing to reserve against it. */
  userUnlimited: boolean
  rpm: number | null
  tpm: number | null
  maxConcurrency: number | null
}

/** One of the routed group's rate rules (its package, for a key bound to the group). */
export interface GroupRuleFacts extends LimitRule {
  /** Whether the rule also limits personal keys routed through the group. */
  appliesTo: 'bound_keys' | 'all_keys'
}

/** What admission is decided on: plain values the proxy read from the request, its key and its route. */
export interface AdmissionFacts {
  requestId: string
  key: KeyFacts
  /** The routed group (of the first candidate), or null for a superadmin's global fallback. */
  groupId: string | null
  multiplier: number
  groupRules: readonly GroupRuleFacts[]
  prices: ModelPrices | null
  /** The output limit the request asked for (any protocol's field), or null. */
  maxTokens: number | null
  /** How many answers the request asked for (1 unless it said otherwise). */
  n: number
  promptBytes: number
  reserveOutputTokens: number
  now: number
}

export interface AdmissionDeps {
  limiter: RateLimiter
  /** Holds the estimate against the user's balance and the key's cap (reserve-funds.ts). */
  reserve: (request: ReservationRequest) => Promise<ReservationResult>
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

/** What admission decides: the request goes ahead with what it holds, or it is refused holding nothing. */
export type AdmissionResult =
  | { ok: true; admission: Admission }
  | { ok: false; refusal: AdmissionRefusal; rateLimit: RateLimitDecision | null }

const toLimitRules = (rules: readonly GroupRuleFacts[]): LimitRule[] =>
  rules.map((r) => ({ id: r.id, limitType: r.limitType, windowSec: r.windowSec, limit: r.limit }))

function keyRules(key: KeyFacts): LimitRule[] {
  const out: LimitRule[] = []
  if (key.rpm) out.push({ id: `rpm:${key.keyId}`, limitType: 'request_limit', windowSec: 60, limit: key.rpm })
  if (key.tpm) out.push({ id: `tpm:${key.keyId}`, limitType: 'token_limit', windowSec: 60, limit: key.tpm })
  return out
}

/**
 * Admission (README, "Rate limits and packages"): per-key limits, the group's rules (a "package" for a key bound
 * to the group), then the reservation of the estimate against the user's balance and the key's cap. Anything
 * refused, or failed, undoes what was recorded before it.
 */
export async function admitFunds(deps: AdmissionDeps, facts: AdmissionFacts): Promise<AdmissionResult> {
  const taken: Taken = { buckets: [], releaseConcurrency: null }
  try {
    return await decideAdmission(deps, facts, taken)
  } catch (err) {
    // A dependency failed half-way (the database refusing the hold, the limiter failing closed on a later rule):
    // the request is refused, so what it had taken so far is given back, as for any refusal. Both are idempotent,
    // so a refusal whose own giving back failed half-way is safe to give back again.
    await giveBack(deps.limiter, facts.requestId, taken).catch(() => undefined)
    // The database could take no write (SQLite busy or read-only, PostgreSQL unreachable): the request fails
    // closed with 503 and its retry hint, never as an internal error (docs/security.md).
    if (!(err instanceof AppError) && isDatabaseUnavailable(err))
      throw new DatabaseUnavailableError('reservation', { cause: err })
    throw err
  }
}

/** What admission has recorded for the request so far, to give back when it is refused. */
interface Taken {
  buckets: Admission['buckets']
  releaseConcurrency: Admission['releaseConcurrency']
}

async function giveBack(limiter: RateLimiter, requestId: string, taken: Taken): Promise<void> {
  for (const b of taken.buckets) await limiter.settle(b.scope, b.rules, requestId, { tokens: 0, costNano: 0 })
  await taken.releaseConcurrency?.()
}

async function decideAdmission(
  deps: AdmissionDeps,
  facts: AdmissionFacts,
  taken: Taken,
): Promise<AdmissionResult> {
  const { limiter } = deps
  const key = facts.key
  const { maxTokens, n } = facts
  const estimateNano = estimateReservation(
    facts.prices,
    { promptBytes: facts.promptBytes, maxTokens, n },
    facts.multiplier,
    facts.reserveOutputTokens,
  )
  const estimateTokens =
    (estimatePromptTokens(facts.promptBytes) +
      Math.min(maxTokens ?? facts.reserveOutputTokens, facts.reserveOutputTokens)) *
    n
  const estimate = { tokens: estimateTokens, costNano: estimateNano }
  const buckets = taken.buckets
  const undo = () => giveBack(limiter, facts.requestId, taken)
  let headers: Record<string, string> = {}
  const limited = (result: Extract<AdmitResult, { ok: false }>): AdmissionRefusal => ({
    kind: 'rate_limited',
    rule: result.rule,
    retryAfterSec: result.retryAfterSec,
    headers: buildRateLimitHeaders(result),
  })

  let checked = false
  let failedOpen = false
  const decided = (): RateLimitDecision | null => (failedOpen ? 'fail_open' : checked ? 'allowed' : null)
  const kr = keyRules(key)
  if (kr.length) {
    const r = await limiter.admit({
      scope: keyScope(key.keyId),
      rules: kr,
      requestId: facts.requestId,
      estimate,
    })
    if (!r.ok) return { ok: false, refusal: limited(r), rateLimit: 'limited' }
    checked = true
    if (r.degraded) failedOpen = true
    buckets.push({ scope: keyScope(key.keyId), rules: kr })
    headers = buildRateLimitHeaders(r)
  }

  if (key.maxConcurrency) {
    taken.releaseConcurrency = await limiter.acquireConcurrency(keyScope(key.keyId), key.maxConcurrency, 3600)
    if (!taken.releaseConcurrency) {
      await undo()
      return { ok: false, refusal: { kind: 'concurrency' }, rateLimit: 'concurrency_limited' }
    }
    checked = true
  }
  const refuse = async (refusal: AdmissionRefusal, rateLimit = decided()) => {
    await undo()
    return { ok: false as const, refusal, rateLimit }
  }
  // Every field written out in one literal, in one order: spreading the decision into the admission made V8 add
  // each further field through its slow path on every request (docs/performance.md).
  const admitted = (
    decision: Pick<Admission, 'rateLimit' | 'covered' | 'reserved' | 'headers'>,
  ): AdmissionResult => ({
    ok: true,
    admission: {
      rateLimit: decision.rateLimit,
      covered: decision.covered,
      reserved: decision.reserved,
      estimateNano,
      estimateTokens,
      buckets,
      headers: decision.headers,
      releaseConcurrency: taken.releaseConcurrency,
    },
  })
  const reserve = (userAmount: bigint) =>
    deps.reserve({
      requestId: facts.requestId,
      username: key.username,
      keyId: key.keyId,
      userAmount,
      keyAmount: estimateNano,
      now: facts.now,
    })

  let covered = false
  // For a key bound to the routed group, the group's active rules are its package. A personal key that only
  // routes through the group is limited by the rules an admin extended to all keys (`all_keys`), as throttles
  // it cannot pay its way around; by default (`bound_keys`, as the original) by none: the balance alone decides.
  const bound = facts.groupId !== null && key.groupId === facts.groupId
  const rules = toLimitRules(
    bound ? facts.groupRules : facts.groupRules.filter((r) => r.appliesTo === 'all_keys'),
  )
  if (rules.length && facts.groupId) {
    const scope = groupScope(facts.groupId, key.username)
    const r = await limiter.admit({ scope, rules, requestId: facts.requestId, estimate })
    if (r.ok) {
      checked = true
      if (r.degraded) failedOpen = true
      buckets.push({ scope, rules })
      headers = buildRateLimitHeaders(r)
      // A key bound to a group whose active rules all pass is covered by that group's package. While the limiter
      // fails open the rules were not checked: only rate limiting degrades, never a budget, so the user's balance
      // pays (docs/security.md, #36). A key without a user has no balance to fall back on and stays covered.
      covered = bound && !(r.degraded && key.username)
    } else if (bound && key.username) {
      // The package is used up: the balance may pay instead. If it cannot, the answer is the rule (429, not
      // 402): waiting for the window is what the caller can do.
      const paid = await reserve(estimateNano)
      if (!paid.ok) return refuse(limited(r), 'limited')
      return admitted({
        rateLimit: 'package_spillover',
        covered: false,
        reserved: true,
        headers: buildRateLimitHeaders(r),
      })
    } else {
      // A throttle (all_keys rule on a personal key), or an ownerless bound key with no balance to fall back on.
      return refuse(limited(r), 'limited')
    }
  }

  // Nothing to protect: an unlimited balance (or a package) and a key without a cap. No database write needed.
  const keyCapped = key.quotaNano !== null && key.quotaNano > 0n
  if (!keyCapped && (covered || key.userUnlimited)) {
    return admitted({ rateLimit: decided(), covered, reserved: false, headers })
  }
  const reserved = await reserve(covered ? 0n : estimateNano)
  if (!reserved.ok) return refuse({ kind: 'insufficient_quota', reason: reserved.reason })
  return admitted({ rateLimit: decided(), covered, reserved: true, headers })
}
