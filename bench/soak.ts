/**
 * `npm run soak` (issue 20): the gateway, as `npm start` runs it, under mixed load for SOAK_SECONDS — chat
 * completions on an OpenAI channel and Messages on an Anthropic channel, plain and streamed (events 1 ms apart),
 * with 20 % of requests aborted by the client (before the answer or mid-stream) and 5 % answered by the upstream
 * with an error. Once a second the gateway's own probe (bench/soak-probe.mjs, a file, no endpoint) records RSS,
 * heap used, active handles and event-loop delay (every 5 s right after a forced full collection), and /proc gives
 * its open file descriptors. The same load first runs as warm-up until, on SQLite, the database is larger than the
 * gateway's 8 MiB page cache and RSS after GC stops growing (soak-report.ts, rssPlateau), then for SOAK_SECONDS measured. The report says whether each resource came back within 10 % of its
 * level after warm-up, and reconciles what the gateway wrote: a usage row per request, money conserved, no
 * reservation left open, an audit record per request. Environment:
 *   SOAK_SECONDS       seconds of measured load after the warm-up (default 3600; the CI test runs 120)
 *   SOAK_WARMUP_MIN / SOAK_WARMUP_MAX  bounds of the warm-up in seconds (default 60 and 600); a warm-up that
 *                      reaches the maximum without a plateau fails the soak
 *   SOAK_CONCURRENCY   requests in flight (default 16)
 *   SOAK_DB            sqlite (default) or postgres (BENCH_PG_URL as for the bench)
 *   SOAK_WORKERS       WORKERS of the gateway (default 1)
 *   SOAK_RESULT_DIR    folder of soak-<name>.json/.md (default bench/results); SOAK_RESULT_NAME (default latest)
 * Exits 1 when a verdict fails.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'
import { type BenchDb, cleanupGateways, startGateway } from './gateway.ts'
import { killAllNow, processTree, startMock, stopAll } from './processes.ts'
import {
  type Kind,
  type ProbeSample,
  type SoakReport,
  type Warmup,
  emptyLoad,
  judgeSoak,
  renderSoak,
  rssPlateau,
} from './soak-report.ts'

const seconds = Number(process.env.SOAK_SECONDS ?? 3600)
const concurrency = Number(process.env.SOAK_CONCURRENCY ?? 16)
const db = (process.env.SOAK_DB ?? 'sqlite') as BenchDb
const workers = Number(process.env.SOAK_WORKERS ?? 1)
const warmupMin = Number(process.env.SOAK_WARMUP_MIN ?? 60)
const warmupMax = Number(process.env.SOAK_WARMUP_MAX ?? 600)
const resultDir = process.env.SOAK_RESULT_DIR ?? join(import.meta.dirname, 'results')
const resultName = `soak-${(process.env.SOAK_RESULT_NAME ?? 'latest').replace(/[^\w.-]/g, '_')}`
const allCores = `0-${cpus().length - 1}`
const log = (line: string): void => void process.stderr.write(`${line}\n`)

const MESSAGES = [{ role: 'user', content: 'Say hello to the soak.' }]
const KINDS: Record<Kind, { path: string; body: string; stream: boolean }> = {
  'chat plain': { path: '/v1/chat/completions', body: chat(false), stream: false },
  'chat stream': { path: '/v1/chat/completions', body: chat(true), stream: true },
  'messages plain': { path: '/v1/messages', body: messages(false), stream: false },
  'messages stream': { path: '/v1/messages', body: messages(true), stream: true },
}
function chat(stream: boolean): string {
  return JSON.stringify({
    model: 'gpt-4o-mini',
    messages: MESSAGES,
    ...(stream ? { stream, stream_options: { include_usage: true } } : {}),
  })
}
function messages(stream: boolean): string {
  return JSON.stringify({
    model: 'claude-haiku-4-5',
    max_tokens: 64,
    messages: MESSAGES,
    ...(stream ? { stream } : {}),
  })
}

/** A small deterministic generator (mulberry32): the same mix on every run. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function fdCount(rootPid: number): number {
  let n = 0
  for (const pid of processTree(rootPid)) {
    try {
      n += readdirSync(`/proc/${pid}/fd`).length
    } catch {
      // Ended meanwhile.
    }
  }
  return n
}

/** The gateway's SQLite page cache: `cache_size = -8192` (KiB) in src/infra/db/create-db.ts. */
const SQLITE_CACHE_BYTES = 8 * 1024 * 1024

function sqliteBytes(dataDir: string): number {
  try {
    return statSync(join(dataDir, 'gateway.db')).size
  } catch {
    return 0
  }
}

function readProbe(dir: string): ProbeSample[] {
  const samples: ProbeSample[] = []
  for (const file of readdirSync(dir))
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n'))
      if (line.endsWith('}')) samples.push(JSON.parse(line) as ProbeSample)
  return samples
}

async function main(): Promise<void> {
  // The soak's upstream requests are mostly steered (paced, failed, delayed): the Node mock serves them all.
  const mock = await startMock(allCores, { fast: false })
  const probeDir = mkdtempSync(join(tmpdir(), 'soak-probe-'))
  const probe = fileURLToPath(new URL('soak-probe.mjs', import.meta.url))
  const gw = await startGateway({
    db,
    core: allCores,
    upstreamUrl: mock.url,
    model: 'gpt-4o-mini',
    workers,
    nodeFlags: ['--import', probe],
    env: { SOAK_PROBE_DIR: probeDir },
    postgresUrl: process.env.BENCH_PG_URL,
  })
  log(`soak: ${seconds} s, ${concurrency} in flight, ${db}, WORKERS=${workers}, gateway ${gw.url}`)
  const agent = new Agent({ connections: concurrency * 2, keepAliveTimeout: 10_000 })
  const counts = emptyLoad()
  const fds: Array<{ t: number; fds: number }> = []
  const next = random(20)
  const startedAt = Date.now()
  // Unknown until the warm-up has ended.
  let endAt = Infinity
  let measuredFrom = Infinity
  let warmup: Warmup | undefined
  const warmupTimer = setInterval(() => {
    const now = Date.now()
    if (now - startedAt < warmupMin * 1000) return
    // SQLite's page cache fills until the database is larger than it; RSS may pause for 30 s meanwhile.
    if (db === 'sqlite' && sqliteBytes(gw.dataDir) < SQLITE_CACHE_BYTES && now - startedAt < warmupMax * 1000)
      return
    const state = rssPlateau(readProbe(probeDir), now)
    if (!state.plateau && now - startedAt < warmupMax * 1000) return
    clearInterval(warmupTimer)
    warmup = { seconds: (now - startedAt) / 1000, ...state }
    measuredFrom = now
    endAt = now + seconds * 1000
    log(
      `soak: warm-up ended after ${warmup.seconds.toFixed(0)} s (RSS after GC ${state.rssBefore.toFixed(1)} → ` +
        `${state.rssLast.toFixed(1)} MiB, plateau: ${state.plateau}); ${seconds} s measured from now`,
    )
  }, 5000)
  const fdTimer = setInterval(() => fds.push({ t: Date.now(), fds: fdCount(gw.child.pid) }), 1000)

  async function one(): Promise<void> {
    const names = Object.keys(KINDS) as Kind[]
    const kind = names[Math.floor(next() * names.length)]
    const spec = KINDS[kind]
    const roll = next()
    const fail = roll < 0.05
    const abort = !fail && roll < 0.25
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      authorization: `Bearer ${gw.key}`,
    }
    if (spec.stream) headers['x-mock-pace'] = '1'
    if (fail) headers['x-mock-status'] = '500'
    // A plain answer is held 30 ms upstream so that an abort lands before it; a stream is cut after its first event.
    if (abort && !spec.stream) headers['x-mock-delay'] = '30'
    counts.sent++
    counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1
    if (fail) counts.upstreamErrors++
    if (abort) counts.aborted++
    const controller = new AbortController()
    const timer = abort && !spec.stream ? setTimeout(() => controller.abort(), 5 + next() * 10) : undefined
    try {
      const res = await request(gw.url + spec.path, {
        method: 'POST',
        headers,
        body: spec.body,
        dispatcher: agent,
        signal: controller.signal,
      })
      if (abort && spec.stream) {
        for await (const _chunk of res.body) {
          controller.abort()
          break
        }
        await res.body.dump().catch(() => undefined)
        return
      }
      await res.body.text()
      // A planned abort that came too late (the answer was first) is an answered request.
      if (abort) counts.abortsTooLate++
      counts.statuses[res.statusCode] = (counts.statuses[res.statusCode] ?? 0) + 1
      const expected = fail ? res.statusCode >= 500 : res.statusCode === 200
      if (!expected && counts.unexpected.length < 20)
        counts.unexpected.push(`${kind}${fail ? ' (upstream error)' : ''}: ${res.statusCode}`)
    } catch (error) {
      if (!abort && counts.unexpected.length < 20)
        counts.unexpected.push(`${kind}: ${error instanceof Error ? error.message : String(error)}`)
    } finally {
      clearTimeout(timer)
    }
  }

  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < endAt) await one()
    }),
  )
  const loadEndedAt = Date.now()
  await agent.close()
  // Idle after the load: what the gateway holds once nothing is in flight.
  await new Promise((r) => setTimeout(r, 8000))
  clearInterval(fdTimer)
  const samples = readProbe(probeDir)
  const { counts: written, audit } = await gw.stop()
  await mock.stop()
  rmSync(probeDir, { recursive: true, force: true })

  const report: SoakReport = judgeSoak({
    seconds,
    concurrency,
    db,
    workers,
    warmup: warmup as Warmup,
    measuredFrom,
    loadEndedAt,
    load: counts,
    samples,
    fds,
    written,
    audit,
  })
  mkdirSync(resultDir, { recursive: true })
  const markdown = renderSoak(report)
  writeFileSync(join(resultDir, `${resultName}.md`), markdown)
  writeFileSync(
    join(resultDir, `${resultName}.json`),
    `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`,
  )
  process.stdout.write(`${markdown}\n`)
  log(`written to ${join(resultDir, `${resultName}.md`)}`)
  if (!report.pass) process.exitCode = 1
}

process.on('exit', killAllNow)
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void stopAll()
      .then(() => cleanupGateways())
      .finally(() => process.exit(130))
  })
main()
  .catch((error: unknown) => {
    log(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exitCode = 1
  })
  .finally(async () => {
    await stopAll()
    await cleanupGateways()
  })
