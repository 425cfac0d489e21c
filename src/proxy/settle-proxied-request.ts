import { countPromptTokens, createEmptyUsage, type Usage } from '../protocol/usage/usage.ts'
import { computeCost } from '../domain/pricing/compute-cost.ts'
import { estimatePromptTokens } from '../domain/pricing/estimate-reservation.ts'
import type { RouteCandidate } from '../domain/routing/select-channels.ts'
import type { Admission } from './admit-request.ts'
import type { RelayOutcome } from './relay-response.ts'
import type { Settlement } from './settle-usage.ts'
import { isFreeEndpoint } from './surfaces.ts'
import type { ProxyDeps, ProxyOutcome } from './proxy-types.ts'

/** The prompt alone, estimated from its size as admission estimates it: what a provider that never answered has. */
export function promptOnlyUsage(promptBytes: number): Usage {
  return { ...createEmptyUsage(), inputTokens: estimatePromptTokens(promptBytes) }
}

/** Usage as reported, else estimated; a cut answer is `partial` and never billed less output than was seen. */
export function meteredUsage(
  r: RelayOutcome,
  promptBytes: number,
): { usage: Usage; source: Settlement['usageSource'] } {
  const partial = r.clientAborted || r.upstreamFailed !== null
  if (r.usage?.reported) {
    if (partial && r.stream) {
      const seen = Math.ceil(r.stream.outputChars / 4)
      return { usage: { ...r.usage, outputTokens: Math.max(r.usage.outputTokens, seen) }, source: 'partial' }
    }
    return { usage: r.usage, source: 'reported' }
  }
  const usage: Usage = {
    ...promptOnlyUsage(promptBytes),
    outputTokens: Math.ceil((r.stream?.outputChars ?? 0) / 4),
  }
  return { usage, source: partial ? 'partial' : 'estimated' }
}

export interface SettleArgs {
  outcome: ProxyOutcome
  admission: Admission
  cand: RouteCandidate | null
  model: string
  stream: boolean
  usage: Usage
  source: Settlement['usageSource']
  ttftMs: number | null
  t0: number
}

/**
 * The one settlement of a proxied request: cost from the routed group's prices, the usage row, the totals,
 * the ledger and the release of the reservation in one transaction; rate-limit buckets corrected to the truth.
 * A request the provider did not bill (no usage) costs nothing: that is the refund.
 */
export async function settleProxiedRequest(deps: ProxyDeps, a: SettleArgs): Promise<void> {
  const { outcome, admission } = a
  const p = outcome.principal!
  const groupId = a.cand?.group?.id ?? null
  const multiplier = a.cand?.group?.multiplier ?? 1
  let costNano = 0n
  if (!isFreeEndpoint(outcome.surface) && a.source !== 'none') {
    try {
      const index = await deps.prices.get(deps.clock.now())
      costNano = computeCost(index.lookup(a.model, groupId), a.usage, multiplier).costNano
    } catch (err) {
      deps.logger.error({ err, requestId: outcome.requestId }, 'cost computation failed')
    }
  }
  const s: Settlement = {
    requestId: outcome.requestId,
    tokenId: p.tokenId,
    username: p.username,
    channelId: a.cand?.channel.id ?? null,
    groupId,
    protocol: outcome.surface.protocol,
    endpoint: outcome.surface.endpoint,
    model: a.model,
    upstreamModel: a.cand?.upstreamModel ?? null,
    usage: a.usage,
    usageSource: a.source,
    status: outcome.status,
    errorCode: outcome.errorCode,
    isStream: a.stream,
    durationMs: performance.now() - a.t0,
    ttftMs: a.ttftMs,
    costNano,
    coveredByPackage: admission.covered,
    reserved: admission.reserved,
    createdAt: outcome.startedAt,
  }
  outcome.settlement = s
  try {
    await deps.settlements.settle(s)
  } catch (err) {
    deps.logger.error({ err, requestId: outcome.requestId }, 'settlement failed')
  }
  const tokens = countPromptTokens(a.usage) + a.usage.outputTokens
  for (const b of admission.buckets) {
    await deps.limiter.settle(b.scope, b.rules, outcome.requestId, { tokens, costNano })
  }
  await admission.releaseConcurrency?.()
}
