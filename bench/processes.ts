/**
 * Child processes of the benchmark: started pinned to a core with `taskset`, tracked so that every one is
 * stopped on exit, error or Ctrl-C, and measured through `/proc/<pid>/stat`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { NGINX_BINARY, nginxMissing, writeNginxMockConfig } from './nginx-mock.ts'
import { readStartCommand, splitStartScript } from '../scripts/start-command.mjs'

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
export function pinSelf(core: number | string): boolean {
  return pinProcess(process.pid, core)
}

/** Pins every thread of a running process and of its child processes to `cores` (e.g. `0-1`). */
export function pinProcess(pid: number, cores: number | string): boolean {
  if (!hasTaskset()) return false
  let ok = true
  for (const p of processTree(pid)) {
    const r = spawnSync('taskset', ['-a', '-p', '-c', String(cores), String(p)], { stdio: 'ignore' })
    ok &&= r.status === 0
  }
  return ok
}

/** `pid` and every process descending from it (cluster workers), from the parent ids in /proc/<n>/stat. */
export function processTree(pid: number): number[] {
  const parentOf = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      parentOf.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // The process ended between the listing and the read.
    }
  }
  const tree = [pid]
  for (let i = 0; i < tree.length; i++)
    for (const [child, parent] of parentOf) if (parent === tree[i]) tree.push(child)
  return tree
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

/** utime + stime of the whole process (all threads) and its child processes (cluster workers), in clock ticks. */
export function cpuTicks(pid: number): number {
  let ticks = 0
  for (const p of processTree(pid)) {
    try {
      ticks += statTicks(readFileSync(`/proc/${p}/stat`, 'utf8'))
    } catch {
      // A worker that ended: its time is lost with it.
    }
  }
  return ticks
}

/**
 * utime + stime per thread of a process, in clock ticks: the main thread as `main`, the others summed by
 * thread name (`comm`; Node's worker threads share the process name, its libuv pool is `libuv-worker`).
 */
export function threadTicks(rootPid: number): Map<string, number> {
  const out = new Map<string, number>()
  for (const pid of processTree(rootPid)) {
    let tids: string[]
    try {
      tids = readdirSync(`/proc/${pid}/task`)
    } catch {
      continue
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
  }
  return out
}

/**
 * Resident memory of a process and its child processes (cluster workers) now and at each one's peak since start
 * (`VmRSS`, `VmHWM`, summed), in MiB.
 */
export function memoryOf(rootPid: number): { rssMiB: number; peakMiB: number } {
  let rss = 0
  let peak = 0
  for (const pid of processTree(rootPid)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8')
      const kib = (name: string): number =>
        Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(status)?.[1] ?? 0)
      rss += kib('VmRSS')
      peak += kib('VmHWM')
    } catch {
      // Ended meanwhile.
    }
  }
  return { rssMiB: rss / 1024, peakMiB: peak / 1024 }
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

/** Busy share of a core between two readings of coreTicks, 0–100; undefined when no tick passed between them. */
export function busyPercent(
  before: { busy: number; total: number },
  after: { busy: number; total: number },
): number | undefined {
  return after.total > before.total
    ? ((after.busy - before.busy) / (after.total - before.total)) * 100
    : undefined
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
  /** Core (or taskset list, e.g. `0-1`) to pin to; ignored (with a warning by the caller) when taskset is missing. */
  core: number | string
  args: string[]
  env?: NodeJS.ProcessEnv
  cwd?: string
}

interface PackageJson {
  scripts?: Record<string, string>
}

function packageScripts(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as PackageJson
  return pkg.scripts ?? {}
}

let prepared = false

/**
 * The node arguments of `npm start` (`node <args>`), so that the benchmark and the soak run the gateway as
 * production runs it — compiled JavaScript when `npm start` runs a build, TypeScript through tsx when it does not.
 * `npm start`'s `prestart` (which rebuilds a stale build) runs once first, as `npm start` would run it; when the
 * script then still does not exist and package.json has a `build` script, that runs.
 */
export function productionCommand(): string[] {
  const scripts = packageScripts()
  const start = scripts.start ?? ''
  const { words } = splitStartScript(start)
  if (words[0] !== 'node')
    throw new Error(`npm start is "${start}": the bench can only run a gateway started by node`)
  const args = words.slice(1)
  const script = args.find(
    (w, i) => !w.startsWith('-') && !['--import', '--require', '-r'].includes(args[i - 1]),
  )
  const run = (name: string): void => {
    // stdout to stderr: the bench's stdout is its report.
    const r = spawnSync('npm', ['run', '--silent', name], { stdio: ['ignore', 2, 2] })
    if (r.status !== 0) throw new Error(`npm run ${name} failed`)
  }
  if (!prepared && scripts.prestart !== undefined) run('prestart')
  prepared = true
  if (script && !existsSync(new URL(`../${script}`, import.meta.url))) {
    if (scripts.build === undefined)
      throw new Error(`npm start runs ${script}, which does not exist, and there is no build script`)
    run('build')
  }
  return args
}

export { splitStartScript }

/**
 * The environment `npm start` sets before `node` (its leading `NAME=value` words, e.g. MALLOC_ARENA_MAX of
 * docs/memory.md), so that the benchmark runs the gateway, and the floor, in the environment production gives them.
 */
export function productionEnv(): Record<string, string> {
  return readStartCommand().env
}

/**
 * The runtime flags of `npm start` (its flags before the script, without the loaders and their module; read as
 * `any-gateway start` reads them), after `productionCommand`'s one-time prestart, so that the floor runs with the
 * same V8 settings as the gateway.
 */
export function productionNodeFlags(): string[] {
  productionCommand()
  return readStartCommand().nodeFlags
}

/** Starts `node <args>` pinned to a core. */
export function spawnNode(options: SpawnOptions): Child {
  return spawnPinned(process.execPath, options)
}

/** Starts `command <args>` pinned to a core (through taskset when it exists). */
export function spawnPinned(command: string, options: SpawnOptions): Child {
  const line = [command, ...options.args]
  const [cmd, ...argv] = hasTaskset() ? ['taskset', '-c', String(options.core), ...line] : line
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

/** The bench's upstream: one or two processes behind one URL. */
export interface MockUpstream {
  url: string
  /** `nginx` (nginx in front, the Node mock behind it) or `node` (the Node mock alone). */
  kind: 'nginx' | 'node'
  /** One line for the report: what serves which requests. */
  description: string
  /** Set when the fast upstream was asked for and could not run: why (the caller says so loudly). */
  fallback?: string
  /** Every process of the upstream (for pinning and CPU time). */
  pids: number[]
  stop(): Promise<void>
}

async function startNodeMock(core: number | string): Promise<{ child: Child; url: string }> {
  const port = await freePort()
  const child = spawnNode({
    name: 'mock upstream',
    core,
    args: [fileURLToPath(new URL('mock-upstream.mjs', import.meta.url)), '--port', String(port)],
  })
  await waitUntilReady(child, async () => child.output().includes('mock upstream listening on'))
  return { child, url: `http://127.0.0.1:${port}` }
}

/**
 * Starts the bench's upstream pinned to `core`. With `fast` (the benchmark's default), nginx serves the answers,
 * whole and paced streams (bench/nginx-mock.ts) and passes the requests steered by another x-mock-* header (held
 * streams, delays, errors) to the Node mock (bench/mock-upstream.mjs) behind it; without nginx, or without `fast`,
 * the Node mock serves everything. BENCH_MOCK=node forces the Node mock.
 */
export async function startMock(
  core: number | string,
  options: { fast?: boolean } = {},
): Promise<MockUpstream> {
  const node = await startNodeMock(core)
  const nodeOnly = (fallback?: string): MockUpstream => ({
    url: node.url,
    kind: 'node',
    description: 'Node mock (bench/mock-upstream.mjs) for every request',
    fallback,
    pids: [node.child.pid],
    stop: () => node.child.stop(),
  })
  if (options.fast === false) return nodeOnly()
  if (process.env.BENCH_MOCK === 'node') return nodeOnly('BENCH_MOCK=node')
  const missing = nginxMissing()
  if (missing !== undefined) return nodeOnly(`${missing} (Debian: apt-get install -y nginx-light)`)
  const dir = mkdtempSync(join(tmpdir(), 'bench-nginx-'))
  const port = await freePort()
  const file = writeNginxMockConfig({ port, nodePort: Number(new URL(node.url).port), dir })
  const nginx = spawnPinned(NGINX_BINARY, {
    name: 'nginx mock upstream',
    core,
    args: ['-e', 'stderr', '-p', dir, '-c', file],
  })
  // However nginx ends (stopped here, by stopAll on Ctrl-C or an error), its folder goes with it.
  nginx.process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  const url = `http://127.0.0.1:${port}`
  const stop = async (): Promise<void> => {
    await Promise.all([nginx.stop(), node.child.stop()])
  }
  try {
    // Through nginx to the Node mock: both answer.
    await waitUntilReady(nginx, async () => {
      const res = await fetch(`${url}/_mock/stats`)
      await res.arrayBuffer()
      return res.status === 200
    })
  } catch (error) {
    const log = join(dir, 'error.log')
    const detail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : ''
    await nginx.stop()
    return nodeOnly(
      `nginx did not start: ${error instanceof Error ? error.message : String(error)} ${detail}`,
    )
  }
  return {
    url,
    kind: 'nginx',
    description:
      `nginx ${nginxVersion()} (one worker; bench/nginx-mock.ts) serves answers, whole and paced streams; ` +
      'the Node mock behind it held streams, delays and errors',
    pids: [nginx.pid, node.child.pid],
    stop,
  }
}

/** `1.22.1`, from `nginx -v`. */
function nginxVersion(): string {
  const r = spawnSync(NGINX_BINARY, ['-v'], { encoding: 'utf8' })
  return /nginx\/(\S+)/.exec(`${r.stderr}${r.stdout}`)?.[1] ?? '?'
}

/**
 * Connections per upstream origin of the floor's pool and the gateway's (its UPSTREAM_CONNECTIONS): above the
 * 1,000 idle open streams, each of which holds one (BENCH_POOL_CONNECTIONS to change).
 */
export const POOL_CONNECTIONS = Math.max(1, Math.round(Number(process.env.BENCH_POOL_CONNECTIONS ?? 4096)))

/**
 * Starts the floor (bench/floor-proxy.mjs: node:http + undici Pool.stream, plain JavaScript, the V8 flags of
 * `npm start`) pinned to `core`, in front of `upstreamUrl`; `workers` > 1 runs it as a node:cluster.
 */
export async function startFloor(
  upstreamUrl: string,
  core: number | string,
  workers = 1,
): Promise<{ child: Child; url: string }> {
  const port = await freePort()
  const child = spawnNode({
    name: workers > 1 ? `floor proxy ×${workers}` : 'floor proxy',
    core,
    env: productionEnv(),
    args: [
      ...productionNodeFlags(),
      fileURLToPath(new URL('floor-proxy.mjs', import.meta.url)),
      '--port',
      String(port),
      '--upstream',
      upstreamUrl,
      '--workers',
      String(workers),
      '--connections',
      String(POOL_CONNECTIONS),
    ],
  })
  await waitUntilReady(child, async () => child.output().includes('floor proxy listening on'))
  return { child, url: `http://127.0.0.1:${port}` }
}
