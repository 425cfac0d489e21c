import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '../infra/db/database-types.ts'
import type { Clock } from '../infra/clock.ts'
import type { RateLimiter } from '../infra/rate-limit/rate-limiter-types.ts'
import type { KeyPrincipal, KeyCache } from './key-cache.ts'
import type { ChannelRuntime, RoutingSnapshot } from './routing-snapshot.ts'
import type { UpstreamDispatchers } from './upstream-dispatchers.ts'
import type { ChannelHealth } from './channel-health.ts'
import type { PriceCache } from './price-cache.ts'
import type { Surface } from '../protocol/surface.ts'
import type { Settlement } from '../billing/settlement.ts'
import type { RateLimitDecision } from '../billing/admit-funds.ts'
import type { Billing } from '../billing/create-billing.ts'
import type { AuditWriter } from '../infra/audit/create-audit-writer.ts'

export interface ProxyDeps {
  db: Kysely<Database>
  clock: Clock
  logger: Logger
  snapshot: RoutingSnapshot
  keys: KeyCache
  dispatchers: UpstreamDispatchers
  health: ChannelHealth
  prices: PriceCache
  limiter: RateLimiter
  /** Admission and settlement of money (src/billing). */
  billing: Billing
  maxAttempts: number
  reserveOutputTokens: number
  unpricedPolicy: 'free' | 'reject'
  keepAuditBodies: boolean
  /** Where each request's audit record goes (the record step, record-outcome.ts). */
  audit: Pick<AuditWriter, 'enqueue'>
  /** Counts each finished request in the gateway's metrics (record-proxy-metrics.ts). */
  recordMetrics: (outcome: ProxyOutcome) => void
  /** Observes each finished request after it was recorded (tests). */
  onFinished?: (outcome: ProxyOutcome) => void
  random?: () => number
  /** Proxied requests in progress, so a graceful shutdown can wait for them. */
  inflight: { count: number; draining: boolean }
}

export interface ProxyRequest {
  surface: Surface
  method: string
  /** Raw request-target, for the audit record (the key query parameter is redacted there). */
  url: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: Buffer
  /** Gemini: the model comes from the path. */
  pathModel?: string
  res: ServerResponse
  /** The client's address, for the audit record. */
  ip?: string
}

/** What happened to one proxied request, for the audit log and metrics. */
export interface ProxyOutcome {
  requestId: string
  surface: Surface
  clientPath: string
  method: string
  ip: string | undefined
  requestHeaders: IncomingHttpHeaders
  requestBody: Buffer
  /** The request body as parsed for routing, so the audit record need not parse it again. */
  requestJson: unknown
  principal: KeyPrincipal | null
  clientKey: string | null
  model: string | null
  channel: ChannelRuntime | null
  upstreamUrl: string | null
  status: number
  errorCode: string | null
  rejection: string | null
  responseHeaders: Record<string, string>
  responseBody: string
  /** A JSON answer as parsed for metering, so the audit record need not parse it again. */
  responseJson: unknown
  reassembledText: string | null
  settlement: Settlement | null
  startedAt: number
  durationMs: number
  /** The gateway's own time before the answer's headers (`x-gateway-overhead-ms`); null when nothing was sent. */
  overheadMs: number | null
  /** Every failed attempt at a provider, failed-over ones included; null when none failed. */
  upstreamErrors: UpstreamFailure[] | null
  /** The rate limiter's decision at admission (billing/admit-funds.ts); null when no rule applied or admission never ran. */
  rateLimit: RateLimitDecision | 'unavailable' | null
  /** What admission did with money: null when it never got that far. */
  reservation: 'reserved' | 'covered' | 'not_needed' | 'refused' | 'failed' | null
}

/** Why one attempt at a provider failed (bounded: a metrics label). */
export type UpstreamErrorKind =
  'connect' | 'timeout' | 'status_5xx' | 'status_429' | 'auth' | 'redirect' | 'stream'

/** One failed attempt at a provider. */
export interface UpstreamFailure {
  channel: ChannelRuntime
  kind: UpstreamErrorKind
}

/** Response header with the gateway's own share of a request's time, in milliseconds (docs/architecture.md). */
export const OVERHEAD_HEADER = 'x-gateway-overhead-ms'

/** The status recorded for a request its client abandoned (nginx's convention); never sent. */
export const CLIENT_CLOSED = 499

/** The outcome of a request that has just arrived: nothing decided yet. */
export function createOutcome(
  req: Pick<ProxyRequest, 'surface' | 'url' | 'method' | 'ip' | 'headers' | 'body'>,
  requestId: string,
  startedAt: number,
): ProxyOutcome {
  return {
    requestId,
    surface: req.surface,
    clientPath: req.url,
    method: req.method,
    ip: req.ip,
    requestHeaders: req.headers,
    requestBody: req.body,
    requestJson: undefined,
    principal: null,
    clientKey: null,
    model: null,
    channel: null,
    upstreamUrl: null,
    status: 0,
    errorCode: null,
    rejection: null,
    responseHeaders: {},
    responseBody: '',
    responseJson: undefined,
    reassembledText: null,
    settlement: null,
    startedAt,
    durationMs: 0,
    overheadMs: null,
    upstreamErrors: null,
    rateLimit: null,
    reservation: null,
  }
}
