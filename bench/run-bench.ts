/**
 * `npm run bench` (issue 20): the mock upstream directly, the floor (node:http + undici Pool.stream, compiled
 * JavaScript) and Any Gateway as `npm start` runs it, with wrk as the load generator; beside them the gateway with
 * AUDIT_BODIES=off, the translated path (an OpenAI Chat client on an Anthropic channel), Messages on the Anthropic
 * channel, 1,000 idle open streams, and WORKERS=2 against WORKERS=1 and the floor on the same two cores.
 * A run in which "direct" does not serve at least twice the floor's rate is INVALID. Environment:
 *   BENCH_DURATION       seconds per measured run (default 6; wrk takes whole seconds)
 *   BENCH_ROUNDS         rounds per scenario; each round measures every target once, back to back (default 3)
 *   BENCH_WARMUP         warm-up seconds before each run (default 2)
 *   BENCH_CONNECTIONS    connections of the loaded runs (default 50)
 *   BENCH_TTFB_REQUESTS  sequential streamed requests for time to first byte (default 400)
 *   BENCH_IDLE_STREAMS   concurrent slow streams for the memory per idle stream (default 1000; 0: skip)
 *   BENCH_WORKERS        1 (default): also measure WORKERS=2 on two cores; 0: skip
 *   BENCH_DB             sqlite (default), postgres, or both: every row on SQLite plus, in the same rounds, a
 *                        PostgreSQL gateway ("gateway-pg") in the non-streaming rows and its money and audit checks
 *   BENCH_PG_URL         PostgreSQL server for postgres and both (default postgres://postgres@127.0.0.1:5432)
 *   BENCH_PROFILE        auto (default: profile the gateway when a target is missed), 1 (always), 0 (never)
 *   BENCH_QUIET_WAIT     seconds to wait before each run for core 0 to be idle of other work (default 5)
 *   BENCH_DATA_DIR       folder in which the gateway's data folder is created (default: the OS temp folder)
 *   BENCH_KEEP_DATA      1: leave the gateway's data folder in place (see bench/gateway.ts)
 *   BENCH_RESULT_NAME    file name of the results under bench/results (default latest)
 *   BENCH_JIT_WARMUP     seconds of unmeasured load on each proxy before the first run (default 10)
 */
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BenchDb, cleanupGateways, type RunningGateway, startGateway } from './gateway.ts'
import {
  type IdleStreamsResult,
  type LoadOptions,
  type LoadResult,
  measureIdleStreams,
  measureLoad,
  measureTtfb,
  PACED_LONG_STREAM,
  PACED_STREAM,
  sampleStream,
  type Target,
  type TtfbResult,
  waitForQuietCore,
  warmUp,
} from './measure.ts'
import {
  allowedCpus,
  busyPercent,
  coreTicks,
  hasTaskset,
  killAllNow,
  pinProcess,
  pinSelf,
  productionCommand,
  productionEnv,
  productionNodeFlags,
  startFloor,
  startMock,
  stopAll,
} from './processes.ts'
import { profileGateway, renderProfile } from './profile.ts'
import { measureFileCreation, SLOW_FILE_CREATION_US } from '../src/infra/audit/measure-file-creation.ts'
import {
  type BenchResults,
  computeChecks,
  loadSideRatios,
  median,
  renderMarkdown,
  type ScenarioResult,
} from './report.ts'

const PROXY_CORE = 0
const LOAD_CORE = 1
const MODEL = 'gpt-4o-mini'
const ANTHROPIC_MODEL = 'claude-haiku-4-5'
const CHAT = '/v1/chat/completions'
const MESSAGES_PATH = '/v1/messages'
const MESSAGES = [{ role: 'user', content: 'Say hello to the benchmark.' }]
const chatBodies = (model: string) => ({
  plainBody: JSON.stringify({ model, messages: MESSAGES }),
  // Usage asked for by the client, as a metering client does.
  streamBody: JSON.stringify({
    model,
    messages: MESSAGES,
    stream: true,
    stream_options: { include_usage: true },
  }),
})
const messagesBodies = {
  plainBody: JSON.stringify({ model: ANTHROPIC_MODEL, max_tokens: 256, messages: MESSAGES }),
  streamBody: JSON.stringify({ model: ANTHROPIC_MODEL, max_tokens: 256, messages: MESSAGES, stream: true }),
}

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
const idleStreams = Math.round(Number(process.env.BENCH_IDLE_STREAMS ?? 1000))
const measureWorkers = process.env.BENCH_WORKERS !== '0'
const dbRaw = (process.env.BENCH_DB ?? 'sqlite').toLowerCase()
if (dbRaw !== 'sqlite' && dbRaw !== 'postgres' && dbRaw !== 'postgresql' && dbRaw !== 'both') {
  process.stderr.write(`BENCH_DB must be sqlite, postgres or both, got ${dbRaw}\n`)
  process.exit(2)
}
const db: BenchDb = dbRaw === 'sqlite' || dbRaw === 'both' ? 'sqlite' : 'postgres'
/** BENCH_DB=both: a PostgreSQL gateway measured in the same rounds as the SQLite one. */
const alsoPostgres = dbRaw === 'both'
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
/** As loud, for what the report must show but does not make the run invalid. */
function loudWarning(message: string): void {
  warnings.push(message)
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

/** Before each run: the proxy's core must be free of other work, so that the proxy has its core to itself. */
async function quiet(target: Target): Promise<void> {
  const core = target.core ?? PROXY_CORE
  const busy = await waitForQuietCore(core, quietWaitMs, (b) =>
    log(`    core ${core} is ${b.toFixed(0)} % busy with other work; waiting up to ${quietWaitMs / 1000} s…`),
  )
  if (busy > 10) {
    const message = `core ${core} was still ${busy.toFixed(0)} % busy with other work before the ${target.name} run`
    warnings.push(message)
    log(`    WARNING: ${message}`)
  }
}

interface ScenarioPlan {
  key: string
  title: string
  unit: 'requests' | 'streams'
  targets: Target[]
  options: (t: Target) => LoadOptions
}

/**
 * Every round measures every target of the scenario back to back, so that slow drifts of the machine hit all
 * alike; only one target is loaded at a time, the other proxies are idle.
 */
async function runScenario(plan: ScenarioPlan): Promise<ScenarioResult> {
  log(plan.title)
  const result: ScenarioResult = { key: plan.key, title: plan.title, unit: plan.unit, rounds: [] }
  for (let round = 1; round <= rounds; round++) {
    const results: LoadResult[] = []
    for (const target of plan.targets) {
      await quiet(target)
      try {
        const r = await measureLoad(target, plan.options(target))
        verify(r, plan.title)
        log(`    round ${round}/${rounds} ${describe(r)}`)
        results.push(r)
      } catch (error) {
        loud(`${target.name} ${plan.title}: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    result.rounds.push(results)
  }
  return result
}

/**
 * One plain and one streamed request through `target` (the stream with `headers`, e.g. the long paced one); both
 * must be 200. Returns the stream's SSE events.
 */
async function smokeTest(target: Target, headers?: Record<string, string>): Promise<number> {
  const plain = await sampleStream(target, target.path, target.plainBody)
  if (plain.status !== 200)
    throw new Error(`${target.name}: plain request answered ${plain.status}: ${plain.text.slice(0, 300)}`)
  const stream = await sampleStream(target, target.path, target.streamBody, headers)
  if (stream.status !== 200 || stream.events < 2)
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
  return before.map((b, i) => busyPercent(b, coreTicks(i)) ?? 0)
}

async function main(): Promise<void> {
  const coreCount = cpus().length
  const idle = await backgroundLoad(Math.min(coreCount, 2), 1000)
  const pinned = hasTaskset() && pinSelf(LOAD_CORE)
  if (!pinned)
    loud('taskset is missing or failed: running UNPINNED, the proxies compete with the load side for cores')
  if (coreCount < 2) loud(`only ${coreCount} core(s): the pinning layout needs 2`)
  const background = idle.map((b, i) => `core ${i} ${b.toFixed(0)} %`).join(', ')
  log(`background load before the benchmark: ${background}`)
  log(
    `bench process on CPUs ${allowedCpus('self')}; database: ${db}; ${seconds} s per run, ${warmupSeconds} s warm-up`,
  )
  const startEnv = Object.entries(productionEnv())
    .map(([name, value]) => `${name}=${value} `)
    .join('')
  const startCommand = productionCommand().join(' ')
  log(`gateway runs as npm start does: ${startEnv}node ${startCommand}`)

  const mock = await startMock(LOAD_CORE)
  log(`mock upstream on ${mock.url} (CPUs ${allowedCpus(mock.pids[0])}): ${mock.description}`)
  if (mock.fallback !== undefined) {
    loudWarning(
      `the fast mock upstream (nginx) is not running — ${mock.fallback}; the Node mock serves everything and the load side may saturate`,
    )
  }
  const direct: Target = {
    name: 'direct',
    url: mock.url,
    headers: {},
    core: PROXY_CORE,
    path: CHAT,
    ...chatBodies(MODEL),
  }
  const chatEvents = await smokeTest(direct)
  const messagesEvents = await smokeTest({
    ...direct,
    name: 'direct messages',
    path: MESSAGES_PATH,
    ...messagesBodies,
  })
  const chatLongEvents = await smokeTest(direct, PACED_LONG_STREAM)
  log(
    `one upstream stream has ${chatEvents} SSE events (chat completions), ${messagesEvents} (Messages); ` +
      `the long paced stream ${chatLongEvents} (chat completions)`,
  )

  const floor = await startFloor(mock.url, PROXY_CORE)
  const floorTarget: Target = { ...direct, name: 'floor', url: floor.url, pid: floor.child.pid }
  log(`floor on ${floor.url} (CPUs ${allowedCpus(floor.child.pid)})`)
  await smokeTest(floorTarget)

  const fileCreateUs = measureFileCreation(dataParent)
  log(`creating a small file in ${dataParent} takes ${fileCreateUs.toFixed(1)} µs (p50)`)
  // Each audit record is a new file (SPEC §9), created by a writer thread on the gateway's core; the kernel's
  // side of creating it is not preempted, so a slow file system shows up as the gateway's CPU and latency
  // (docs/performance.md › The data folder's file system).
  if (fileCreateUs > SLOW_FILE_CREATION_US)
    loudWarning(
      `creating a file in ${dataParent} takes ${fileCreateUs.toFixed(0)} µs, over ${SLOW_FILE_CREATION_US}: the ` +
        `gateway's figures will carry this file system's cost per audit record; BENCH_DATA_DIR picks another folder`,
    )
  const gatewayOf = (
    env?: Record<string, string>,
    workers = 1,
    core: number | string = PROXY_CORE,
    gatewayDb: BenchDb = db,
  ) =>
    startGateway({
      db: gatewayDb,
      core,
      upstreamUrl: mock.url,
      model: MODEL,
      anthropicModel: ANTHROPIC_MODEL,
      workers,
      postgresUrl: process.env.BENCH_PG_URL,
      dataParent,
      env,
    })
  const targetOf = (name: string, gw: RunningGateway, extra: Partial<Target> = {}): Target => ({
    ...direct,
    name,
    url: gw.url,
    headers: { authorization: `Bearer ${gw.key}` },
    pid: gw.child.pid,
    ...extra,
  })
  log(`starting the gateway on ${db}…`)
  const gateway = await gatewayOf()
  const gwTarget = targetOf('gateway', gateway)
  await smokeTest(gwTarget)
  await smokeTest(gwTarget, PACED_LONG_STREAM)
  let pgGateway: RunningGateway | undefined
  let pgTarget: Target | undefined
  if (alsoPostgres) {
    log('starting the gateway on postgres (BENCH_DB=both)…')
    pgGateway = await gatewayOf(undefined, 1, PROXY_CORE, 'postgres')
    pgTarget = targetOf('gateway-pg', pgGateway)
    await smokeTest(pgTarget)
  }
  // The same gateway without audit records, as a reference: it shows what the audit files cost.
  const quietGateway = await gatewayOf({ AUDIT_BODIES: 'off' })
  const quietTarget = targetOf('gateway-no-audit', quietGateway)
  await smokeTest(quietTarget)
  const messagesTarget = targetOf('messages', gateway, { path: MESSAGES_PATH, ...messagesBodies })
  await smokeTest(messagesTarget)
  // An OpenAI Chat client on the Anthropic channel's model: the request, the answer and the stream translated.
  const translatedTarget = targetOf('translated', gateway, chatBodies(ANTHROPIC_MODEL))
  let translatedWorks = true
  try {
    await smokeTest(translatedTarget)
  } catch (error) {
    translatedWorks = false
    loud(
      `the translated path fails, its rows are left out: ${error instanceof Error ? error.message : String(error)}`,
    )
  }

  const proxies = [
    floorTarget,
    gwTarget,
    ...(pgTarget ? [pgTarget] : []),
    quietTarget,
    messagesTarget,
    ...(translatedWorks ? [translatedTarget] : []),
  ]
  log(`warming up every proxy for ${jitWarmupSeconds} s (plain, then streamed)…`)
  for (const target of proxies) {
    const base = { path: target.path, connections, seconds: 0, warmupSeconds: 0 }
    await warmUp(target, { ...base, body: target.plainBody }, jitWarmupSeconds / 2)
    await warmUp(target, { ...base, body: target.streamBody }, jitWarmupSeconds / 2)
  }

  const plainOf =
    (c: number) =>
    (t: Target): LoadOptions => ({
      path: t.path,
      body: t.plainBody,
      connections: c,
      seconds,
      warmupSeconds,
      loadCore: LOAD_CORE,
    })
  const streamOf =
    (headers?: Record<string, string>) =>
    (t: Target): LoadOptions => ({
      path: t.path,
      body: t.streamBody,
      connections,
      seconds,
      warmupSeconds,
      headers,
      loadCore: LOAD_CORE,
    })
  const all = [direct, ...proxies]
  // The PostgreSQL gateway (BENCH_DB=both) runs the non-streaming rows only; the streaming rows are SQLite's.
  const noPg = all.filter((t) => t.name !== 'gateway-pg')
  const scenarios: ScenarioResult[] = []
  for (const plan of [
    {
      key: 'plain',
      title: `Non-streaming, ${connections} connections`,
      unit: 'requests',
      targets: all,
      options: plainOf(connections),
    },
    {
      key: 'single',
      title: 'Non-streaming, 1 connection',
      unit: 'requests',
      targets: [direct, floorTarget, gwTarget, ...(pgTarget ? [pgTarget] : [])],
      options: plainOf(1),
    },
    {
      key: 'stream',
      title: `Streaming, whole stream in one upstream write, ${connections} connections`,
      unit: 'streams',
      targets: noPg,
      options: streamOf(),
    },
    {
      key: 'paced',
      title: `Streaming, events 1 ms apart as a provider sends them, ${connections} connections`,
      unit: 'streams',
      targets: noPg.filter((t) => t.name !== 'gateway-no-audit'),
      options: streamOf(PACED_STREAM),
    },
    {
      key: 'paced-long',
      title: `Streaming, long stream (${chatLongEvents} events) 1 ms apart, ${connections} connections`,
      unit: 'streams',
      targets: [direct, floorTarget, gwTarget],
      options: streamOf(PACED_LONG_STREAM),
    },
  ] satisfies ScenarioPlan[])
    scenarios.push(await runScenario(plan))

  log(`streaming, 1 connection, time to first byte × ${ttfbRequests} sequential requests`)
  const ttfb: TtfbResult[][] = []
  for (let round = 1; round <= rounds; round++) {
    const results: TtfbResult[] = []
    for (const target of [direct, floorTarget, gwTarget]) {
      await quiet(target)
      const t = await measureTtfb(
        target,
        target.path,
        target.streamBody,
        ttfbRequests,
        Math.min(100, ttfbRequests),
      )
      if (t.failures > 0) loud(`${target.name} TTFB: ${t.failures} requests failed or were not 200`)
      log(
        `    round ${round}/${rounds} ${target.name}: TTFB p50 ${t.p50.toFixed(3)} ms, p99 ${t.p99.toFixed(3)} ms`,
      )
      results.push(t)
    }
    ttfb.push(results)
  }

  const idleResults: IdleStreamsResult[] = []
  if (idleStreams > 0) {
    // Fresh processes, warmed up briefly: after minutes of load a proxy's RSS rises and falls by tens of MiB with its
    // garbage collector, more than 1,000 idle streams add (one run read -58 KiB per stream that way).
    log(`memory per idle open stream: ${idleStreams} slow streams at once, on a fresh floor and gateway`)
    const idleFloor = await startFloor(mock.url, PROXY_CORE)
    const idleGateway = await gatewayOf()
    for (const target of [
      { ...floorTarget, url: idleFloor.url, pid: idleFloor.child.pid },
      targetOf('gateway', idleGateway),
    ]) {
      await warmUp(target, { ...plainOf(connections)(target), seconds: 0, warmupSeconds: 0 }, 2)
      const r = await measureIdleStreams(target, mock.url, idleStreams)
      log(
        `    ${target.name}: RSS ${r.rssBeforeMiB.toFixed(0)} → ${r.rssOpenMiB.toFixed(0)} MiB, ` +
          `${r.kibPerStream.toFixed(1)} KiB per stream; first byte ${r.firstByte}/${r.streams}, upstream open ${r.upstreamOpen}`,
      )
      if (r.firstByte < r.streams)
        warnings.push(`${target.name}: only ${r.firstByte} of ${r.streams} idle streams had their first byte`)
      idleResults.push(r)
    }
    await idleFloor.child.stop()
    await idleGateway.stop()
  }

  let workers: ScenarioResult | undefined
  if (measureWorkers && coreCount >= 2) {
    // Two cores for everything: the proxies, the mock upstream and wrk share them (stated in the report).
    log('WORKERS=2 against WORKERS=1 and the floor ×2 on the same two cores (load side shares them)')
    pinSelf('0-1')
    for (const pid of mock.pids) pinProcess(pid, '0-1')
    pinProcess(gateway.child.pid, '0-1')
    const floor2 = await startFloor(mock.url, '0-1', 2)
    const gateway2 = await gatewayOf(undefined, 2, '0-1')
    const two = { core: undefined, loadCores: '0-1' }
    const twoCore = [
      { ...direct, name: 'direct-2', core: undefined },
      { ...floorTarget, name: 'floor-2', url: floor2.url, pid: floor2.child.pid, core: undefined },
      { ...gwTarget, name: 'gateway-w1', core: undefined },
      { ...targetOf('gateway-w2', gateway2), core: undefined },
    ]
    for (const t of twoCore.slice(1))
      await warmUp(
        t,
        { ...plainOf(connections)(t), threads: 2, loadCores: two.loadCores },
        jitWarmupSeconds / 2,
      )
    workers = await runScenario({
      key: 'workers',
      title: `Non-streaming, ${connections} connections, two cores shared by the proxy, the mock upstream and wrk (2 threads)`,
      unit: 'requests',
      targets: twoCore,
      options: (t) => ({
        ...plainOf(connections)(t),
        threads: 2,
        loadCores: two.loadCores,
        loadCore: undefined,
      }),
    })
    await floor2.child.stop()
    await checkWrites(
      gateway2,
      workers.rounds.flat().filter((r) => r.target === 'gateway-w2'),
      'WORKERS=2 gateway',
    )
  }

  await floor.child.stop()
  await checkWrites(quietGateway, [], 'AUDIT_BODIES=off gateway', false)
  if (pgGateway)
    await checkWrites(
      pgGateway,
      scenarios.flatMap((sc) => sc.rounds.flat()).filter((r) => r.target === 'gateway-pg'),
      'PostgreSQL gateway',
    )
  const gwRuns = scenarios
    .flatMap((sc) => sc.rounds.flat())
    .filter((r) => r.target === 'gateway' || r.target === 'messages' || r.target === 'translated')
  await checkWrites(
    gateway,
    [...gwRuns, ...(workers?.rounds.flat().filter((r) => r.target === 'gateway-w1') ?? [])],
    'gateway',
  )

  const results: BenchResults = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    db: alsoPostgres ? 'sqlite, and postgres for the gateway-pg rows' : db,
    node: process.version,
    startCommand,
    startEnv,
    nodeFlags: productionNodeFlags(),
    cpus: coreCount,
    background,
    pinned,
    upstream:
      mock.fallback === undefined ? mock.description : `${mock.description} (FALLBACK: ${mock.fallback})`,
    seconds,
    warmupSeconds,
    connections,
    rounds,
    jitWarmupSeconds,
    dataDir: describeDataDir(realpathSync(dataParent)),
    fileCreateUs,
    chatEvents,
    messagesEvents,
    chatLongEvents,
    scenarios,
    ttfb,
    idle: idleResults,
    workers,
    warnings,
  }
  for (const key of ['plain', 'stream']) {
    const ratios = loadSideRatios(results, key)
    const m = median(ratios)
    log(
      `load side, ${key}: direct ÷ floor = ${ratios.map((v) => v.toFixed(2)).join(' · ')} (median ${m.toFixed(2)})`,
    )
    if (!(m >= 2))
      loud(
        `INVALID: direct served only ${m.toFixed(2)}× the floor's rate (${key}); the load side may be the bottleneck`,
      )
  }
  const checks = computeChecks(results)
  let markdown = renderMarkdown(results, checks, problems)
  markdown += `\n## What the gateway wrote\n\n${writes.map((w) => `- ${w}`).join('\n')}\n`

  const missed = checks.some((c) => c.pass === false)
  if (profileMode === '1' || (profileMode === 'auto' && missed)) {
    log('\nprofiling the gateway under the non-streaming load (--cpu-prof)…')
    pinSelf(LOAD_CORE)
    for (const pid of mock.pids) pinProcess(pid, LOAD_CORE)
    const summary = await profileGateway({
      db,
      core: PROXY_CORE,
      upstreamUrl: mock.url,
      model: MODEL,
      load: { path: CHAT, body: direct.plainBody, connections, seconds, warmupSeconds },
      top: 15,
      quietWaitMs,
      dataParent,
    })
    markdown += `\n${renderProfile(summary)}`
  }

  await mock.stop()
  const dir = join(import.meta.dirname, 'results')
  mkdirSync(dir, { recursive: true })
  const name = (process.env.BENCH_RESULT_NAME ?? 'latest').replace(/[^\w.-]/g, '_')
  markdown = await formatMarkdown(markdown, join(dir, `${name}.md`))
  writeFileSync(join(dir, `${name}.md`), markdown)
  writeFileSync(
    join(dir, `${name}.json`),
    `${JSON.stringify({ ...results, checks, writes, problems }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`,
  )
  process.stdout.write(`\n${markdown}\n`)
  log(`written to ${join('bench', 'results', `${name}.md`)}`)
  if (problems.length > 0) {
    loud(`${problems.length} problem(s): the run is INVALID`)
    process.exitCode = 1
  }
}

const writes: string[] = []

/**
 * Stops a gateway and checks what it wrote: a usage row per answered request, one settle ledger row per charged row,
 * money conserved (charged cost = ledger = users' used = keys' used), no reservation left open, an audit record
 * per usage row with its bodies (unless `audited` is false).
 */
async function checkWrites(
  gw: RunningGateway,
  runs: LoadResult[],
  what: string,
  audited = true,
): Promise<void> {
  const answered = runs.reduce((n, r) => n + r.requests, 0)
  const { counts, audit, auditError } = await gw.stop()
  if (counts === undefined) {
    loud(`${what}: could not count the rows it wrote`)
    return
  }
  if (counts.usageRows < answered)
    loud(`${what}: ${counts.usageRows} usage rows for at least ${answered} answered requests`)
  if (counts.ledgerRows !== counts.chargedRows)
    loud(`${what}: ${counts.ledgerRows} settle ledger rows for ${counts.chargedRows} charged usage rows`)
  const spent = -counts.ledgerNano
  if (!(
    counts.costNano === spent &&
    counts.costNano === counts.userUsedNano &&
    counts.costNano === counts.keyUsedNano
  ))
    loud(
      `${what}: money not conserved — usage cost ${counts.costNano}, ledger ${counts.ledgerNano}, ` +
        `users' used ${counts.userUsedNano}, keys' used ${counts.keyUsedNano} (nano-USD)`,
    )
  if (counts.openReservations !== 0 || counts.userReservedNano !== 0n || counts.keyReservedNano !== 0n)
    loud(
      `${what}: ${counts.openReservations} reservations left open (${counts.userReservedNano} nano-USD held)`,
    )
  if (counts.heldInMemory !== undefined && counts.heldInMemory !== 0)
    loud(`${what}: ${counts.heldInMemory} reservations still held in the gateway's memory`)
  let line =
    `${what}: ${counts.usageRows} usage rows (${counts.chargedRows} charged; ≥ ${answered} measured answers), ` +
    `${counts.ledgerRows} settle ledger rows, ${counts.openReservations} reservations open` +
    (counts.heldInMemory === undefined ? ', ' : ` (${counts.heldInMemory} in memory), `) +
    `${counts.costNano} nano-USD charged = ledger ${counts.ledgerNano} = users' used ${counts.userUsedNano}`
  if (audited) {
    if (audit === undefined) loud(`${what}: could not read back its audit files (${auditError})`)
    else {
      if (audit.files < counts.usageRows)
        loud(`${what}: ${audit.files} audit files for ${counts.usageRows} usage rows`)
      if (audit.metadataOnly > 0)
        loud(`${what}: ${audit.metadataOnly} audit records lost their bodies under load`)
      line += `, ${audit.files} audit files (${audit.metadataOnly} metadata only)`
    }
  }
  writes.push(line)
  log(line)
}

main()
  .catch((error: unknown) => {
    loud(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exitCode = 1
  })
  .finally(() => cleanup())
