import { createEmptyUsage, type Usage } from '../protocol/usage/usage.ts'
import { estimatePromptTokens } from '../domain/pricing/estimate-reservation.ts'
import type { RouteCandidate } from '../domain/routing/select-channels.ts'
import type { Admission } from '../billing/admit-funds.ts'
import type { Settlement } from '../billing/settlement.ts'
import type { RelayOutcome } from './relay-response.ts'
import { isFreeEndpoint } from '../protocol/surface.ts'
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
  /** From the request's arrival to the end of its answer. */
  durationMs: number
}

/**
 * The one settlement of a proxied request: billing settles it on the request's facts (settle-request.ts), and the
 * outcome keeps what was settled for the audit record and metrics.
 */
export async function settleProxiedRequest(deps: ProxyDeps, a: SettleArgs): Promise<void> {
  const { outcome } = a
  const p = outcome.principal!
  outcome.settlement = await deps.billing.settle({
    requestId: outcome.requestId,
    keyId: p.keyId,
    username: p.username,
    channelId: a.cand?.channel.id ?? null,
    groupId: a.cand?.group?.id ?? null,
    multiplier: a.cand?.group?.multiplier ?? 1,
    upstreamModel: a.cand?.upstreamModel ?? null,
    protocol: outcome.surface.protocol,
    endpoint: outcome.surface.endpoint,
    free: isFreeEndpoint(outcome.surface),
    model: a.model,
    usage: a.usage,
    usageSource: a.source,
    status: outcome.status,
    errorCode: outcome.errorCode,
    isStream: a.stream,
    durationMs: a.durationMs,
    ttftMs: a.ttftMs,
    createdAt: outcome.startedAt,
    admission: a.admission,
    clientIp: outcome.ip ?? null,
  })
}
