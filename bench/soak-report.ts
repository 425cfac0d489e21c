/**
 * The soak's verdicts (issue 20): each resource sampled under load must come back within 10 % of its level after
 * warm-up, and what the gateway wrote must reconcile with what the load sent.
 */
import type { AuditCounts, BillingCounts } from './gateway.ts'

export type Kind = 'chat plain' | 'chat stream' | 'messages plain' | 'messages stream'

/** One line of bench/soak-probe.mjs. */
export interface ProbeSample {
  t: number
  pid: number
  rss: number
  heapUsed: number
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

/** Share of the load before the level is read (the warm-up), and the windows the level and the end are read in. */
export const WARMUP_SHARE = 0.2
export const WINDOW_SHARE = 0.15
/** Within 10 %; counts this small move by a few units with the requests in flight, hence the absolute slack. */
export const TOLERANCE = 0.1

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

interface Input {
  seconds: number
  concurrency: number
  db: string
  workers: number
  startedAt: number
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
  const span = input.loadEndedAt - input.startedAt
  const levelFrom = input.startedAt + span * WARMUP_SHARE
  const levelTo = levelFrom + span * WINDOW_SHARE
  const endFrom = input.loadEndedAt - span * WINDOW_SHARE
  const series = perSecond(input.samples)
  const verdicts: Verdict[] = []
  const resources: SoakReport['resources'] = []
  const metric = (
    name: string,
    unit: string,
    points: Array<{ t: number; v: number }>,
    slack: number,
  ): void => {
    const inWindow = (from: number, to: number) =>
      points.filter((p) => p.t >= from && p.t < to).map((p) => p.v)
    const level = median(inWindow(levelFrom, levelTo))
    const endPoints = inWindow(endFrom, input.loadEndedAt)
    const end = median(endPoints)
    const idle = median(inWindow(input.loadEndedAt + 2000, Infinity))
    resources.push({ metric: name, unit, level, end, idle, samples: points.length })
    const limit = Math.max(level * (1 + TOLERANCE), level + slack)
    verdicts.push({
      name: `${name} came back within 10 % of its level after warm-up`,
      detail: `level ${level.toFixed(2)} ${unit}, end of load ${end.toFixed(2)} ${unit} (limit ${limit.toFixed(2)}), idle after ${idle.toFixed(2)}`,
      pass: endPoints.length > 0 && Number.isFinite(level) && end <= limit,
    })
  }
  const mib = 1024 * 1024
  metric(
    'RSS',
    'MiB',
    series.map((s) => ({ t: s.t, v: s.rss / mib })),
    0,
  )
  metric(
    'heap used',
    'MiB',
    series.map((s) => ({ t: s.t, v: s.heapUsed / mib })),
    0,
  )
  metric(
    'active handles',
    'handles',
    series.map((s) => ({ t: s.t, v: s.handles })),
    3,
  )
  metric(
    'open file descriptors',
    'fds',
    input.fds.map((f) => ({ t: f.t, v: f.fds })),
    3,
  )
  metric(
    'event-loop delay (mean per second)',
    'ms',
    series.map((s) => ({ t: s.t, v: s.delayMeanMs })),
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
      detail: `${written.openReservations} reservations, ${written.userReservedNano} nano-USD held on users, ${written.keyReservedNano} on keys`,
      pass:
        written.openReservations === 0 && written.userReservedNano === 0n && written.keyReservedNano === 0n,
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
      `Level: the median of the ${WINDOW_SHARE * 100} % of the run after the first ${WARMUP_SHARE * 100} % (warm-up); ` +
      `end: the median of the last ${WINDOW_SHARE * 100} % under load; idle: after the load stopped. Handles, file ` +
      'descriptors and delay may also exceed the 10 % by 3, 3 and 1 ms (they move by a few units with what is in flight).',
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
