import { AppError } from '../domain/errors.ts'
import type { RouteCandidate } from '../domain/routing/select-channels.ts'
import { isRateLimiterUnavailable } from '../infra/rate-limit/rate-limiter-unavailable-error.ts'
import type { Admission, AdmissionRefusal } from '../billing/admit-funds.ts'
import { readMaxTokens, readN } from './read-output-limits.ts'
import { isFreeEndpoint } from '../protocol/surface.ts'
import type { ModelPrices } from '../domain/pricing/price-table.ts'
import type { KeyPrincipal } from './key-cache.ts'
import type { Route } from './route-request.ts'
import type { ProxyDeps, ProxyOutcome } from './proxy-types.ts'

/** What admission did, for metrics and the audit record, whether or not the request went ahead. */
interface AdmissionFacts {
  rateLimit: ProxyOutcome['rateLimit']
  reservation: ProxyOutcome['reservation']
}

/** Admitted with what it holds, or refused with the error the client is answered with. */
export type AdmitResult =
  (AdmissionFacts & { ok: true; admission: Admission }) | (AdmissionFacts & { ok: false; error: unknown })

/**
 * Step 3 (docs/architecture.md): the price of the model in the first candidate's group (an unpriced model may be
 * refused), then billing's admission — rate limits, packages and the hold of the estimate (billing/admit-funds.ts).
 * Never throws: a refusal and a dependency failure are results too.
 */
export async function admitCall(
  deps: ProxyDeps,
  requestId: string,
  principal: KeyPrincipal,
  route: Route,
  model: string,
  json: Record<string, unknown> | null,
  promptBytes: number,
  surface: ProxyOutcome['surface'],
): Promise<AdmitResult> {
  const first: RouteCandidate = route.candidates[0]
  const now = deps.clock.now()
  let prices: ModelPrices | null
  try {
    prices = (await deps.prices.get(now)).lookup(model, first.group?.id ?? null)
  } catch (error) {
    return { ok: false, error, rateLimit: null, reservation: null }
  }
  if (!prices && deps.unpricedPolicy === 'reject' && !isFreeEndpoint(surface)) {
    const error = new AppError(
      'forbidden',
      `Model ${model} has no price; unpriced models are refused on this gateway`,
    )
    return { ok: false, error, rateLimit: null, reservation: null }
  }
  try {
    const r = await deps.billing.admit({
      requestId,
      key: principal,
      groupId: first.group?.id ?? null,
      multiplier: first.group?.multiplier ?? 1,
      groupRules: route.rules,
      prices,
      maxTokens: readMaxTokens(json),
      n: readN(json),
      promptBytes,
      reserveOutputTokens: deps.reserveOutputTokens,
      now,
    })
    if (r.ok) {
      const a = r.admission
      const reservation = a.reserved ? 'reserved' : a.covered ? 'covered' : 'not_needed'
      return { ok: true, admission: a, rateLimit: a.rateLimit, reservation }
    }
    const reservation = r.refusal.kind === 'insufficient_quota' ? 'refused' : null
    return { ok: false, error: refusalError(r.refusal), rateLimit: r.rateLimit, reservation }
  } catch (error) {
    // The limiter failing closed, else the database refusing the reservation.
    if (isRateLimiterUnavailable(error))
      return { ok: false, error, rateLimit: 'unavailable', reservation: null }
    return { ok: false, error, rateLimit: null, reservation: 'failed' }
  }
}

/** Billing's refusal in the gateway's error registry, with the client's retry hints. */
function refusalError(refusal: AdmissionRefusal): AppError {
  if (refusal.kind === 'rate_limited') {
    const what = refusal.rule.limitType.replace('_limit', '')
    return new AppError(
      'rate_limited',
      `Rate limit exceeded (${what} limit of ${refusal.rule.limit} per ${refusal.rule.windowSec}s); retry after ${refusal.retryAfterSec}s`,
      undefined,
      refusal.headers,
    )
  }
  if (refusal.kind === 'concurrency')
    return new AppError('rate_limited', 'Too many concurrent requests for this API key')
  return new AppError(
    'insufficient_quota',
    refusal.reason === 'balance'
      ? 'Insufficient balance; redeem a voucher or ask an administrator'
      : 'This API key has reached its spending cap',
  )
}
