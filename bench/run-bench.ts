/**
 * `npm run bench`: the fake upstream directly vs a bare undici pass-through vs Any Gateway, non-streaming and
 * streaming, with the acceptance ratios of issue 3; a second gateway with AUDIT_BODIES=off is measured beside them
 * as a reference (what the audit records cost). Environment:
 *   BENCH_DURATION       seconds per measured run (default 6)
 *   BENCH_ROUNDS         rounds per scenario; each round measures every target once, back to back, and the
 *                        report takes each target's median round (default 3)
 *   BENCH_WARMUP         warm-up seconds before each run (default 2)
 *   BENCH_CONNECTIONS    connections of the loaded runs (default 50)
 *   BENCH_TTFB_REQUESTS  sequential streamed requests for time to first byte (default 400)
 *   BENCH_DB             sqlite (default) or postgres
 *   BENCH_PG_URL         PostgreSQL server for BENCH_DB=postgres (default postgres://postgres@127.0.0.1:5432)
 *   BENCH_PROFILE        auto (default: profile the gateway when a target is missed), 1 (always), 0 (never)
 *   BENCH_QUIET_WAIT     seconds to wait before each run for core 0 to be idle of other work (default 5)
 *   BENCH_DATA_DIR       folder in which the gateway's data folder is created (default: the OS temp folder);
 *                        e.g. /dev/shm to take the disk out of the measurement
 *   BENCH_KEEP_DATA      1: leave the gateway's data folder in place instead of deleting it at the end (see
 *                        bench/gateway.ts), e.g. when several benchmarks run one after another
 *   BENCH_RESULT_NAME    file name of the results under bench/results (default latest)
 *   BENCH_JIT_WARMUP     seconds of unmeasured load on each proxy before the first run, plain then streamed, so
 *                        that steady state is measured, not V8's compilation of a fresh process (default 10)
 */
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BenchDb, cleanupGateways, startGateway } from './gateway.ts'
import {
  measureLoad,
  warmUp,
  measureTtfb,
  sampleStream,
  type LoadOptions,
  type LoadResult,
  PACED_STREAM,
  type Target,
  type TtfbResult,
  waitForQuietCore,
} from './measure.ts'
import {
  allowedCpus,
  type Child,
  coreTicks,
  freePort,
  hasTaskset,
  killAllNow,
  measureFileCreate,
  pinSelf,
  productionNodeFlags,
  spawnNode,
  startBareProxy,
  stopAll,
  waitUntilReady,
} from './processes.ts'
import { profileGateway, renderProfile } from './profile.ts'
import { type BenchResults, computeChecks, renderMarkdown } from './report.ts'

const PROXY_CORE = 0
const LOAD_CORE = 1
const MODEL = 'gpt-4o-mini'
const PATH = '/v1/chat/completions'
const MESSAGES = [{ role: 'user', content: 'Say hello to the benchmark.' }]
const PLAIN_BODY = JSON.stringify({ model: MODEL, messages: MESSAGES })
// Usage asked for by the client, so the fake upstream sends the same stream to all three targets.
const STREAM_BODY = JSON.stringify({
  model: MODEL,
  messages: MESSAGES,
  stream: true,
  stream_options: { include_usage: true },
})

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${raw}`)
  return n
}

const seconds = envNumber('BENCH_DURATION', 6)
const rounds = Math.round(envNumber('BENCH_ROUNDS', 3))
const warmupSeconds = envNumber('BENCH_WARMUP', 2)
const connections = Math.round(envNumber('BENCH_CONNECTIONS', 50))
const ttfbRequests = Math.round(envNumber('BENCH_TTFB_REQUESTS', 400))
const dbRaw = (process.env.BENCH_DB ?? 'sqlite').toLowerCase()
if (dbRaw !== 'sqlite' && dbRaw !== 'postgres' && dbRaw !== 'postgresql') {
  process.stderr.write(`BENCH_DB must be sqlite or postgres, got ${dbRaw}\n`)
  process.exit(2)
}
const db: BenchDb = dbRaw === 'sqlite' ? 'sqlite' : 'postgres'
const profileMode = (process.env.BENCH_PROFILE ?? 'auto').toLowerCase()
const quietWaitMs = envNumber('BENCH_QUIET_WAIT', 5) * 1000
const jitWarmupSeconds = envNumber('BENCH_JIT_WARMUP', 10)
const dataParent = process.env.BENCH_DATA_DIR || tmpdir()

/** `path (file system type)` from /proc/mounts: the longest mount point that contains the path. */
function describeDataDir(dir: string): string {
  let best = { mount: '', type: 'unknown' }
  try {
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [, mount, type] = line.split(' ')
      if (mount && (dir === mount || dir.startsWith(mount.endsWith('/') ? mount : `${mount}/`)))
        if (mount.length >= best.mount.length) best = { mount, type }
    }
  } catch {
    // Not Linux: the type stays unknown.
  }
  return `${dir} (${best.type})`
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`)
}
const problems: string[] = []
const warnings: string[] = []
function loud(message: string): void {
  problems.push(message)
  process.stderr.write(`\n!!!!!!!! ${message}\n\n`)
}

let cleaningUp = false
async function cleanup(): Promise<void> {
  if (cleaningUp) return
  cleaningUp = true
  await stopAll()
  await cleanupGateways()
}
process.on('exit', killAllNow)
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    log(`\n${signal}: stopping child processes…`)
    void cleanup().finally(() => process.exit(130))
  })

function describe(r: LoadResult): string {
  const cpu =
    r.cpuPercent === undefined
      ? ''
      : `, CPU ${r.cpuPercent.toFixed(0)} %, ${r.cpuUsPerRequest?.toFixed(1)} µs/req`
  return (
    `${r.target}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms${cpu}` +
    (r.non2xx || r.errors || r.timeouts
      ? ` — non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}`
      : '')
  )
}

function verify(r: LoadResult, what: string): void {
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0 || r.requests === 0)
    loud(
      `${r.target} ${what}: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts ` +
        `(status codes ${JSON.stringify(r.statusCodes)}) — THIS RUN IS NOT VALID`,
    )
}

async function startFake(): Promise<{ child: Child; url: string }> {
  const port = await freePort()
  const child = spawnNode({
    name: 'fake upstream',
    core: LOAD_CORE,
    args: [
      '--import',
      'tsx',
      'test/fake-upstream/run-fake-upstream.ts',
      '--port',
      String(port),
      '--coalesce',
    ],
  })
  await waitUntilReady(child, async () => child.output().includes('fake upstream listening on'))
  return { child, url: `http://127.0.0.1:${port}` }
}

interface Scenarios {
  plain: LoadResult[]
  single: LoadResult[]
  stream: LoadResult[]
  paced: LoadResult[]
  ttfb: TtfbResult[]
}

/** Before each run: core 0 must be free of other work, so that the proxy has its core to itself. */
async function quiet(target: Target): Promise<void> {
  const busy = await waitForQuietCore(PROXY_CORE, quietWaitMs, (b) =>
    log(
      `    core ${PROXY_CORE} is ${b.toFixed(0)} % busy with other work; waiting up to ${quietWaitMs / 1000} s…`,
    ),
  )
  if (busy > 10) {
    const message = `core ${PROXY_CORE} was still ${busy.toFixed(0)} % busy with other work before the ${target.name} run`
    warnings.push(message)
    log(`    WARNING: ${message}`)
  }
}

/**
 * Every scenario runs against every target (direct, bare, the gateway and the reference gateway without audit
 * records) back to back, so that slow drifts of the machine hit all alike. Only one target is loaded at a time;
 * the other proxies are idle.
 */
async function runScenarios(targets: Target[]): Promise<Scenarios> {
  const base = { path: PATH, seconds, warmupSeconds }
  const plainOptions: LoadOptions = { ...base, body: PLAIN_BODY, connections }
  const out: Scenarios = { plain: [], single: [], stream: [], paced: [], ttfb: [] }
  // Each scenario's median round is chosen by what its check reads: throughput, latency, CPU per stream.
  const loads: Array<[keyof Omit<Scenarios, 'ttfb'>, string, LoadOptions, (r: LoadResult) => number]> = [
    ['plain', `(a) non-streaming, ${connections} connections`, plainOptions, (r) => r.rps],
    ['single', '(b) non-streaming, 1 connection', { ...plainOptions, connections: 1 }, (r) => r.p50],
    [
      'stream',
      `(c) streaming, ${connections} connections`,
      { ...base, body: STREAM_BODY, connections },
      (r) => r.cpuUsPerRequest ?? r.rps,
    ],
    [
      'paced',
      `(d) streaming, events 1 ms apart as a provider sends them, ${connections} connections`,
      { ...base, body: STREAM_BODY, connections, headers: PACED_STREAM },
      (r) => r.cpuUsPerRequest ?? r.rps,
    ],
  ]
  for (const [key, title, options, rank] of loads) {
    log(`${title}`)
    const runs = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]))
    for (let round = 1; round <= rounds; round++) {
      for (const target of targets) {
        await quiet(target)
        const r = await measureLoad(target, options)
        verify(r, title)
        log(`    round ${round}/${rounds} ${describe(r)}`)
        runs.get(target.name)!.push(r)
      }
    }
    for (const target of targets) out[key].push(medianRound(runs.get(target.name)!, rank))
  }
  log(`(e) streaming, 1 connection, time to first byte × ${ttfbRequests} sequential requests`)
  for (const target of targets) {
    await quiet(target)
    const t = await measureTtfb(target, PATH, STREAM_BODY, ttfbRequests, Math.min(100, ttfbRequests))
    if (t.failures > 0) loud(`${target.name} TTFB: ${t.failures} requests failed or were not 200`)
    log(`    ${target.name}: TTFB p50 ${t.p50.toFixed(3)} ms, p99 ${t.p99.toFixed(3)} ms`)
    out.ttfb.push(t)
  }
  return out
}

/**
 * The round with the median value of `rank`, with every round's requests/s attached: one slow round (another
 * tenant of the machine, a disk flush) moves the median less than it moves a single run.
 */
function medianRound(runs: LoadResult[], rank: (r: LoadResult) => number): LoadResult {
  const sorted = [...runs].sort((a, b) => rank(a) - rank(b))
  return { ...sorted[Math.floor((sorted.length - 1) / 2)], roundRps: runs.map((r) => r.rps) }
}

/** One plain and one streamed request through `target`; both must be 200 with the fake's content. */
async function smokeTest(target: Target): Promise<number> {
  const plain = await sampleStream(target, PATH, PLAIN_BODY)
  if (plain.status !== 200 || !plain.text.includes('"chat.completion"'))
    throw new Error(`${target.name}: plain request answered ${plain.status}: ${plain.text.slice(0, 300)}`)
  const stream = await sampleStream(target, PATH, STREAM_BODY)
  if (stream.status !== 200 || !stream.text.includes('data: [DONE]'))
    throw new Error(
      `${target.name}: streamed request answered ${stream.status}: ${stream.text.slice(0, 300)}`,
    )
  return stream.events
}

/** Formats the report as the repository's Prettier would (so `format:check` accepts it), if Prettier loads. */
async function formatMarkdown(markdown: string, file: string): Promise<string> {
  try {
    const prettier = await import('prettier')
    const options = (await prettier.resolveConfig(file)) ?? {}
    return await prettier.format(markdown, { ...options, parser: 'markdown' })
  } catch {
    return markdown
  }
}

/** Busy share of each core over `ms`, before anything of the benchmark runs: other work on the machine. */
async function backgroundLoad(cores: number, ms: number): Promise<number[]> {
  const before = Array.from({ length: cores }, (_, i) => coreTicks(i))
  await new Promise((r) => setTimeout(r, ms))
  return before.map((b, i) => {
    const a = coreTicks(i)
    return a.total > b.total ? ((a.busy - b.busy) / (a.total - b.total)) * 100 : 0
  })
}

async function main(): Promise<void> {
  const coreCount = cpus().length
  const idle = await backgroundLoad(Math.min(coreCount, 2), 1000)
  const pinned = hasTaskset() && pinSelf(LOAD_CORE)
  if (!pinned)
    loud(
      'taskset is missing or failed: running UNPINNED, the gateway competes with the load generator for cores',
    )
  if (coreCount < 2) loud(`only ${coreCount} core(s): the pinning layout needs 2`)
  const background = idle.map((b, i) => `core ${i} ${b.toFixed(0)} %`).join(', ')
  log(`background load before the benchmark: ${background}`)
  if (idle.some((b) => b > 10))
    log(
      'WARNING: other processes are using the CPU; the numbers will be noisy (see the core 0 busy % columns)',
    )
  log(
    `bench process on CPUs ${allowedCpus('self')}; database: ${db}; ${seconds} s per run, ${warmupSeconds} s warm-up`,
  )

  const fake = await startFake()
  log(`fake upstream on ${fake.url} (CPUs ${allowedCpus(fake.child.pid)})`)
  // No proxy process for direct runs; the core 0 busy % then shows what else runs on the proxy core.
  const direct: Target = {
    name: 'direct',
    url: fake.url,
    headers: { authorization: 'Bearer sk-direct' },
    core: PROXY_CORE,
  }
  const eventsPerStream = await smokeTest(direct)
  log(`one upstream stream has ${eventsPerStream} SSE events`)

  const bare = await startBareProxy(fake.url, PROXY_CORE)
  log(`bare proxy on ${bare.url} (CPUs ${allowedCpus(bare.child.pid)})`)
  const bareTarget: Target = { ...direct, name: 'bare', url: bare.url, pid: bare.child.pid, core: PROXY_CORE }
  await smokeTest(bareTarget)

  const fileCreateUs = measureFileCreate(dataParent)
  log(`creating a small file in ${dataParent} takes ${fileCreateUs.toFixed(1)} µs (p50)`)
  log(`starting the gateway on ${db}…`)
  /** A gateway on the proxy core in front of the fake upstream, and its target for the load generator. */
  const startTarget = async (name: string, env?: Record<string, string>) => {
    const gw = await startGateway({
      db,
      core: PROXY_CORE,
      upstreamUrl: fake.url,
      model: MODEL,
      postgresUrl: process.env.BENCH_PG_URL,
      dataParent: dataParent,
      env,
    })
    const target: Target = {
      name,
      url: gw.url,
      headers: { authorization: `Bearer ${gw.key}` },
      pid: gw.child.pid,
      core: PROXY_CORE,
    }
    return { gw, target }
  }
  const { gw: gateway, target: gwTarget } = await startTarget('gateway')
  log(`gateway on ${gateway.url} (CPUs ${allowedCpus(gateway.child.pid)}, database ${gateway.db})`)
  const gatewayEventsPerStream = await smokeTest(gwTarget)
  // The same gateway without audit records, as a reference: it shows what the audit files cost.
  const { gw: quietGateway, target: quietTarget } = await startTarget('gateway-no-audit', {
    AUDIT_BODIES: 'off',
  })
  await smokeTest(quietTarget)

  log(`warming up the bare proxy and both gateways (${jitWarmupSeconds} s each, not measured)…`)
  for (const target of [bareTarget, gwTarget, quietTarget]) {
    const base = { path: PATH, seconds: 0, warmupSeconds: 0, connections }
    await warmUp(target, { ...base, body: PLAIN_BODY }, jitWarmupSeconds / 2)
    await warmUp(target, { ...base, body: STREAM_BODY }, jitWarmupSeconds / 2)
  }
  const scenarios = await runScenarios([direct, bareTarget, gwTarget, quietTarget])
  await bare.child.stop()
  await quietGateway.stop()
  const { counts, audit } = await gateway.stop()
  const gwAnswered = [...scenarios.plain, ...scenarios.single, ...scenarios.stream, ...scenarios.paced]
    .filter((r) => r.target === 'gateway')
    .reduce((n, r) => n + r.requests, 0)
  if (counts === undefined) loud('could not count the rows the gateway wrote')
  else {
    if (counts.usageRows < gwAnswered)
      loud(`the gateway wrote ${counts.usageRows} usage rows for at least ${gwAnswered} answered requests`)
    // Every answered bench request is priced and charged to a user with a balance: one ledger row each.
    if (counts.ledgerRows !== counts.chargedRows)
      loud(`the gateway wrote ${counts.ledgerRows} ledger rows for ${counts.chargedRows} charged usage rows`)
    if (counts.openReservations !== 0) loud(`${counts.openReservations} reservations were left open`)
    log(
      `rows written by the gateway: ${counts.usageRows} usage (${counts.chargedRows} charged), ` +
        `${counts.ledgerRows} ledger (≥ ${gwAnswered} measured answers), ${counts.openReservations} reservations left open`,
    )
  }

  if (audit === undefined) loud('could not read back the audit files the gateway wrote')
  else {
    // One record per request, each with its bodies: a writer that shed bodies under load did less work than it must.
    if (counts !== undefined && audit.files < counts.usageRows)
      loud(`the gateway wrote ${audit.files} audit files for ${counts.usageRows} usage rows`)
    if (audit.metadataOnly > 0) loud(`${audit.metadataOnly} audit records lost their bodies under load`)
    log(`audit files written by the gateway: ${audit.files}, ${audit.metadataOnly} of them metadata only`)
  }

  const results: BenchResults = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    db,
    node: process.version,
    nodeFlags: productionNodeFlags(),
    rounds,
    fileCreateUs,
    cpus: coreCount,
    background,
    pinned,
    seconds,
    warmupSeconds,
    connections,
    eventsPerStream,
    gatewayEventsPerStream,
    ...scenarios,
    warnings,
    dataDir: describeDataDir(realpathSync(dataParent)),
    jitWarmupSeconds,
  }
  const checks = computeChecks(results)
  let markdown = renderMarkdown(results, checks)
  if (counts !== undefined)
    markdown +=
      `\nEvery gateway request was priced, held a reservation against a user balance and passed a group rate-limit ` +
      `rule. Rows written by the gateway: ${counts.usageRows} usage (${counts.chargedRows} charged; the rest are ` +
      `requests the load generator cut at the end of a run, 499 at no cost), ${counts.ledgerRows} ledger, ` +
      `${counts.openReservations} reservations left open.` +
      (audit ? ` Audit files: ${audit.files}, of which ${audit.metadataOnly} without bodies.` : '') +
      '\n'
  if (problems.length > 0) markdown += `\n**INVALID RUN:**\n\n${problems.map((p) => `- ${p}`).join('\n')}\n`

  const missed = checks.some((c) => !c.pass)
  if (profileMode === '1' || (profileMode === 'auto' && missed)) {
    log('\nprofiling the gateway under the non-streaming load (--cpu-prof)…')
    const summary = await profileGateway({
      db,
      core: PROXY_CORE,
      upstreamUrl: fake.url,
      model: MODEL,
      load: { path: PATH, body: PLAIN_BODY, connections, seconds, warmupSeconds },
      top: 15,
      quietWaitMs,
      dataParent,
    })
    markdown += `\n${renderProfile(summary)}`
  }

  await fake.child.stop()
  const dir = join(import.meta.dirname, 'results')
  mkdirSync(dir, { recursive: true })
  const name = (process.env.BENCH_RESULT_NAME ?? 'latest').replace(/[^\w.-]/g, '_')
  markdown = await formatMarkdown(markdown, join(dir, `${name}.md`))
  writeFileSync(join(dir, `${name}.md`), markdown)
  writeFileSync(
    join(dir, `${name}.json`),
    `${JSON.stringify({ ...results, checks, counts, problems }, null, 2)}\n`,
  )
  process.stdout.write(`\n${markdown}\n`)
  log(`written to ${join('bench', 'results', `${name}.md`)}`)
  if (problems.length > 0) {
    loud(`${problems.length} problem(s): the numbers above are not valid`)
    process.exitCode = 1
  }
}

main()
  .catch((error: unknown) => {
    loud(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exitCode = 1
  })
  .finally(() => cleanup())
