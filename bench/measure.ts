/**
 * One measurement: an autocannon run (after a warm-up) with sub-millisecond latencies recorded from its
 * `response` events and the CPU time of the proxy process read from /proc; or a sequential loop of streamed
 * requests timing the first body byte.
 */
import autocannon, { type Result } from 'autocannon'
import { performance } from 'node:perf_hooks'
import { Client } from 'undici'
import { CLK_TCK, coreTicks, cpuTicks, memoryOf, threadTicks } from './processes.ts'

export interface Target {
  /** `direct`, `bare` or `gateway`. */
  name: string
  url: string
  headers: Record<string, string>
  /** Process whose CPU is measured (the proxy); none for direct. */
  pid?: number
  /** Core that process is pinned to. */
  core?: number
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
  /** Resident memory of the proxy at the end of the run, and its peak since it started, in MiB. */
  rssMiB?: number
  peakRssMiB?: number
  /** Requests/s of every round when the result is the median round of several. */
  roundRps?: number[]
}

/**
 * A provider sends a stream's events one by one as its model produces them: with this header the fake upstream
 * waits 1 ms between events, so each event is its own write and its own chunk at the proxy (without it the fake
 * writes a whole stream at once, and a pass-through forwards nine events for the cost of one chunk).
 */
export const PACED_STREAM = { 'x-fake-scenario': 'slow-events:1' }

export interface LoadOptions {
  path: string
  body: string
  connections: number
  seconds: number
  warmupSeconds: number
  /** Extra request headers for this load (e.g. a fake upstream scenario), on top of the target's. */
  headers?: Record<string, string>
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]
}

function runAutocannon(
  target: Target,
  options: LoadOptions,
  seconds: number,
  onResponse?: (status: number, ms: number) => void,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url + options.path,
        connections: options.connections,
        duration: seconds,
        pipelining: 1,
        timeout: 10,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...target.headers, ...options.headers },
        body: options.body,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    )
    if (onResponse)
      instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) =>
        onResponse(status, ms),
      )
  })
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
    const busy = b.total > a.total ? ((b.busy - a.busy) / (b.total - a.total)) * 100 : 0
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
  if (seconds > 0) await runAutocannon(target, options, seconds)
  await settle(target.pid)
}

export async function measureLoad(target: Target, options: LoadOptions): Promise<LoadResult> {
  if (options.warmupSeconds > 0) await runAutocannon(target, options, options.warmupSeconds)
  await settle(target.pid)

  let latencies = new Float64Array(1 << 16)
  let count = 0
  const record = (status: number, ms: number): void => {
    if (status < 200 || status >= 300) return
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2)
      grown.set(latencies)
      latencies = grown
    }
    latencies[count++] = ms
  }

  const cpu0 = target.pid === undefined ? 0 : cpuTicks(target.pid)
  const threads0 = target.pid === undefined ? undefined : threadTicks(target.pid)
  const core0 = target.core === undefined ? undefined : coreTicks(target.core)
  const t0 = performance.now()
  const result = await runAutocannon(target, options, options.seconds, record)
  const wall = (performance.now() - t0) / 1000
  const cpu1 = target.pid === undefined ? 0 : cpuTicks(target.pid)
  const core1 = target.core === undefined ? undefined : coreTicks(target.core)
  await settle(target.pid)
  const cpu2 = target.pid === undefined ? 0 : cpuTicks(target.pid)
  const threads2 = target.pid === undefined ? undefined : threadTicks(target.pid)

  const sorted = latencies.subarray(0, count).sort()
  const statusCodes: Record<string, number> = {}
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count
  const answered = Object.values(statusCodes).reduce((a, b) => a + b, 0)
  const out: LoadResult = {
    target: target.name,
    connections: options.connections,
    seconds: wall,
    requests: answered,
    rps: answered / wall,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
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
    const memory = memoryOf(target.pid)
    out.rssMiB = memory.rssMiB
    out.peakRssMiB = memory.peakMiB
  }
  if (core0 && core1 && core1.total > core0.total)
    out.coreBusyPercent = ((core1.busy - core0.busy) / (core1.total - core0.total)) * 100
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
): Promise<{ status: number; events: number; text: string }> {
  const client = new Client(target.url)
  try {
    const res = await client.request({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', ...target.headers },
      body,
    })
    const text = await res.body.text()
    const events = text.split('\n').filter((line) => line.startsWith('data:')).length
    return { status: res.statusCode, events, text }
  } finally {
    await client.close()
  }
}
