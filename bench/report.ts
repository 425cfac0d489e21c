/**
 * The benchmark's checks against the targets of issue 20 (rendered by render-report.ts). Every check is computed
 * per round (the targets of one round are measured back to back) and judged on the median round; every round's
 * figure is printed beside it.
 */
import type { LoadResult } from './measure.ts'
import { type BenchResults, type Check, fmt, LABEL, row, type ScenarioResult } from './render-report.ts'

export {
  type BenchResults,
  type Check,
  fmt,
  LABEL,
  renderMarkdown,
  type ScenarioResult,
} from './render-report.ts'

export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export function scenario(r: BenchResults, key: string): ScenarioResult | undefined {
  return key === 'workers' ? r.workers : r.scenarios.find((s) => s.key === key)
}

/** A figure computed from each round of a scenario; the check reads the median round. */
function perRound(s: ScenarioResult | undefined, f: (round: LoadResult[]) => number | undefined): number[] {
  if (!s) return []
  return s.rounds.map((round) => f(round) ?? NaN).filter((v) => Number.isFinite(v))
}

function ratioCheck(
  name: string,
  values: number[],
  digits: number,
  unit: string,
  target: string,
  pass?: (v: number) => boolean,
): Check | undefined {
  if (values.length === 0) return undefined
  const m = median(values)
  return {
    name,
    display: `${fmt(m, digits)}${unit}`,
    rounds: values.map((v) => fmt(v, digits)).join(' · '),
    target,
    pass: pass ? pass(m) : undefined,
  }
}

/** CPU µs per upstream SSE event of a target in a round. */
function perEvent(round: LoadResult[], name: string, events: number): number | undefined {
  const us = row(round, name)?.cpuUsPerRequest
  return us === undefined ? undefined : us / events
}

/** Direct ÷ floor requests/s per round: the load side must serve at least twice what the floor does. */
export function loadSideRatios(r: BenchResults, key: string, direct = 'direct', floor = 'floor'): number[] {
  return perRound(scenario(r, key), (round) => {
    const d = row(round, direct)
    const f = row(round, floor)
    return d && f ? d.rps / f.rps : undefined
  })
}

export function computeChecks(r: BenchResults): Check[] {
  const checks: Array<Check | undefined> = []
  const plain = scenario(r, 'plain')
  const ratio = (
    s: ScenarioResult | undefined,
    a: string,
    b: string,
    f: (x: LoadResult) => number | undefined,
  ) =>
    perRound(s, (round) => {
      const x = row(round, a)
      const y = row(round, b)
      const fx = x && f(x)
      const fy = y && f(y)
      return fx !== undefined && fy !== undefined ? fx / fy : undefined
    })
  for (const key of ['plain', 'stream']) {
    checks.push(
      ratioCheck(
        `load side: direct ÷ floor requests/s, ${scenario(r, key)?.title ?? key} (run valid only if ≥ 2×)`,
        loadSideRatios(r, key),
        2,
        '×',
        '≥ 2× (validity)',
        (v) => v >= 2,
      ),
    )
    checks.push(loadCoreCheck(r, key))
  }
  for (const key of ['paced', 'paced-long']) checks.push(loadCoreCheck(r, key))
  checks.push(
    ratioCheck(
      `requests/s gateway ÷ floor, non-streaming, ${r.connections} connections, one core`,
      ratio(plain, 'gateway', 'floor', (x) => x.rps),
      2,
      '×',
      '≥ 0.5×',
      (v) => v >= 0.5,
    ),
  )
  checks.push(
    ratioCheck(
      `requests/s gateway on PostgreSQL ÷ floor, non-streaming, ${r.connections} connections, one core (the PostgreSQL server's own CPU not counted)`,
      ratio(plain, 'gateway-pg', 'floor', (x) => x.rps),
      2,
      '×',
      '(report)',
    ),
  )
  for (const name of ['floor', 'gateway', 'gateway-pg', 'gateway-no-audit', 'translated', 'messages'])
    checks.push(
      ratioCheck(
        `CPU µs per request, ${LABEL[name]}, non-streaming`,
        perRound(plain, (round) => row(round, name)?.cpuUsPerRequest),
        1,
        ' µs',
        '–',
      ),
    )
  // Added over direct, per round: at 1 connection (p50) and to the first streamed byte; the gateway's is the check.
  const addedP50 = (name: string, label: string, target: string, pass?: (v: number) => boolean) =>
    ratioCheck(
      `added p50 latency at 1 connection, ${label}`,
      perRound(scenario(r, 'single'), (round) => {
        const g = row(round, name)
        const d = row(round, 'direct')
        return g && d ? g.p50 - d.p50 : undefined
      }),
      3,
      ' ms',
      target,
      pass,
    )
  checks.push(addedP50('gateway', 'gateway − direct (non-streaming)', '≤ +0.3 ms', (v) => v <= 0.3))
  checks.push(addedP50('gateway-pg', 'gateway on PostgreSQL − direct (non-streaming)', '(report)'))
  checks.push(addedP50('floor', 'floor − direct (reference)', '–'))
  const addedTtfb = (name: string, label: string, target: string, pass?: (v: number) => boolean) =>
    ratioCheck(
      `added time to first streamed byte (p50), ${label}`,
      r.ttfb
        .map((round) => {
          const g = row(round, name)
          const d = row(round, 'direct')
          return g && d ? g.p50 - d.p50 : NaN
        })
        .filter((v) => Number.isFinite(v)),
      3,
      ' ms',
      target,
      pass,
    )
  checks.push(addedTtfb('gateway', 'gateway − direct', '≤ +0.5 ms', (v) => v <= 0.5))
  checks.push(addedTtfb('floor', 'floor − direct (reference)', '–'))
  const paced = scenario(r, 'paced')
  const long = scenario(r, 'paced-long')
  const longEvents = r.chatLongEvents
  // The target reads the marginal CPU per event (what one more event of a stream costs); the short stream's average
  // mostly measures what a request costs once (auth, admission, settlement, audit), spread over its few events.
  const marginal = (round: number, name: string): number | undefined => {
    const short = paced?.rounds[round] && row(paced.rounds[round], name)?.cpuUsPerRequest
    const longUs = long?.rounds[round] && row(long.rounds[round], name)?.cpuUsPerRequest
    if (short === undefined || longUs === undefined || longEvents === undefined) return undefined
    return (longUs - short) / (longEvents - r.chatEvents)
  }
  const rounds = (s: ScenarioResult | undefined) => (s ? s.rounds.map((_, i) => i) : [])
  const perRoundIndex = (f: (i: number) => number | undefined) =>
    rounds(long)
      .map((i) => f(i) ?? NaN)
      .filter((v) => Number.isFinite(v))
  const hasLong = long !== undefined && longEvents !== undefined && longEvents > r.chatEvents
  checks.push(
    ratioCheck(
      hasLong
        ? `CPU per streamed event gateway ÷ floor, marginal: (CPU per ${longEvents}-event stream − per ${r.chatEvents}-event stream) ÷ ${longEvents - r.chatEvents} events, 1 ms apart — the check reads this, what one more event costs`
        : 'CPU per streamed event gateway ÷ floor, events 1 ms apart (average over the short stream: no long stream measured)',
      hasLong
        ? perRoundIndex((i) => {
            const g = marginal(i, 'gateway')
            const f = marginal(i, 'floor')
            return g !== undefined && f !== undefined ? g / f : undefined
          })
        : ratio(paced, 'gateway', 'floor', (x) => x.cpuUsPerRequest),
      2,
      '×',
      '≤ 1.5×',
      (v) => v <= 1.5,
    ),
  )
  if (hasLong) {
    for (const name of ['floor', 'gateway'])
      checks.push(
        ratioCheck(
          `(c) marginal CPU µs per streamed event, ${LABEL[name]}`,
          perRoundIndex((i) => marginal(i, name)),
          2,
          ' µs',
          '–',
        ),
      )
    // Over the same stream both divide by the same number of events: the ratio of CPU per stream is the ratio per event.
    for (const [s, what] of [
      [paced, `(a) average over the ${r.chatEvents}-event stream`],
      [long, `(b) average over the ${longEvents}-event stream`],
    ] as const) {
      checks.push(
        ratioCheck(
          `CPU per streamed event gateway ÷ floor, ${what} (shown beside the check)`,
          ratio(s, 'gateway', 'floor', (x) => x.cpuUsPerRequest),
          2,
          '×',
          '–',
        ),
      )
    }
  }
  for (const name of ['floor', 'gateway', 'translated', 'messages'])
    checks.push(
      ratioCheck(
        `${hasLong ? '(a) ' : ''}CPU µs per upstream event, ${LABEL[name]}, events 1 ms apart, average over the ${name === 'translated' || name === 'messages' ? r.messagesEvents : r.chatEvents}-event stream`,
        perRound(paced, (round) =>
          perEvent(
            round,
            name,
            name === 'translated' || name === 'messages' ? r.messagesEvents : r.chatEvents,
          ),
        ),
        1,
        ' µs',
        '–',
      ),
    )
  if (hasLong)
    for (const name of ['floor', 'gateway'])
      checks.push(
        ratioCheck(
          `(b) CPU µs per upstream event, ${LABEL[name]}, average over the ${longEvents}-event stream`,
          perRound(long, (round) => perEvent(round, name, longEvents)),
          1,
          ' µs',
          '–',
        ),
      )
  // RSS under load: the highest resident memory read at the end of any loaded run of each target.
  const maxRss = (name: string) =>
    Math.max(
      ...r.scenarios.flatMap((s) => s.rounds.flatMap((round) => row(round, name)?.rssMiB ?? -Infinity)),
    )
  const gwRss = maxRss('gateway')
  const floorRss = maxRss('floor')
  if (Number.isFinite(gwRss) && Number.isFinite(floorRss))
    checks.push({
      name: 'RSS under load, gateway ÷ floor (highest at the end of any loaded run)',
      display: `${fmt(gwRss)} ÷ ${fmt(floorRss)} MiB = ${fmt(gwRss / floorRss, 2)}×`,
      rounds: '–',
      target: '≤ 2×',
      pass: gwRss / floorRss <= 2,
    })
  for (const idle of r.idle)
    checks.push({
      name: `memory per idle open stream, ${LABEL[idle.target] ?? idle.target}, ${idle.streams} slow streams`,
      display: `${fmt(idle.kibPerStream, 1)} KiB`,
      rounds: `first byte ${idle.firstByte}/${idle.streams}, upstream open ${fmt(idle.upstreamOpen)}, RSS ${fmt(idle.rssBeforeMiB)} → ${fmt(idle.rssOpenMiB)} MiB`,
      target: '(report)',
    })
  checks.push(
    ratioCheck(
      'reference: requests/s gateway with AUDIT_BODIES=off ÷ floor, non-streaming',
      ratio(plain, 'gateway-no-audit', 'floor', (x) => x.rps),
      2,
      '×',
      '–',
    ),
  )
  checks.push(
    ratioCheck(
      'translated ÷ same-protocol (chat → OpenAI) CPU per request, non-streaming',
      ratio(plain, 'translated', 'gateway', (x) => x.cpuUsPerRequest),
      2,
      '×',
      '–',
    ),
  )
  const workers = scenario(r, 'workers')
  checks.push(
    ratioCheck(
      'requests/s WORKERS=2 ÷ WORKERS=1, same 2 cores',
      ratio(workers, 'gateway-w2', 'gateway-w1', (x) => x.rps),
      2,
      '×',
      '–',
    ),
  )
  checks.push(
    ratioCheck(
      'requests/s WORKERS=2 ÷ floor ×2 workers, same 2 cores',
      ratio(workers, 'gateway-w2', 'floor-2', (x) => x.rps),
      2,
      '×',
      '–',
    ),
  )
  checks.push(
    ratioCheck(
      'load side on 2 cores: direct ÷ floor ×2 requests/s (shares the cores; stated, not a validity rule)',
      loadSideRatios(r, 'workers', 'direct-2', 'floor-2'),
      2,
      '×',
      '–',
    ),
  )
  // The machine's noise: how far the floor's own rounds spread.
  const floorRps = perRound(plain, (round) => row(round, 'floor')?.rps)
  if (floorRps.length > 1) {
    const spread = ((Math.max(...floorRps) - Math.min(...floorRps)) / median(floorRps)) * 100
    checks.push({
      name: "noise: spread of the floor's requests/s over its rounds, (max − min) ÷ median",
      display: `${fmt(spread, 1)} %`,
      rounds: floorRps.map((v) => fmt(v)).join(' · '),
      target: '–',
    })
  }
  return checks.filter((c): c is Check => c !== undefined)
}

/**
 * The load side's core (wrk and the mock upstream) while the floor was loaded: near 100 % it is the bottleneck, and
 * the floor's figures are the load side's. Stated beside the ×2 validity rule, which judges the same thing from rates.
 */
function loadCoreCheck(r: BenchResults, key: string): Check | undefined {
  return ratioCheck(
    `load core (core 1: wrk + mock upstream) busy during the floor's rows, ${scenario(r, key)?.title ?? key}`,
    perRound(scenario(r, key), (round) => row(round, 'floor')?.loadCoreBusyPercent),
    0,
    ' %',
    '(report; near 100 % the load side saturates)',
  )
}
