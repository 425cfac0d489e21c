import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { AuditMetricName } from '../audit/create-audit-writer.ts'

/** The audit writer's degradation events (create-audit-writer.ts) as `gateway_audit_degraded_total{mode}`. */
const AUDIT_MODES: Partial<Record<AuditMetricName, string>> = {
  audit_degraded_low_quality_total: 'low_quality',
  audit_degraded_metadata_only_total: 'metadata_only',
  audit_overflow_total: 'overflow',
  audit_sync_written_total: 'sync_write',
  audit_failed_total: 'failed',
}

/** Seconds: from a fast refusal (a few ms) to a long stream (minutes). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]
/** Seconds: the gateway's own share is expected in milliseconds. */
const OVERHEAD_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]

/** Read at each scrape: state the gateway keeps elsewhere (queues, health, process-wide counters). */
export interface GatewayMetricSources {
  auditQueueDepth: () => number
  /** `database`, `redis`, `ldap` → up; only the dependencies configured. */
  dependencies: () => Promise<Record<string, boolean>>
  /** Channel name → whether its circuit is open (cooling down) now. */
  circuits: () => Promise<Map<string, boolean>>
  settlements: () => {
    failedAttempts: number
    recovered: number
    pending: number
    leftForNextStart: number
    replayed: number
  }
  lostReservations: () => { pending: number; released: number }
}

/**
 * The Prometheus families of one gateway instance (docs: README, "Metrics"), in a registry of its own: several
 * gateways in one process (tests) never share counts. Counters are updated by the proxy's finished outcome
 * (record-proxy-metrics.ts); gauges and the process-wide counters are read when scraped.
 */
export function createGatewayMetrics(sources: GatewayMetricSources) {
  const registry = new Registry()
  const registers = [registry]

  const requests = new Counter({
    name: 'gateway_requests_total',
    help: 'Proxied requests with a valid key, refusals included',
    labelNames: ['surface', 'model', 'channel', 'status'] as const,
    registers,
  })
  const unauthenticated = new Counter({
    name: 'gateway_unauthenticated_requests_total',
    help: 'Proxied requests refused before a valid key was found (missing, unknown key; body refused)',
    labelNames: ['surface', 'status'] as const,
    registers,
  })
  const duration = new Histogram({
    name: 'gateway_request_duration_seconds',
    help: 'Proxied request duration, from arrival to the end of the answer',
    labelNames: ['surface'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  })
  const overhead = new Histogram({
    name: 'gateway_overhead_seconds',
    help: "The gateway's own time before the answer's headers (everything but the providers' time)",
    labelNames: ['surface'] as const,
    buckets: OVERHEAD_BUCKETS,
    registers,
  })
  const ttfb = new Histogram({
    name: 'gateway_time_to_first_byte_seconds',
    help: "Time from a request's arrival to the first byte of the provider's answer body",
    labelNames: ['surface'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  })
  const upstreamErrors = new Counter({
    name: 'gateway_upstream_errors_total',
    help: 'Failed attempts at a provider (failed-over ones included), by channel and kind',
    labelNames: ['channel', 'kind'] as const,
    registers,
  })
  new Gauge({
    name: 'gateway_channel_circuit_open',
    help: 'Whether a channel is cooling down after failures (1) or closed (0)',
    labelNames: ['channel'] as const,
    registers,
    async collect() {
      this.reset()
      // The routing snapshot may be unreachable with the database: the other families are still served.
      const circuits = await sources.circuits().catch(() => new Map<string, boolean>())
      for (const [channel, open] of circuits) this.set({ channel }, open ? 1 : 0)
    },
  })
  const tokens = new Counter({
    name: 'gateway_tokens_total',
    help: 'Tokens billed, by model and kind, as usage rows count them: input is the whole prompt (cache_read and cache_write included), output includes reasoning',
    labelNames: ['model', 'kind'] as const,
    registers,
  })
  const spend = new Counter({
    name: 'gateway_spend_usd_total',
    help: 'Cost billed, in USD',
    labelNames: ['model'] as const,
    registers,
  })
  const reservations = new Counter({
    name: 'gateway_reservations_total',
    help: 'Admission outcomes for money: reserved, covered (package), not_needed, refused (402), failed (database)',
    labelNames: ['outcome'] as const,
    registers,
  })
  const rateLimits = new Counter({
    name: 'gateway_rate_limit_decisions_total',
    help: 'Rate-limit decisions: allowed, limited, concurrency_limited, package_spillover, fail_open, unavailable',
    labelNames: ['outcome'] as const,
    registers,
  })
  new Gauge({
    name: 'gateway_audit_queue_depth',
    help: 'Audit records waiting to be written',
    registers,
    collect() {
      this.set(sources.auditQueueDepth())
    },
  })
  const auditDegraded = new Counter({
    name: 'gateway_audit_degraded_total',
    help: 'Audit records degraded under pressure: low_quality, metadata_only, overflow, sync_write; and failed',
    labelNames: ['mode'] as const,
    registers,
  })
  new Gauge({
    name: 'gateway_dependency_up',
    help: 'Whether a configured dependency answers (database, redis, ldap)',
    labelNames: ['dependency'] as const,
    registers,
    async collect() {
      this.reset()
      for (const [dependency, up] of Object.entries(await sources.dependencies()))
        this.set({ dependency }, up ? 1 : 0)
    },
  })
  // Process-wide counters kept as plain numbers (settlement-stats.ts, release-lost-reservations.ts).
  const fromNumber = (name: string, help: string, read: () => number, type: 'counter' | 'gauge') => {
    if (type === 'gauge') {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read())
        },
      })
      return
    }
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset()
        this.inc(read())
      },
    })
  }
  fromNumber(
    'gateway_settlement_failed_attempts_total',
    'Settlement writes the database refused (every attempt)',
    () => sources.settlements().failedAttempts,
    'counter',
  )
  fromNumber(
    'gateway_settlement_recovered_total',
    'Settlements written after at least one failed attempt',
    () => sources.settlements().recovered,
    'counter',
  )
  fromNumber(
    'gateway_settlement_replayed_total',
    'Settlements of an earlier run written at start',
    () => sources.settlements().replayed,
    'counter',
  )
  fromNumber(
    'gateway_settlement_left_for_next_start_total',
    'Settlements still refused at stop, left in the data folder',
    () => sources.settlements().leftForNextStart,
    'counter',
  )
  fromNumber(
    'gateway_settlement_pending',
    'Settlements waiting for their next attempt',
    () => sources.settlements().pending,
    'gauge',
  )
  fromNumber(
    'gateway_lost_reservations_released_total',
    'Reservations whose answer was lost, released afterwards',
    () => sources.lostReservations().released,
    'counter',
  )
  fromNumber(
    'gateway_lost_reservations_pending',
    'Reservations whose answer was lost, waiting to be released',
    () => sources.lostReservations().pending,
    'gauge',
  )

  return {
    registry,
    requests,
    unauthenticated,
    duration,
    overhead,
    ttfb,
    upstreamErrors,
    tokens,
    spend,
    reservations,
    rateLimits,
    auditDegraded,
    /** The audit writer's `onMetric`: degradations counted, the rest (written, depth) read elsewhere. */
    recordAudit(name: AuditMetricName): void {
      const mode = AUDIT_MODES[name]
      if (mode) auditDegraded.inc({ mode })
    },
  }
}
export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>
