/**
 * The benchmark's results as a run records them (bench/results/<name>.json) and their Markdown report: the checks
 * report.ts computes, then every round of every scenario. The results' types, the number format and the targets'
 * labels, which the checks use too, live here so that report.ts imports this module and never the other way round.
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
  /** npm start's leading `NAME=value` words (the environment it gives node), which the floor gets too. */
  startEnv?: string
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

/** The result of one target in a round. */
export function row<T extends { target: string }>(round: readonly T[], name: string): T | undefined {
  return round.find((r) => r.target === name)
}

export function fmt(n: number | undefined, digits = 0): string {
  if (n === undefined || !Number.isFinite(n)) return '–'
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
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
      ` · gateway run as \`npm start\` runs it: \`${r.startEnv ?? ''}node ${r.startCommand}\` · floor: \`${r.startEnv ?? ''}node ${[...r.nodeFlags, 'bench/floor-proxy.mjs'].join(' ')}\`` +
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
