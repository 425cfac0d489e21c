/**
 * One measurement: a wrk run (after a warm-up) with its latency percentiles and the CPU time of the proxy's
 * processes read from /proc; or a sequential loop of streamed requests timing the first body byte; or a crowd of
 * idle open streams and the memory they hold.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { request as httpRequest, type ClientRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Client } from 'undici'
import { busyPercent, CLK_TCK, coreTicks, cpuTicks, memoryOf, threadTicks } from './processes.ts'

export interface Target {
  /** `direct`, `floor`, `gateway`… */
  name: string
  url: string
  headers: Record<string, string>
  /** Process whose CPU is measured (the proxy); none for direct. */
  pid?: number
  /** Core that process is pinned to. */
  core?: number
  /** Path, plain and streamed bodies of this target's surface (chat completions, messages…). */
  path: string
  plainBody: string
  streamBody: string
}

export interface LoadResult {
  target: string
  connections: number
  seconds: number
  requests: number
  rps: number
  p50: number
  p99: number
  non2xx: number
  errors: number
  timeouts: number
  statusCodes: Record<string, number>
  /** Share of one core used by the proxy process during the measured run, 0–100. */
  cpuPercent?: number
  /** CPU time of the proxy per answered request, in µs, including work that trails the run. */
  cpuUsPerRequest?: number
  /** The same by thread name (main thread under the process name, workers, libuv and V8 helpers). */
  cpuUsPerRequestByThread?: Record<string, number>
  /** Busy share of the proxy's core (all processes and the kernel), 0–100. */
  coreBusyPercent?: number
  /** Busy share of the load side's core (wrk, the mock upstream, the kernel), 0–100, when it has one core. */
  loadCoreBusyPercent?: number
  /** Resident memory of the proxy at the end of the run, and its peak since it started, in MiB. */
  rssMiB?: number
  peakRssMiB?: number
  /** Requests/s of every round when the result is the median round of several. */
  roundRps?: number[]
}

/**
 * A provider sends a stream's events one by one as its model produces them: with this header the mock upstream
 * waits 1 ms between events, so each event is its own write and its own chunk at the proxy (without it the mock
 * writes a whole stream at once, and a pass-through forwards nine events for the cost of one chunk).
 */
export const PACED_STREAM = { 'x-mock-pace': '1' }
/** The long stream (bench/mock-bodies.mjs LONG_TEXT_EVENTS content events), paced the same way. */
export const PACED_LONG_STREAM = { 'x-mock-pace': 'long' }

export interface LoadOptions {
  path: string
  body: string
  connections: number
  seconds: number
  warmupSeconds: number
  /** Extra request headers for this load (e.g. a mock upstream pace), on top of the target's. */
  headers?: Record<string, string>
  /** Cores of the load generator (default: the bench process's own) and its threads (default 1). */
  loadCores?: string
  threads?: number
  /** The one core of the load side (wrk and the mock upstream), whose busy share is then reported. */
  loadCore?: number
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]
}

/** What one wrk run reports (its Lua `done` hook prints it as JSON). */
export interface WrkResult {
  requests: number
  durationUs: number
  p50Us: number
  p90Us: number
  p99Us: number
  errors: { connect: number; read: number; write: number; status: number; timeout: number }
}

let scriptDir: string | undefined

/** A wrk Lua script that POSTs `body` with `headers` and prints the summary and latency percentiles as JSON. */
function wrkScript(body: string, headers: Record<string, string>): string {
  scriptDir ??= mkdtempSync(join(tmpdir(), 'bench-wrk-'))
  const long = (text: string): string => {
    let eq = '='
    while (text.includes(`]${eq}]`)) eq += '='
    return `[${eq}[${text}]${eq}]`
  }
  const lines = ['wrk.method = "POST"', `wrk.body = ${long(body)}`]
  for (const [name, value] of Object.entries(headers))
    lines.push(`wrk.headers[ ${long(name)} ] = ${long(value)}`)
  lines.push(
    'done = function(s, latency, requests)',
    '  local e = s.errors',
    '  io.write(string.format(\'WRKJSON {"requests":%d,"durationUs":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,' +
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\\n\',',
    '    s.requests, s.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),',
    '    e.connect, e.read, e.write, e.status, e.timeout))',
    'end',
  )
  const file = join(scriptDir, `load-${Math.random().toString(36).slice(2)}.lua`)
  writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}

/** Runs wrk (Debian's `wrk`, /usr/bin/wrk) against `target` for `seconds` whole seconds. */
export async function runWrk(target: Target, options: LoadOptions, seconds: number): Promise<WrkResult> {
  const script = wrkScript(options.body, {
    'Content-Type': 'application/json',
    ...target.headers,
    ...options.headers,
  })
  const threads = options.threads ?? 1
  const wrk = [
    'wrk',
    `-t${threads}`,
    `-c${Math.max(threads, options.connections)}`,
    `-d${Math.max(1, Math.round(seconds))}s`,
    '--timeout',
    '10s',
    '-s',
    script,
    target.url + options.path,
  ]
  const argv = options.loadCores ? ['taskset', '-c', options.loadCores, ...wrk] : wrk
  const proc = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  proc.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')))
  proc.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')))
  const code = await new Promise<number | null>((resolve, reject) => {
    proc.once('error', reject)
    proc.once('exit', resolve)
  })
  const line = out.split('\n').find((l) => l.startsWith('WRKJSON '))
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}):\n${out.slice(-2000)}`)
  return JSON.parse(line.slice('WRKJSON '.length)) as WrkResult
}

/** Waits until the process uses less than 5 % of a core over 200 ms (at most `maxMs`). */
export async function settle(pid: number | undefined, maxMs = 5000): Promise<void> {
  if (pid === undefined) return
  const deadline = Date.now() + maxMs
  let before = cpuTicks(pid)
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200))
    const now = cpuTicks(pid)
    if (now - before <= 1) return
    before = now
  }
}

/**
 * Waits (at most `maxWaitMs`) until `core` is at most `threshold` % busy over half a second, so that a run
 * does not start while other work on the machine holds the proxy core. Returns the last busy share seen.
 */
export async function waitForQuietCore(
  core: number | undefined,
  maxWaitMs: number,
  onBusy: (busyPercent: number) => void,
  threshold = 10,
): Promise<number> {
  if (core === undefined) return 0
  const deadline = Date.now() + maxWaitMs
  let warned = false
  for (;;) {
    const a = coreTicks(core)
    await new Promise((r) => setTimeout(r, 500))
    const b = coreTicks(core)
    const busy = busyPercent(a, b) ?? 0
    if (busy <= threshold || Date.now() >= deadline) return busy
    if (!warned) onBusy(busy)
    warned = true
  }
}

/**
 * Load that is not measured: V8 compiles a server's hot functions only after thousands of requests, and a
 * freshly started proxy is several times slower per request until then. Measuring steady state needs it.
 */
export async function warmUp(target: Target, options: LoadOptions, seconds: number): Promise<void> {
  if (seconds > 0) await runWrk(target, options, seconds)
  await settle(target.pid)
}

export async function measureLoad(target: Target, options: LoadOptions): Promise<LoadResult> {
  if (options.warmupSeconds > 0) await runWrk(target, options, options.warmupSeconds)
  await settle(target.pid)

  const cpu0 = target.pid === undefined ? 0 : cpuTicks(target.pid)
  const threads0 = target.pid === undefined ? undefined : threadTicks(target.pid)
  const core0 = target.core === undefined ? undefined : coreTicks(target.core)
  const load0 = options.loadCore === undefined ? undefined : coreTicks(options.loadCore)
  const t0 = performance.now()
  const result = await runWrk(target, options, options.seconds)
  const wall = (performance.now() - t0) / 1000
  const cpu1 = target.pid === undefined ? 0 : cpuTicks(target.pid)
  const core1 = target.core === undefined ? undefined : coreTicks(target.core)
  const load1 = options.loadCore === undefined ? undefined : coreTicks(options.loadCore)
  // Memory under load: read before the proxy settles (and before its garbage collector catches up).
  const memory = target.pid === undefined ? undefined : memoryOf(target.pid)
  await settle(target.pid)
  const cpu2 = target.pid === undefined ? 0 : cpuTicks(target.pid)
  const threads2 = target.pid === undefined ? undefined : threadTicks(target.pid)

  const answered = result.requests
  const measuredSeconds = result.durationUs / 1e6
  const e = result.errors
  const out: LoadResult = {
    target: target.name,
    connections: options.connections,
    seconds: measuredSeconds,
    requests: answered,
    rps: answered / measuredSeconds,
    p50: result.p50Us / 1000,
    p99: result.p99Us / 1000,
    non2xx: e.status,
    errors: e.connect + e.read + e.write,
    timeouts: e.timeout,
    statusCodes: {},
  }
  if (target.pid !== undefined) {
    out.cpuPercent = (((cpu1 - cpu0) / CLK_TCK) * 100) / wall
    out.cpuUsPerRequest = answered > 0 ? (((cpu2 - cpu0) / CLK_TCK) * 1e6) / answered : NaN
    if (threads0 && threads2 && answered > 0) {
      out.cpuUsPerRequestByThread = {}
      for (const [name, ticks] of threads2) {
        const us = (((ticks - (threads0.get(name) ?? 0)) / CLK_TCK) * 1e6) / answered
        if (us > 0) out.cpuUsPerRequestByThread[name] = us
      }
    }
    out.rssMiB = memory?.rssMiB
    out.peakRssMiB = memory?.peakMiB
  }
  if (core0 && core1) out.coreBusyPercent = busyPercent(core0, core1)
  if (load0 && load1) out.loadCoreBusyPercent = busyPercent(load0, load1)
  return out
}

export interface TtfbResult {
  target: string
  requests: number
  p50: number
  p99: number
  failures: number
}

/**
 * Sequential streamed requests on one keep-alive connection: time from sending the request to the first
 * body chunk, after `warmup` unmeasured requests.
 */
export async function measureTtfb(
  target: Target,
  path: string,
  body: string,
  requests: number,
  warmup: number,
): Promise<TtfbResult> {
  const client = new Client(target.url, { pipelining: 1, keepAliveTimeout: 30_000 })
  const times = new Float64Array(requests)
  let failures = 0
  try {
    for (let i = 0; i < warmup + requests; i++) {
      const t0 = performance.now()
      const res = await client.request({
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', ...target.headers },
        body,
      })
      let first = 0
      await new Promise<void>((resolve, reject) => {
        res.body.on('data', () => {
          if (first === 0) first = performance.now()
        })
        res.body.once('end', resolve)
        res.body.once('error', reject)
      })
      if (res.statusCode !== 200 || first === 0) failures++
      if (i >= warmup) times[i - warmup] = first - t0
    }
  } finally {
    await client.close()
  }
  times.sort()
  return { target: target.name, requests, p50: percentile(times, 50), p99: percentile(times, 99), failures }
}

/** Fetches one response and counts its SSE `data:` events (including `[DONE]`). */
export async function sampleStream(
  target: Target,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; events: number; text: string }> {
  const client = new Client(target.url)
  try {
    const res = await client.request({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', ...target.headers, ...headers },
      body,
    })
    const text = await res.body.text()
    const events = text.split('\n').filter((line) => line.startsWith('data:')).length
    return { status: res.statusCode, events, text }
  } finally {
    await client.close()
  }
}

export interface IdleStreamsResult {
  target: string
  streams: number
  /** Streams whose first event reached the client before the measurement. */
  firstByte: number
  /** Streams the mock upstream held open at the measurement (the proxy's own pool may hold some back). */
  upstreamOpen: number
  rssBeforeMiB: number
  rssOpenMiB: number
  /** (RSS with the streams open − RSS before) ÷ streams, in KiB. */
  kibPerStream: number
}

/**
 * Memory per idle open stream: `count` streamed requests at once, each answered with its first event and then
 * held by the mock upstream (`x-mock-hold`), read from the proxy's RSS before and with every stream open.
 */
export async function measureIdleStreams(
  target: Target,
  mockUrl: string,
  count: number,
  waitMs = 15_000,
): Promise<IdleStreamsResult> {
  if (target.pid === undefined) throw new Error('idle streams are measured on a proxy process')
  await settle(target.pid)
  const before = memoryOf(target.pid).rssMiB
  const url = new URL(target.url + target.path)
  const requests: ClientRequest[] = []
  let firstByte = 0
  for (let i = 0; i < count; i++) {
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        ...target.headers,
        'x-mock-hold': String(waitMs * 4),
      },
    })
    req.on('response', (res) => {
      res.once('data', () => firstByte++)
      res.on('error', () => undefined)
    })
    req.on('error', () => undefined)
    req.end(target.streamBody)
    requests.push(req)
  }
  const deadline = Date.now() + waitMs
  while (firstByte < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  await new Promise((r) => setTimeout(r, 1000))
  const open = memoryOf(target.pid).rssMiB
  let upstreamOpen = NaN
  try {
    const stats = await fetch(`${mockUrl}/_mock/stats`)
    upstreamOpen = ((await stats.json()) as { open: number }).open
  } catch {
    // Reported as unknown.
  }
  for (const req of requests) req.destroy()
  await settle(target.pid)
  return {
    target: target.name,
    streams: count,
    firstByte,
    upstreamOpen,
    rssBeforeMiB: before,
    rssOpenMiB: open,
    kibPerStream: ((open - before) * 1024) / count,
  }
}
