import { Counter, Gauge, Registry } from 'prom-client'
import type { AuditMetricName } from '../audit/create-audit-writer.ts'
import { createFoldedCounter, createFoldedHistogram } from './fold-metric-counts.ts'

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
  /** Reservations held in this process's memory (SQLite with WORKERS=1; otherwise always 0). */
  heldInMemory: () => number
}

/**
 * The Prometheus families of one gateway instance (docs: README, "Metrics"), in a registry of its own: several
 * gateways in one process (tests) never share counts. Counters are updated by the proxy's finished outcome
 * (record-proxy-metrics.ts); gauges and the process-wide counters are read when scraped.
 */
export function createGatewayMetrics(sources: GatewayMetricSources) {
  const registry = new Registry()
  const registers = [registry]
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name, help, labelNames, registers })
  /** Counted per request: plain numbers on the hot path, folded into prom-client when scraped. */
  const requestCounter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    createFoldedCounter<L>({ name, help, labelNames, registers })
  const surfaceHistogram = (name: string, help: string, buckets: number[]) =>
    createFoldedHistogram({ name, help, labelNames: ['surface'] as const, buckets, registers })
  /** A 0/1 gauge per key, read afresh at each scrape (keys that went away are dropped by the reset). */
  const flagGauge = (
    name: string,
    help: string,
    label: string,
    read: () => Promise<Iterable<[string, boolean]>>,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers,
      // Several cluster workers see the same channels and dependencies: their totals take the highest, not the sum.
      aggregator: 'max',
      async collect() {
        this.reset()
        for (const [key, on] of await read()) this.set({ [label]: key }, on ? 1 : 0)
      },
    })
  /** A process-wide number kept elsewhere (settlement-stats.ts, release-lost-reservations.ts), read when scraped. */
  const fromNumber = (type: 'counter' | 'gauge', name: string, help: string, read: () => number) => {
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

  const requests = requestCounter(
    'gateway_requests_total',
    'Proxied requests with a valid key, refusals included',
    ['surface', 'model', 'channel', 'status'],
  )
  const unauthenticated = requestCounter(
    'gateway_unauthenticated_requests_total',
    'Proxied requests refused before a valid key was found (missing, unknown key; body refused)',
    ['surface', 'status'],
  )
  const duration = surfaceHistogram(
    'gateway_request_duration_seconds',
    'Proxied request duration, from arrival to the end of the answer',
    DURATION_BUCKETS,
  )
  const overhead = surfaceHistogram(
    'gateway_overhead_seconds',
    "The gateway's own time before the answer's headers (everything but the providers' time)",
    OVERHEAD_BUCKETS,
  )
  const ttfb = surfaceHistogram(
    'gateway_time_to_first_byte_seconds',
    "Time from a request's arrival to the first byte of the provider's answer body",
    DURATION_BUCKETS,
  )
  const upstreamErrors = requestCounter(
    'gateway_upstream_errors_total',
    'Failed attempts at a provider (failed-over ones included), by channel and kind',
    ['channel', 'kind'],
  )
  flagGauge(
    'gateway_channel_circuit_open',
    'Whether a channel is cooling down after failures (1) or closed (0)',
    'channel',
    // The routing snapshot may be unreachable with the database: the other families are still served.
    () => sources.circuits().catch(() => new Map<string, boolean>()),
  )
  const tokens = requestCounter(
    'gateway_tokens_total',
    'Tokens billed, by model and kind, as usage rows count them: input is the whole prompt (cache_read and cache_write included), output includes reasoning',
    ['model', 'kind'],
  )
  const spend = requestCounter('gateway_spend_usd_total', 'Cost billed, in USD', ['model'])
  const reservations = requestCounter(
    'gateway_reservations_total',
    'Admission outcomes for money: reserved, covered (package), not_needed, refused (402), failed (database)',
    ['outcome'],
  )
  const rateLimits = requestCounter(
    'gateway_rate_limit_decisions_total',
    'Rate-limit decisions: allowed, limited, concurrency_limited, package_spillover, fail_open, unavailable',
    ['outcome'],
  )
  fromNumber('gauge', 'gateway_audit_queue_depth', 'Audit records waiting to be written', () =>
    sources.auditQueueDepth(),
  )
  const auditDegraded = counter(
    'gateway_audit_degraded_total',
    'Audit records degraded under pressure: low_quality, metadata_only, overflow, sync_write; and failed',
    ['mode'],
  )
  flagGauge(
    'gateway_dependency_up',
    'Whether a configured dependency answers (database, redis, ldap)',
    'dependency',
    async () => Object.entries(await sources.dependencies()),
  )
  const settlements = (field: keyof ReturnType<GatewayMetricSources['settlements']>) => () =>
    sources.settlements()[field]
  const lostReservations = (field: keyof ReturnType<GatewayMetricSources['lostReservations']>) => () =>
    sources.lostReservations()[field]
  fromNumber(
    'counter',
    'gateway_settlement_failed_attempts_total',
    'Settlement writes the database refused (every attempt)',
    settlements('failedAttempts'),
  )
  fromNumber(
    'counter',
    'gateway_settlement_recovered_total',
    'Settlements written after at least one failed attempt',
    settlements('recovered'),
  )
  fromNumber(
    'counter',
    'gateway_settlement_replayed_total',
    'Settlements of an earlier run written at start',
    settlements('replayed'),
  )
  fromNumber(
    'counter',
    'gateway_settlement_left_for_next_start_total',
    'Settlements still refused at stop, left in the data folder',
    settlements('leftForNextStart'),
  )
  fromNumber(
    'gauge',
    'gateway_settlement_pending',
    'Settlements waiting for their next attempt',
    settlements('pending'),
  )
  fromNumber(
    'counter',
    'gateway_lost_reservations_released_total',
    'Reservations whose answer was lost, released afterwards',
    lostReservations('released'),
  )
  fromNumber(
    'gauge',
    'gateway_lost_reservations_pending',
    'Reservations whose answer was lost, waiting to be released',
    lostReservations('pending'),
  )
  fromNumber(
    'gauge',
    'gateway_reservations_held_in_memory',
    'Open reservations held in this process’s memory instead of rows (SQLite, WORKERS=1)',
    () => sources.heldInMemory(),
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
