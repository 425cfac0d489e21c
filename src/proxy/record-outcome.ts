import { createEmptyUsage } from '../protocol/usage/usage.ts'
import { isFreeEndpoint } from '../protocol/surface.ts'
import type { Admission } from '../billing/admit-funds.ts'
import { buildProxyAuditRecord } from './build-proxy-audit-record.ts'
import type { ProxyDeps, ProxyOutcome } from './proxy-types.ts'

/** A request refused before admission held anything: nothing to release, no rate-limit bucket to correct. */
const NOTHING_HELD: Admission = {
  rateLimit: null,
  covered: false,
  reserved: false,
  estimateNano: 0n,
  estimateTokens: 0,
  buckets: [],
  headers: {},
  releaseConcurrency: null,
}

/**
 * The usage row of a request with a valid key that was refused before admission — an unknown or forbidden model, a
 * rate limit, the quota, an unreadable body — with its status and error code at zero cost, so the key's owner and
 * the admins see it in Logs (docs/architecture.md, "settlement"). Nothing is billed: no usage, no hold to release,
 * no ledger row. A refusal because a dependency is down (503) has none: the database may be what is missing, and
 * the audit record keeps it. The outcome keeps what was written, as for any settled request.
 */
export async function recordRefusal(deps: ProxyDeps, o: ProxyOutcome, durationMs: number): Promise<void> {
  const p = o.principal
  if (!p || o.settlement || o.errorCode === 'service_unavailable') return
  o.settlement = await deps.billing.settle({
    requestId: o.requestId,
    keyId: p.keyId,
    username: p.username,
    channelId: null,
    groupId: null,
    multiplier: 1,
    upstreamModel: null,
    protocol: o.surface.protocol,
    endpoint: o.surface.endpoint,
    free: isFreeEndpoint(o.surface),
    model: o.model ?? '',
    usage: createEmptyUsage(),
    usageSource: 'none',
    status: o.status,
    errorCode: o.errorCode,
    isStream: false,
    durationMs,
    ttftMs: null,
    createdAt: o.startedAt,
    admission: NOTHING_HELD,
    clientIp: o.ip ?? null,
  })
}

/**
 * The last step of every proxied request, answered or refused (docs/architecture.md): its audit record (written
 * off the hot path by the audit writer), its metrics, then whoever observes finished requests.
 */
export function recordOutcome(deps: ProxyDeps, o: ProxyOutcome): void {
  const { record, secrets } = buildProxyAuditRecord(o)
  const bodyChars = o.requestBody.length + o.responseBody.length + (o.reassembledText?.length ?? 0)
  deps.audit.enqueue(record, secrets, bodyChars)
  deps.recordMetrics(o)
  deps.onFinished?.(o)
}
