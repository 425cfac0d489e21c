/** Markdown tables of the benchmark results and the acceptance checks of issue 3. */
import type { LoadResult, TtfbResult } from './measure.ts'

export interface BenchResults {
  date: string
  db: string
  node: string
  cpus: number
  /** Busy % per core measured for 1 s before the benchmark started. */
  background: string
  pinned: boolean
  seconds: number
  warmupSeconds: number
  connections: number
  eventsPerStream: number
  gatewayEventsPerStream: number
  plain: LoadResult[]
  single: LoadResult[]
  stream: LoadResult[]
  /** The same stream with the events 1 ms apart, each its own write, as a provider sends them. */
  paced: LoadResult[]
  ttfb: TtfbResult[]
  /** Runs that started while other work held the proxy core. */
  warnings: string[]
  /** Where the gateway's data folder (SQLite database, audit files) lived, and on what file system. */
  dataDir: string
  jitWarmupSeconds: number
  rounds: number
  /** p50 time to create, write and close a small file in the data folder: one audit record's disk cost. */
  fileCreateUs?: number
  /** V8 flags both proxies ran with (those of `npm start`). */
  nodeFlags: string[]
}

export interface Check {
  name: string
  value: number
  display: string
  target: string
  pass: boolean
}

const LABEL: Record<string, string> = {
  direct: 'direct → fake upstream',
  bare: 'bare undici pass-through',
  gateway: 'Any Gateway',
  'gateway-no-audit': 'Any Gateway, AUDIT_BODIES=off (reference)',
}

/** CPU µs per request by thread: the main thread, the audit writers, everything else (V8's helpers, libuv). */
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

function fmt(n: number | undefined, digits = 0): string {
  if (n === undefined || !Number.isFinite(n)) return '–'
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

function byName<T extends { target: string }>(rows: T[], name: string): T | undefined {
  return rows.find((r) => r.target === name)
}

export function computeChecks(r: BenchResults): Check[] {
  const checks: Check[] = []
  const plainGw = byName(r.plain, 'gateway')
  const plainBare = byName(r.plain, 'bare')
  if (plainGw && plainBare) {
    const ratio = plainGw.rps / plainBare.rps
    checks.push({
      name: `requests/s gateway ÷ bare, non-streaming, ${r.connections} connections`,
      value: ratio,
      display: `${fmt(plainGw.rps)} ÷ ${fmt(plainBare.rps)} = ${fmt(ratio, 2)}×`,
      target: '≥ 0.5×',
      pass: ratio >= 0.5,
    })
    if (plainGw.cpuUsPerRequest !== undefined && plainBare.cpuUsPerRequest !== undefined) {
      const capacity = plainBare.cpuUsPerRequest / plainGw.cpuUsPerRequest
      checks.push({
        name: 'same from CPU time per request, bare ÷ gateway (less sensitive to other load on the core)',
        value: capacity,
        display: `${fmt(plainBare.cpuUsPerRequest, 1)} ÷ ${fmt(plainGw.cpuUsPerRequest, 1)} µs = ${fmt(capacity, 2)}×`,
        target: '(reference)',
        pass: true,
      })
    }
  }
  const one = (name: string) => byName(r.single, name)
  const direct = one('direct')
  if (direct) {
    for (const name of ['gateway', 'bare']) {
      const row = one(name)
      if (!row) continue
      const added = row.p50 - direct.p50
      checks.push({
        name: `added p50 latency at 1 connection, ${name} − direct`,
        value: added,
        display: `${fmt(row.p50, 3)} − ${fmt(direct.p50, 3)} = ${fmt(added, 3)} ms`,
        target: name === 'gateway' ? '≤ 0.5 ms' : '(reference)',
        pass: name === 'gateway' ? added <= 0.5 : true,
      })
    }
  }
  const ttfbDirect = byName(r.ttfb, 'direct')
  if (ttfbDirect) {
    for (const name of ['gateway', 'bare']) {
      const row = byName(r.ttfb, name)
      if (!row) continue
      const added = row.p50 - ttfbDirect.p50
      checks.push({
        name: `added time to first streamed byte (p50), ${name} − direct`,
        value: added,
        display: `${fmt(row.p50, 3)} − ${fmt(ttfbDirect.p50, 3)} = ${fmt(added, 3)} ms`,
        target: name === 'gateway' ? '≤ 1 ms' : '(reference)',
        pass: name === 'gateway' ? added <= 1 : true,
      })
    }
  }
  // Per event, as a provider delivers them (each its own chunk): the target. The whole stream written at once is
  // printed beside it: there a pass-through forwards all events as one chunk, so per-request costs dominate.
  const perEvent = (rows: LoadResult[], gateway: string, label: string, how: string, target: string) => {
    const gwRow = byName(rows, gateway)
    const bareRow = byName(rows, 'bare')
    if (gwRow?.cpuUsPerRequest === undefined || bareRow?.cpuUsPerRequest === undefined) return
    const gw = gwRow.cpuUsPerRequest / r.eventsPerStream
    const bare = bareRow.cpuUsPerRequest / r.eventsPerStream
    const ratio = gw / bare
    checks.push({
      name: `CPU per streamed event ${label} ÷ bare, ${how}, ${r.connections} connections`,
      value: ratio,
      display: `${fmt(gw, 1)} ÷ ${fmt(bare, 1)} µs = ${fmt(ratio, 2)}×`,
      target,
      pass: target.startsWith('(') || ratio <= 2,
    })
  }
  perEvent(r.paced, 'gateway', 'gateway', 'events 1 ms apart as a provider sends them', '≤ 2×')
  perEvent(r.stream, 'gateway', 'gateway', 'whole stream in one upstream write', '(reference)')
  // The same ratios without audit records: how much of the gap the audit files are (docs/architecture.md,
  // glossary: audit record).
  const plainQuiet = byName(r.plain, 'gateway-no-audit')
  if (plainQuiet && plainBare) {
    const ratio = plainQuiet.rps / plainBare.rps
    checks.push({
      name: `requests/s gateway with AUDIT_BODIES=off ÷ bare, non-streaming, ${r.connections} connections`,
      value: ratio,
      display: `${fmt(plainQuiet.rps)} ÷ ${fmt(plainBare.rps)} = ${fmt(ratio, 2)}×`,
      target: '(reference)',
      pass: true,
    })
  }
  perEvent(
    r.stream,
    'gateway-no-audit',
    'gateway with AUDIT_BODIES=off',
    'whole stream in one upstream write',
    '(reference)',
  )
  return checks
}

function loadTable(rows: LoadResult[], unit: string, eventsPerStream?: number): string[] {
  const perEvent = eventsPerStream !== undefined
  const head = [
    'target',
    `${unit}/s`,
    'p50 ms',
    'p99 ms',
    'proxy CPU % of its core',
    'core 0 busy %',
    `CPU µs/${unit === 'streams' ? 'stream' : 'request'}`,
    'of it: main · audit writers · other threads',
    ...(perEvent ? ['CPU µs/event'] : []),
    'RSS MiB (peak)',
    'non-2xx / errors',
    `${unit}/s of each round`,
  ]
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`]
  for (const r of rows) {
    const cells = [
      LABEL[r.target] ?? r.target,
      fmt(r.rps),
      fmt(r.p50, 3),
      fmt(r.p99, 3),
      fmt(r.cpuPercent, 0),
      fmt(r.coreBusyPercent, 0),
      fmt(r.cpuUsPerRequest, 1),
      threadSplit(r),
      ...(perEvent ? [fmt((r.cpuUsPerRequest ?? NaN) / eventsPerStream, 2)] : []),
      r.rssMiB === undefined ? '–' : `${fmt(r.rssMiB, 0)} (${fmt(r.peakRssMiB, 0)})`,
      `${r.non2xx} / ${r.errors + r.timeouts}`,
      r.roundRps ? r.roundRps.map((v) => fmt(v)).join(' · ') : '–',
    ]
    lines.push(`| ${cells.join(' | ')} |`)
  }
  return lines
}

export function renderMarkdown(r: BenchResults, checks: Check[]): string {
  const out: string[] = []
  out.push(`# Any Gateway benchmark`)
  out.push('')
  out.push(
    `${r.date} · database **${r.db}** · Node ${r.node} · ${r.cpus} cores · ` +
      (r.pinned
        ? 'gateway / bare proxy pinned to core 0, fake upstream and load generator to core 1 (taskset)'
        : '**not pinned (taskset missing)**') +
      ` · ${r.seconds} s per run after a ${r.warmupSeconds} s warm-up · ${r.rounds} rounds per scenario, each ` +
      'measuring direct, bare, gateway and the reference gateway without audit records back to back, one loaded at a time; the tables show each target’s ' +
      'median round' +
      ` · background load before the start: ${r.background}` +
      ` · gateway data folder (SQLite database, audit files) on ${r.dataDir}` +
      (r.fileCreateUs === undefined
        ? ''
        : `, where creating a small file took ${fmt(r.fileCreateUs, 1)} µs (p50 of 2,000, measured before the start)`) +
      ` · each proxy warmed up for ${r.jitWarmupSeconds} s before the first run`,
  )
  out.push('')
  if (r.warnings.length > 0) {
    out.push('**Noisy machine:**')
    out.push('')
    for (const w of r.warnings) out.push(`- ${w}`)
    out.push('')
  }
  out.push('## Acceptance (issue 3)')
  out.push('')
  out.push('| check | measured | target | result |')
  out.push('|---|---:|---|---|')
  for (const c of checks)
    out.push(
      `| ${c.name} | ${c.display} | ${c.target} | ${c.target.startsWith('(') ? '–' : c.pass ? 'PASS' : 'FAIL'} |`,
    )
  out.push('')
  out.push(`## Non-streaming chat completions, ${r.connections} connections`)
  out.push('')
  out.push(...loadTable(r.plain, 'requests'))
  out.push('')
  out.push('## Non-streaming chat completions, 1 connection')
  out.push('')
  out.push(...loadTable(r.single, 'requests'))
  out.push('')
  out.push(
    `## Streaming chat completions, whole stream in one upstream write, ${r.connections} connections (${r.eventsPerStream} SSE events per stream` +
      (r.gatewayEventsPerStream !== r.eventsPerStream
        ? `; the gateway's answer had ${r.gatewayEventsPerStream}`
        : '') +
      ')',
  )
  out.push('')
  out.push(...loadTable(r.stream, 'streams', r.eventsPerStream))
  out.push('')
  if (r.paced.length > 0) {
    out.push(
      `## Streaming chat completions, events 1 ms apart (each its own write, as a provider sends them), ${r.connections} connections`,
    )
    out.push('')
    out.push(...loadTable(r.paced, 'streams', r.eventsPerStream))
    out.push('')
  }
  out.push('## Streaming, 1 connection: time to first body byte (sequential requests)')
  out.push('')
  out.push('| target | requests | TTFB p50 ms | TTFB p99 ms | failures |')
  out.push('|---|---:|---:|---:|---:|')
  for (const t of r.ttfb)
    out.push(
      `| ${LABEL[t.target] ?? t.target} | ${t.requests} | ${fmt(t.p50, 3)} | ${fmt(t.p99, 3)} | ${t.failures} |`,
    )
  out.push('')
  out.push(
    'Latencies are per request from autocannon (sub-millisecond, 2xx only). Proxy CPU is utime+stime of the ' +
      'process from /proc during the run; CPU µs per request also counts work that trails the run (usage rows, ' +
      'audit files). Core 0 busy % is the whole proxy core from /proc/stat: the kernel side of loopback TCP and ' +
      'any other process on it; in the direct rows it shows load from outside the benchmark. RSS is the ' +
      "proxy's resident memory at the end of the run, its peak since start in brackets. Both proxies run with " +
      `the V8 flags of \`npm start\` (${r.nodeFlags.length > 0 ? r.nodeFlags.join(' ') : 'none'}).`,
  )
  out.push('')
  return out.join('\n')
}
