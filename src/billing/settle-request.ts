import { countPromptTokens, type Usage } from '../protocol/usage/usage.ts'
import { computeCost } from '../domain/pricing/compute-cost.ts'
import type { PriceIndex } from '../domain/pricing/find-model-prices.ts'
import type { RateLimiter } from '../infra/rate-limit/rate-limiter-types.ts'
import type { Clock } from '../infra/clock.ts'
import type { Admission } from './admit-funds.ts'
import type { Settlement } from './settlement.ts'
import type { SettlementWriter } from './settle-usage.ts'
import type { RetryLogger } from './retry-settlements.ts'

/** What settlement is decided on: plain values of one finished request, and the admission it was given. */
export interface SettlementFacts {
  requestId: string
  keyId: string
  username: string | null
  /** The channel that answered (or was tried last), its group and the group's price multiplier. */
  channelId: string | null
  groupId: string | null
  multiplier: number
  upstreamModel: string | null
  protocol: string
  endpoint: string
  /** An endpoint that costs nothing whatever it used (docs/architecture.md, "surface"). */
  free: boolean
  model: string
  usage: Usage
  usageSource: Settlement['usageSource']
  status: number
  errorCode: string | null
  isStream: boolean
  durationMs: number
  ttftMs: number | null
  /** When the request arrived: the usage row's and the ledger row's date. */
  createdAt: number
  admission: Admission
  /** The client's address as the gateway saw it, for the usage row. */
  clientIp?: string | null
}

export interface SettleDeps {
  /** The price index as of a moment (the proxy's price cache). */
  prices: { get(now: number): Promise<PriceIndex> }
  clock: Clock
  limiter: RateLimiter
  settlements: SettlementWriter
  logger: Pick<RetryLogger, 'error'>
}

/**
 * The one settlement of a request: cost from the routed group's prices, the usage row, the totals, the ledger and
 * the release of the reservation in one transaction; rate-limit buckets corrected to the truth. A request the
 * provider did not bill (no usage) costs nothing: that is the refund. Resolves with what was settled; a write the
 * database refuses waits for a retry (settle-usage.ts) and is logged, never thrown.
 */
export async function settleRequest(deps: SettleDeps, f: SettlementFacts): Promise<Settlement> {
  let costNano = 0n
  if (!f.free && f.usageSource !== 'none') {
    try {
      const index = await deps.prices.get(deps.clock.now())
      costNano = computeCost(index.lookup(f.model, f.groupId), f.usage, f.multiplier).costNano
    } catch (err) {
      deps.logger.error({ err, requestId: f.requestId }, 'cost computation failed')
    }
  }
  const s: Settlement = {
    requestId: f.requestId,
    keyId: f.keyId,
    username: f.username,
    channelId: f.channelId,
    groupId: f.groupId,
    protocol: f.protocol,
    endpoint: f.endpoint,
    model: f.model,
    upstreamModel: f.upstreamModel,
    usage: f.usage,
    usageSource: f.usageSource,
    status: f.status,
    errorCode: f.errorCode,
    isStream: f.isStream,
    durationMs: f.durationMs,
    ttftMs: f.ttftMs,
    costNano,
    coveredByPackage: f.admission.covered,
    reserved: f.admission.reserved,
    createdAt: f.createdAt,
    clientIp: f.clientIp ?? null,
  }
  try {
    await deps.settlements.settle(s)
  } catch (err) {
    deps.logger.error({ err, requestId: f.requestId }, 'settlement failed')
  }
  const tokens = countPromptTokens(f.usage) + f.usage.outputTokens
  for (const b of f.admission.buckets) {
    await deps.limiter.settle(b.scope, b.rules, f.requestId, { tokens, costNano })
  }
  await f.admission.releaseConcurrency?.()
  return s
}
