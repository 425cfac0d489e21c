/**
 * The benchmark's checks against the targets of issue 20 and its Markdown report. Every check is computed per
 * round (the targets of one round are measured back to back) and judged on the median round; every round's
 * figure is printed beside it.
 */
import type { IdleStreamsResult, LoadResult, TtfbResult } from './measure.ts'

/** One scenario: the result of every target in every round (`rounds[round][i]`). */
export interface ScenarioResult {
  key: string
  title: string
  unit: 'requests' | 'streams'
  rounds: LoadResult[][]
}

export interface BenchResults {
  date: string
  db: string
  node: string
  /** `node <args>` of `npm start`, as the gateway ran. */
  startCommand: string
  /** V8 flags the floor ran with (those of `npm start`). */
  nodeFlags: string[]
  cpus: number
  background: string
  pinned: boolean
  /** What serves as the mock upstream (nginx in front of the Node mock, or the Node mock alone). */
  upstream?: string
  seconds: number
  warmupSeconds: number
  connections: number
  rounds: number
  jitWarmupSeconds: number
  dataDir: string
  fileCreateUs?: number
  /** SSE events of one upstream stream: chat completions (OpenAI) and Messages (Anthropic). */
  chatEvents: number
  messagesEvents: number
  /** SSE events of the long paced stream (`x-mock-pace: long`), chat completions. */
  chatLongEvents?: number
  scenarios: ScenarioResult[]
  ttfb: TtfbResult[][]
  idle: IdleStreamsResult[]
  /** The two-core rows (WORKERS=2), or why they were not measured. */
  workers?: ScenarioResult
  warnings: string[]
}

export interface Check {
  name: string
  /** The median round's figure, as displayed. */
  display: string
  /** Every round's value. */
  rounds: string
  target: string
  /** undefined: a reference figure without a target. */
  pass?: boolean
}

export const LABEL: Record<string, string> = {
  direct: 'direct → mock upstream',
  floor: 'floor: node:http + undici Pool.stream (compiled JS)',
  gateway: 'Any Gateway, chat → OpenAI channel',
  'gateway-pg': 'Any Gateway on PostgreSQL, chat → OpenAI channel',
  'gateway-no-audit': 'Any Gateway, AUDIT_BODIES=off (reference)',
  translated: 'Any Gateway, translated: chat client → Anthropic channel',
  messages: 'Any Gateway, Messages → Anthropic channel (same protocol)',
  'direct-2': 'direct → mock upstream (2 cores)',
  'floor-2': 'floor ×2 workers (2 cores)',
  'gateway-w1': 'Any Gateway WORKERS=1 (2 cores)',
  'gateway-w2': 'Any Gateway WORKERS=2 (2 cores)',
}

export function fmt(n: number | undefined, digits = 0): string {
  if (n === undefined || !Number.isFinite(n)) return '–'
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

function row(round: LoadResult[], name: string): LoadResult | undefined {
  return round.find((r) => r.target === name)
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
  checks.push(
    ratioCheck(
      'added p50 latency at 1 connection, gateway − direct (non-streaming)',
      perRound(scenario(r, 'single'), (round) => {
        const g = row(round, 'gateway')
        const d = row(round, 'direct')
        return g && d ? g.p50 - d.p50 : undefined
      }),
      3,
      ' ms',
      '≤ +0.3 ms',
      (v) => v <= 0.3,
    ),
  )
  checks.push(
    ratioCheck(
      'added p50 latency at 1 connection, gateway on PostgreSQL − direct (non-streaming)',
      perRound(scenario(r, 'single'), (round) => {
        const g = row(round, 'gateway-pg')
        const d = row(round, 'direct')
        return g && d ? g.p50 - d.p50 : undefined
      }),
      3,
      ' ms',
      '(report)',
    ),
  )
  checks.push(
    ratioCheck(
      'added p50 latency at 1 connection, floor − direct (reference)',
      perRound(scenario(r, 'single'), (round) => {
        const g = row(round, 'floor')
        const d = row(round, 'direct')
        return g && d ? g.p50 - d.p50 : undefined
      }),
      3,
      ' ms',
      '–',
    ),
  )
  const ttfbAdded = (name: string) =>
    r.ttfb
      .map((round) => {
        const g = round.find((t) => t.target === name)
        const d = round.find((t) => t.target === 'direct')
        return g && d ? g.p50 - d.p50 : NaN
      })
      .filter((v) => Number.isFinite(v))
  checks.push(
    ratioCheck(
      'added time to first streamed byte (p50), gateway − direct',
      ttfbAdded('gateway'),
      3,
      ' ms',
      '≤ +0.5 ms',
      (v) => v <= 0.5,
    ),
  )
  checks.push(
    ratioCheck(
      'added time to first streamed byte (p50), floor − direct (reference)',
      ttfbAdded('floor'),
      3,
      ' ms',
      '–',
    ),
  )
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
        : perRound(paced, (round) => {
            const g = perEvent(round, 'gateway', r.chatEvents)
            const f = perEvent(round, 'floor', r.chatEvents)
            return g !== undefined && f !== undefined ? g / f : undefined
          }),
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
    for (const [s, events, what] of [
      [paced, r.chatEvents, `(a) average over the ${r.chatEvents}-event stream`],
      [long, longEvents, `(b) average over the ${longEvents}-event stream`],
    ] as const) {
      checks.push(
        ratioCheck(
          `CPU per streamed event gateway ÷ floor, ${what} (shown beside the check)`,
          perRound(s, (round) => {
            const g = perEvent(round, 'gateway', events)
            const f = perEvent(round, 'floor', events)
            return g !== undefined && f !== undefined ? g / f : undefined
          }),
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

function threadSplit(r: LoadResult): string {
  const t = r.cpuUsPerRequestByThread
  if (!t) return '–'
  const main = t.main ?? 0
  const audit = t['audit-writer'] ?? 0
  const other = Object.entries(t)
    .filter(([name]) => name !== 'main' && name !== 'audit-writer')
    .reduce((sum, [, us]) => sum + us, 0)
  return `${fmt(main, 0)} · ${fmt(audit, 0)} · ${fmt(other, 0)}`
}

function loadTable(s: ScenarioResult, events?: (target: string) => number): string[] {
  const head = [
    'target',
    'round',
    `${s.unit}/s`,
    'p50 ms',
    'p99 ms',
    'proxy CPU %',
    'core busy %',
    'load core busy %',
    `CPU µs/${s.unit === 'streams' ? 'stream' : 'request'}`,
    'of it: main · audit writers · other threads',
    ...(events ? ['CPU µs/upstream event'] : []),
    'RSS MiB (peak)',
    'non-2xx / errors',
  ]
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`]
  const names = [...new Set(s.rounds.flatMap((round) => round.map((x) => x.target)))]
  for (const name of names)
    s.rounds.forEach((round, i) => {
      const x = row(round, name)
      if (!x) return
      lines.push(
        `| ${[
          i === 0 ? (LABEL[name] ?? name) : '',
          String(i + 1),
          fmt(x.rps),
          fmt(x.p50, 3),
          fmt(x.p99, 3),
          fmt(x.cpuPercent, 0),
          fmt(x.coreBusyPercent, 0),
          fmt(x.loadCoreBusyPercent, 0),
          fmt(x.cpuUsPerRequest, 1),
          threadSplit(x),
          ...(events ? [fmt((x.cpuUsPerRequest ?? NaN) / events(name), 2)] : []),
          x.rssMiB === undefined ? '–' : `${fmt(x.rssMiB, 0)} (${fmt(x.peakRssMiB, 0)})`,
          `${x.non2xx} / ${x.errors + x.timeouts}`,
        ].join(' | ')} |`,
      )
    })
  return lines
}

export function renderMarkdown(r: BenchResults, checks: Check[], problems: string[]): string {
  const out: string[] = []
  out.push('# Any Gateway benchmark (issue 20: against the floor)')
  out.push('')
  if (problems.length > 0) {
    out.push('**INVALID RUN:**')
    out.push('')
    for (const p of problems) out.push(`- ${p}`)
    out.push('')
  }
  out.push(
    `${r.date} · database **${r.db}** · Node ${r.node} · ${r.cpus} cores · ` +
      (r.pinned
        ? 'proxies pinned to core 0, mock upstream and wrk to core 1 (taskset)'
        : '**not pinned (taskset missing)**') +
      (r.upstream === undefined ? '' : ` · mock upstream: ${r.upstream}`) +
      ` · wrk, ${r.seconds} s per run after a ${r.warmupSeconds} s warm-up, ${r.connections} connections · ${r.rounds} rounds; ` +
      'a round measures every target back to back, one loaded at a time; checks read the median round' +
      ` · gateway run as \`npm start\` runs it: \`node ${r.startCommand}\` · floor: \`node ${[...r.nodeFlags, 'bench/floor-proxy.mjs'].join(' ')}\`` +
      ` · background load before the start: ${r.background} · gateway data folder on ${r.dataDir}` +
      (r.fileCreateUs === undefined ? '' : ` (creating a small file: ${fmt(r.fileCreateUs, 1)} µs p50)`) +
      ` · each proxy warmed up for ${r.jitWarmupSeconds} s first`,
  )
  out.push('')
  if (r.warnings.length > 0) {
    out.push('**Noisy machine:**')
    out.push('')
    for (const w of r.warnings) out.push(`- ${w}`)
    out.push('')
  }
  out.push('## Targets (issue 20)')
  out.push('')
  out.push('| check | median round | each round | target | result |')
  out.push('|---|---:|---|---|---|')
  for (const c of checks)
    out.push(
      `| ${c.name} | ${c.display} | ${c.rounds} | ${c.target} | ${c.pass === undefined ? '–' : c.pass ? 'PASS' : 'FAIL'} |`,
    )
  out.push('')
  const events = (name: string) =>
    name === 'translated' || name === 'messages' ? r.messagesEvents : r.chatEvents
  const longEvents = () => r.chatLongEvents ?? NaN
  for (const s of [...r.scenarios, ...(r.workers ? [r.workers] : [])]) {
    out.push(`## ${s.title}`)
    out.push('')
    out.push(
      ...loadTable(s, s.unit === 'streams' ? (s.key === 'paced-long' ? longEvents : events) : undefined),
    )
    out.push('')
  }
  out.push('## Streaming, 1 connection: time to first body byte (sequential requests)')
  out.push('')
  out.push('| target | round | requests | TTFB p50 ms | TTFB p99 ms | failures |')
  out.push('|---|---|---:|---:|---:|---:|')
  const ttfbNames = [...new Set(r.ttfb.flatMap((round) => round.map((t) => t.target)))]
  for (const name of ttfbNames)
    r.ttfb.forEach((round, i) => {
      const t = round.find((x) => x.target === name)
      if (t)
        out.push(
          `| ${i === 0 ? (LABEL[name] ?? name) : ''} | ${i + 1} | ${t.requests} | ${fmt(t.p50, 3)} | ${fmt(t.p99, 3)} | ${t.failures} |`,
        )
    })
  out.push('')
  out.push(
    'Latencies are wrk’s (time to the whole answer; for streams, to the last event). Proxy CPU is utime+stime of ' +
      'the proxy’s processes (with WORKERS=2 the primary and its workers) from /proc; CPU µs per request also ' +
      'counts work that trails the run (usage rows, audit files). Core busy % is the whole proxy core from ' +
      '/proc/stat (the kernel side of loopback TCP and any other process on it). CPU per upstream event divides by ' +
      `the upstream stream's events: ${r.chatEvents} for chat completions, ${r.messagesEvents} for Messages (the ` +
      'translated row reads Messages events and writes chat chunks)' +
      (r.chatLongEvents === undefined
        ? ''
        : `, ${r.chatLongEvents} for the long stream. The target "CPU per streamed event ≤ 1.5× the floor's" reads the ` +
          'marginal figure (c), (CPU per long stream − CPU per short stream) ÷ the difference in events: what one ' +
          'more event costs to relay. The averages (a) and (b) also carry what a request costs once (auth, ' +
          `admission, settlement, audit), spread over ${r.chatEvents} or ${r.chatLongEvents} events, and are shown beside it`) +
      '. Load core busy % is core 1 (wrk and the mock upstream) from /proc/stat; near 100 % the load side is the ' +
      'bottleneck. RSS is read at the end of each loaded run, ' +
      'its peak since start in brackets. The machine is shared: figures from short runs are noisy.',
  )
  out.push('')
  return out.join('\n')
}
