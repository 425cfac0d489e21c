/**
 * The soak's verdicts (issue 20): each resource sampled under load must come back within 10 % of its level after
 * warm-up, and what the gateway wrote must reconcile with what the load sent. Memory is judged on samples taken
 * right after a forced full collection (bench/soak-probe.mjs): heap still reachable, and RSS at that moment.
 */
import type { AuditCounts, BillingCounts } from './gateway.ts'

export type Kind = 'chat plain' | 'chat stream' | 'messages plain' | 'messages stream'

/** One line of bench/soak-probe.mjs. */
export interface ProbeSample {
  t: number
  pid: number
  rss: number
  heapUsed: number
  /** Every SOAK_PROBE_GC_SECONDS: heap used and RSS right after a forced full collection. */
  heapAfterGc?: number
  rssAfterGc?: number
  handles: number
  delayMeanMs: number
  delayP99Ms: number
}

export interface Verdict {
  name: string
  detail: string
  pass: boolean
}

export interface SoakReport {
  seconds: number
  concurrency: number
  db: string
  workers: number
  warmup: Warmup
  load: {
    sent: number
    byKind: Partial<Record<Kind, number>>
    aborted: number
    /** Planned aborts whose answer arrived first: answered requests. */
    abortsTooLate: number
    upstreamErrors: number
    /** Statuses of the requests that were not aborted. */
    statuses: Record<string, number>
    unexpected: string[]
  }
  /** Per metric: the level after warm-up, at the end of the load, and idle after it. */
  resources: Array<{
    metric: string
    unit: string
    level: number
    end: number
    idle: number
    samples: number
  }>
  written: BillingCounts | undefined
  audit: AuditCounts | undefined
  verdicts: Verdict[]
  pass: boolean
}

/** What the load generator counts, before the first request. */
export function emptyLoad(): SoakReport['load'] {
  return {
    sent: 0,
    byKind: {},
    aborted: 0,
    abortsTooLate: 0,
    upstreamErrors: 0,
    statuses: {},
    unexpected: [],
  }
}

/** How the warm-up ended: its length, and whether RSS had stopped growing by then. */
export interface Warmup {
  seconds: number
  plateau: boolean
  /** RSS after GC, median of the last PLATEAU_SPAN_MS of the warm-up against the span before it (MiB). */
  rssBefore: number
  rssLast: number
}

/** The windows the level (first part of the measured load) and the end (last part) are read in. */
export const WINDOW_SHARE = 0.15
/**
 * Warm-up lasts until RSS after a full collection grows by less than PLATEAU_GROWTH from one PLATEAU_SPAN_MS to
 * the next. RSS climbs for minutes without any leak: SQLite's page cache (cache_size, 8 MiB in
 * src/infra/db/create-db.ts) takes each new page of a growing database until the file is larger than the cache,
 * at about 700 bytes per request here (README, Soak).
 */
export const PLATEAU_SPAN_MS = 30_000
export const PLATEAU_GROWTH = 0.02
/** Within 10 %; counts this small move by a few units with the requests in flight, hence the absolute slack. */
export const TOLERANCE = 0.1

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Per process, the median of `pick` over [from, to); added up over the processes. */
function summedMedian(
  samples: ProbeSample[],
  pick: (s: ProbeSample) => number | undefined,
  from: number,
  to: number,
): number {
  const byPid = new Map<number, number[]>()
  for (const s of samples) {
    const v = pick(s)
    if (v === undefined || s.t < from || s.t >= to) continue
    const list = byPid.get(s.pid) ?? []
    list.push(v)
    byPid.set(s.pid, list)
  }
  if (byPid.size === 0) return NaN
  let sum = 0
  for (const values of byPid.values()) sum += median(values)
  return sum
}

/**
 * Whether RSS after a full collection has stopped growing at `now`: the median of the last PLATEAU_SPAN_MS
 * against the one before it, both summed over the gateway's processes.
 */
export function rssPlateau(samples: ProbeSample[], now: number): Omit<Warmup, 'seconds'> {
  const mib = 1024 * 1024
  const last = summedMedian(samples, (s) => s.rssAfterGc, now - PLATEAU_SPAN_MS, now) / mib
  const before =
    summedMedian(samples, (s) => s.rssAfterGc, now - 2 * PLATEAU_SPAN_MS, now - PLATEAU_SPAN_MS) / mib
  return {
    plateau: Number.isFinite(last) && Number.isFinite(before) && last <= before * (1 + PLATEAU_GROWTH),
    rssBefore: before,
    rssLast: last,
  }
}

interface Input {
  seconds: number
  concurrency: number
  db: string
  workers: number
  warmup: Warmup
  /** End of the warm-up: the measured load runs from here to loadEndedAt. */
  measuredFrom: number
  loadEndedAt: number
  load: SoakReport['load']
  samples: ProbeSample[]
  fds: Array<{ t: number; fds: number }>
  written: BillingCounts | undefined
  audit: AuditCounts | undefined
}

/** Samples of every gateway process added up per second (several with WORKERS > 1; the delay: the worst). */
function perSecond(samples: ProbeSample[]): Array<Omit<ProbeSample, 'pid'>> {
  const bySecond = new Map<number, Omit<ProbeSample, 'pid'>>()
  for (const s of samples) {
    const key = Math.floor(s.t / 1000)
    const sum = bySecond.get(key)
    if (!sum) bySecond.set(key, { ...s, t: key * 1000 })
    else {
      sum.rss += s.rss
      sum.heapUsed += s.heapUsed
      sum.handles += s.handles
      sum.delayMeanMs = Math.max(sum.delayMeanMs, s.delayMeanMs)
      sum.delayP99Ms = Math.max(sum.delayP99Ms, s.delayP99Ms)
    }
  }
  return [...bySecond.values()].sort((a, b) => a.t - b.t)
}

export function judgeSoak(input: Input): SoakReport {
  const span = input.loadEndedAt - input.measuredFrom
  const levelFrom = input.measuredFrom
  const levelTo = levelFrom + span * WINDOW_SHARE
  const endFrom = input.loadEndedAt - span * WINDOW_SHARE
  const series = perSecond(input.samples)
  const verdicts: Verdict[] = []
  const resources: SoakReport['resources'] = []
  /** `window(from, to)` gives the metric's value over a window and how many samples it saw there. */
  const metric = (
    name: string,
    unit: string,
    window: (from: number, to: number) => { value: number; n: number },
    samples: number,
    slack: number,
  ): void => {
    const level = window(levelFrom, levelTo).value
    const endWindow = window(endFrom, input.loadEndedAt)
    const end = endWindow.value
    const idle = window(input.loadEndedAt + 2000, Infinity).value
    resources.push({ metric: name, unit, level, end, idle, samples })
    const limit = Math.max(level * (1 + TOLERANCE), level + slack)
    verdicts.push({
      name: `${name} came back within 10 % of its level after warm-up`,
      detail: `level ${level.toFixed(2)} ${unit}, end of load ${end.toFixed(2)} ${unit} (limit ${limit.toFixed(2)}), idle after ${idle.toFixed(2)}`,
      pass: endWindow.n > 0 && Number.isFinite(level) && end <= limit,
    })
  }
  const perSecondMetric = (points: Array<{ t: number; v: number }>) => (from: number, to: number) => {
    const values = points.filter((p) => p.t >= from && p.t < to).map((p) => p.v)
    return { value: median(values), n: values.length }
  }
  const afterGcMetric = (pick: (s: ProbeSample) => number | undefined) => (from: number, to: number) => ({
    value: summedMedian(input.samples, pick, from, to) / mib,
    n: input.samples.filter((s) => pick(s) !== undefined && s.t >= from && s.t < to).length,
  })
  const mib = 1024 * 1024
  const gcSamples = input.samples.filter((s) => s.heapAfterGc !== undefined).length
  verdicts.push({
    name: 'RSS after GC reached a plateau during warm-up',
    detail:
      `warm-up ${input.warmup.seconds.toFixed(0)} s; RSS after GC ${input.warmup.rssLast.toFixed(1)} MiB over its ` +
      `last ${PLATEAU_SPAN_MS / 1000} s against ${input.warmup.rssBefore.toFixed(1)} MiB over the ${PLATEAU_SPAN_MS / 1000} s before ` +
      `(plateau: under ${PLATEAU_GROWTH * 100} % growth)`,
    pass: input.warmup.plateau,
  })
  metric(
    'RSS after GC',
    'MiB',
    afterGcMetric((s) => s.rssAfterGc),
    gcSamples,
    0,
  )
  metric(
    'heap used after GC',
    'MiB',
    afterGcMetric((s) => s.heapAfterGc),
    gcSamples,
    0,
  )
  metric(
    'active handles',
    'handles',
    perSecondMetric(series.map((s) => ({ t: s.t, v: s.handles }))),
    series.length,
    3,
  )
  metric(
    'open file descriptors',
    'fds',
    perSecondMetric(input.fds.map((f) => ({ t: f.t, v: f.fds }))),
    input.fds.length,
    3,
  )
  metric(
    'event-loop delay (mean per second)',
    'ms',
    perSecondMetric(series.map((s) => ({ t: s.t, v: s.delayMeanMs }))),
    series.length,
    1,
  )

  const { load, written, audit } = input
  verdicts.push({
    name: 'no unexpected answers (every request not cut by the client got 200, or a 5xx where the upstream failed)',
    detail: load.unexpected.length === 0 ? 'none' : load.unexpected.join('; '),
    pass: load.unexpected.length === 0,
  })
  if (written === undefined)
    verdicts.push({ name: 'the gateway’s rows could be read', detail: 'no', pass: false })
  else {
    // A request the client cuts before the gateway has read it leaves no row: it never reached the gateway.
    const cutUnread = load.sent - written.usageRows
    verdicts.push({
      name: 'one usage row per request: none for more than was sent, a 499 at most per client abort',
      detail:
        `${written.usageRows} usage rows for ${load.sent} requests (${cutUnread} cut by the client before the ` +
        `gateway read them); rows by status ${JSON.stringify(written.byStatus)}`,
      pass: cutUnread >= 0 && cutUnread <= load.aborted && (written.byStatus['499'] ?? 0) <= load.aborted,
    })
    const answered = Object.entries(load.statuses)
    verdicts.push({
      name: 'every answered request has its usage row with the status the client saw',
      detail: answered.map(([s, n]) => `${s}: ${n} answered, ${written.byStatus[s] ?? 0} rows`).join('; '),
      pass: answered.every(([s, n]) => (written.byStatus[s] ?? 0) >= n),
    })
    verdicts.push({
      name: 'money conserved: usage cost = −ledger = users’ used = keys’ used',
      detail: `${written.costNano} = ${-written.ledgerNano} = ${written.userUsedNano} = ${written.keyUsedNano} nano-USD; ${written.ledgerRows} ledger rows for ${written.chargedRows} charged rows`,
      pass:
        written.costNano > 0n &&
        written.costNano === -written.ledgerNano &&
        written.costNano === written.userUsedNano &&
        written.costNano === written.keyUsedNano &&
        written.ledgerRows === written.chargedRows,
    })
    verdicts.push({
      name: 'no reservation left open',
      detail:
        `${written.openReservations} reservations, ${written.userReservedNano} nano-USD held on users, ` +
        `${written.keyReservedNano} on keys` +
        (written.heldInMemory === undefined ? '' : `, ${written.heldInMemory} held in memory`),
      pass:
        written.openReservations === 0 &&
        written.userReservedNano === 0n &&
        written.keyReservedNano === 0n &&
        (written.heldInMemory ?? 0) === 0,
    })
    verdicts.push({
      name: 'an audit record per request',
      detail: audit
        ? `${audit.files} audit files (${audit.metadataOnly} metadata only) for ${written.usageRows} usage rows`
        : 'unreadable',
      pass: audit !== undefined && audit.files === written.usageRows,
    })
  }
  return {
    seconds: input.seconds,
    concurrency: input.concurrency,
    db: input.db,
    workers: input.workers,
    warmup: input.warmup,
    load,
    resources,
    written,
    audit,
    verdicts,
    pass: verdicts.every((v) => v.pass),
  }
}

export function renderSoak(r: SoakReport): string {
  const out = [
    `# Soak: ${r.seconds} s, ${r.concurrency} requests in flight, ${r.db}, WORKERS=${r.workers} — ${r.pass ? 'PASS' : 'FAIL'}`,
    '',
    `Sent ${r.load.sent} requests (${Object.entries(r.load.byKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(
        ', ',
      )}); ${r.load.aborted} aborted by the client (${((r.load.aborted / r.load.sent) * 100).toFixed(1)} %), ` +
      `${r.load.upstreamErrors} answered with an upstream error (${((r.load.upstreamErrors / r.load.sent) * 100).toFixed(1)} %). ` +
      `Warm-up: ${r.warmup.seconds.toFixed(0)} s of the same load before the measured ${r.seconds} s, until RSS after GC ` +
      `grew less than ${PLATEAU_GROWTH * 100} % in ${PLATEAU_SPAN_MS / 1000} s. Level: the median of the first ` +
      `${WINDOW_SHARE * 100} % of the measured load; end: of its last ${WINDOW_SHARE * 100} %; idle: after the load ` +
      'stopped. RSS and heap are read right after a forced full collection. Handles, file descriptors and delay may ' +
      'also exceed the 10 % by 3, 3 and 1 ms (they move by a few units with what is in flight).',
    '',
    '| resource | level after warm-up | end of load | idle after | samples |',
    '|---|---:|---:|---:|---:|',
    ...r.resources.map(
      (m) =>
        `| ${m.metric} | ${m.level.toFixed(2)} ${m.unit} | ${m.end.toFixed(2)} ${m.unit} | ${m.idle.toFixed(2)} ${m.unit} | ${m.samples} |`,
    ),
    '',
    '| verdict | detail | result |',
    '|---|---|---|',
    ...r.verdicts.map((v) => `| ${v.name} | ${v.detail} | ${v.pass ? 'PASS' : 'FAIL'} |`),
    '',
  ]
  return out.join('\n')
}
