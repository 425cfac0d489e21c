/**
 * Child processes of the benchmark: started pinned to a core with `taskset`, tracked so that every one is
 * stopped on exit, error or Ctrl-C, and measured through `/proc/<pid>/stat`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createServer } from 'node:net'

/** `sysconf(_SC_CLK_TCK)` on Linux. */
export const CLK_TCK = 100

export interface Child {
  name: string
  pid: number
  process: ChildProcess
  /** Last lines of stdout and stderr, for error messages. */
  output(): string
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>
}

const running = new Set<Child>()

let tasksetAvailable: boolean | undefined
export function hasTaskset(): boolean {
  if (tasksetAvailable === undefined) {
    const probe = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' })
    tasksetAvailable = probe.status === 0
  }
  return tasksetAvailable
}

/** Pins every thread of this process (and so its future children and threads) to `core`. */
export function pinSelf(core: number): boolean {
  if (!hasTaskset()) return false
  const r = spawnSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)], { stdio: 'ignore' })
  return r.status === 0
}

/** `Cpus_allowed_list` of a process, e.g. `0` or `0-1`. */
export function allowedCpus(pid: number | 'self'): string {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? '?'
}

/** utime + stime of a `/proc/…/stat` line, in clock ticks. */
function statTicks(stat: string): number {
  // The command name (field 2) may contain spaces; fields after it start past the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  return Number(fields[11]) + Number(fields[12])
}

/** utime + stime of the whole process (all threads), in clock ticks. */
export function cpuTicks(pid: number): number {
  return statTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'))
}

/**
 * utime + stime per thread of a process, in clock ticks: the main thread as `main`, the others summed by
 * thread name (`comm`; Node's worker threads share the process name, its libuv pool is `libuv-worker`).
 */
export function threadTicks(pid: number): Map<string, number> {
  const out = new Map<string, number>()
  let tids: string[]
  try {
    tids = readdirSync(`/proc/${pid}/task`)
  } catch {
    return out
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      out.set(name, (out.get(name) ?? 0) + statTicks(stat))
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out
}

/** Resident memory of a process now and at its peak since start (`VmRSS`, `VmHWM`), in MiB. */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (name: string): number =>
    Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(status)?.[1] ?? NaN)
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 }
}

/**
 * p50 time to create, write (600 bytes) and close a new file in a fresh folder under `parent`, as an audit record
 * is written. File creation differs widely between file systems and with their recent history (an ext4 without
 * journal, after many files were deleted, can take a millisecond per file), so the report states it.
 */
export function measureFileCreate(parent: string, files = 2000): number {
  const dir = mkdtempSync(join(parent, 'bench-file-create-'))
  const data = Buffer.alloc(600, 97)
  const times = new Float64Array(files)
  try {
    for (let i = 0; i < files; i++) {
      const t0 = performance.now()
      const fd = openSync(join(dir, `record-${i}.json.br`), 'wx', 0o600)
      writeSync(fd, data)
      closeSync(fd)
      times[i] = (performance.now() - t0) * 1000
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  times.sort()
  return times[files >> 1]
}

/** Busy and total ticks of one core from /proc/stat (busy excludes idle and iowait). */
export function coreTicks(core: number): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${core} `))
  if (!line) return { busy: 0, total: 0 }
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number)
  const total = v.reduce((a, b) => a + b, 0)
  return { busy: total - v[3] - v[4], total }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export interface SpawnOptions {
  name: string
  /** Core to pin to; ignored (with the warning printed once by the caller) when taskset is missing. */
  core: number
  args: string[]
  env?: NodeJS.ProcessEnv
  cwd?: string
}

/**
 * The V8 flags of `npm start` (the words between `node` and `--import` in package.json's start script), so
 * that the benchmark runs the gateway as it is run in production, and the bare pass-through with the same
 * runtime settings.
 */
export function productionNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts?: Record<string, string>
  }
  const words = (pkg.scripts?.start ?? '').split(/\s+/)
  const end = words.indexOf('--import')
  return words.slice(1, end < 0 ? words.length : end).filter((w) => w.startsWith('--'))
}

/** Starts `node <args>` pinned to a core. */
export function spawnNode(options: SpawnOptions): Child {
  const node = [process.execPath, ...options.args]
  const [cmd, ...argv] = hasTaskset() ? ['taskset', '-c', String(options.core), ...node] : node
  const proc = spawn(cmd, argv, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (proc.pid === undefined) throw new Error(`could not start ${options.name}`)
  let tail = ''
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-8000)
  }
  proc.stdout?.on('data', keep)
  proc.stderr?.on('data', keep)
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve()
    else proc.once('exit', () => resolve())
  })
  const child: Child = {
    name: options.name,
    pid: proc.pid,
    process: proc,
    output: () => tail,
    async stop(graceMs = 5000) {
      running.delete(child)
      if (proc.exitCode !== null || proc.signalCode !== null) return
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    },
  }
  running.add(child)
  proc.once('exit', () => running.delete(child))
  return child
}

/** Resolves when `probe` succeeds; fails if the child exits first or `timeoutMs` passes. */
export async function waitUntilReady(
  child: Child,
  probe: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null || child.process.signalCode !== null)
      throw new Error(`${child.name} exited during start-up:\n${child.output()}`)
    if (await probe().catch(() => false)) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${child.name} was not ready within ${timeoutMs} ms:\n${child.output()}`)
}

/** Stops every child still running (used on exit, error and signals). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((c) => c.stop(3000)))
}

/** Synchronous last resort for `process.on('exit')`. */
export function killAllNow(): void {
  for (const child of running) child.process.kill('SIGKILL')
  running.clear()
}

/** Starts the bare undici pass-through (bench/bare-proxy.ts) pinned to `core`, in front of `upstreamUrl`. */
export async function startBareProxy(
  upstreamUrl: string,
  core: number,
): Promise<{ child: Child; url: string }> {
  const port = await freePort()
  const child = spawnNode({
    name: 'bare proxy',
    core,
    args: [
      ...productionNodeFlags(),
      '--import',
      'tsx',
      'bench/bare-proxy.ts',
      '--port',
      String(port),
      '--upstream',
      upstreamUrl,
    ],
  })
  await waitUntilReady(child, async () => child.output().includes('bare proxy listening on'))
  return { child, url: `http://127.0.0.1:${port}` }
}
