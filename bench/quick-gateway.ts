/**
 * A short loop for working on the hot path: the gateway and the floor (bench/floor-proxy.mjs), alternately,
 * non-streaming at 50 connections and at one, plus streaming at 50 (whole streams, and events 1 ms apart), printed
 * as ratios, with the bench's mock upstream and wrk. Not the acceptance benchmark (that is `npm run bench`, which
 * also measures direct calls, time to first byte, idle streams, WORKERS=2 and writes the report).
 *   node --import tsx bench/quick-gateway.ts     (BENCH_DURATION, BENCH_DB as for the benchmark;
 *   QUICK_PROFILE=1 prints a CPU profile of the non-streaming load instead (QUICK_PROFILE_BODY=stream: streamed;
 *   QUICK_PROFILE_TOP: rows per table, default 25); QUICK_AUDIT sets AUDIT_BODIES;
 *   QUICK_ONLY=plain picks scenarios by name prefix, QUICK_REPEAT=n repeats each pair of runs;
 *   QUICK_THREADS=1 prints CPU per request by thread; QUICK_DATA_PARENT is where the gateway's data folder goes,
 *   e.g. /dev/shm; QUICK_NODE_FLAGS adds node flags)
 */
import { pinSelf, startFloor, startMock, stopAll } from './processes.ts'
import { startGateway, cleanupGateways, type BenchDb } from './gateway.ts'
import { measureLoad, PACED_STREAM, type Target, warmUp } from './measure.ts'
import { profileGateway, renderProfile } from './profile.ts'

const seconds = Number(process.env.BENCH_DURATION ?? 5)
const db = (process.env.BENCH_DB ?? 'sqlite') as BenchDb
const model = 'gpt-4o-mini'
const path = '/v1/chat/completions'
const messages = [{ role: 'user', content: 'Say hello to the benchmark.' }]
const plain = JSON.stringify({ model, messages })
const stream = JSON.stringify({ model, stream: true, messages, stream_options: { include_usage: true } })

pinSelf(1)
const mock = await startMock(1)
console.log(`mock upstream: ${mock.description}${mock.fallback ? ` — FALLBACK: ${mock.fallback}` : ''}`)
if (process.env.QUICK_PROFILE === '1') {
  const summary = await profileGateway({
    db,
    core: 0,
    upstreamUrl: mock.url,
    model,
    dataParent: process.env.QUICK_DATA_PARENT,
    env: process.env.QUICK_AUDIT ? { AUDIT_BODIES: process.env.QUICK_AUDIT } : {},
    load: {
      path,
      body: process.env.QUICK_PROFILE_BODY === 'stream' ? stream : plain,
      connections: Number(process.env.QUICK_CONNECTIONS ?? 50),
      seconds,
      warmupSeconds: 1,
    },
    top: Number(process.env.QUICK_PROFILE_TOP ?? 25),
    quietWaitMs: 3000,
  })
  console.log(renderProfile(summary))
  await stopAll()
  process.exit(0)
}
const gw = await startGateway({
  db,
  core: 0,
  upstreamUrl: mock.url,
  model,
  env: process.env.QUICK_AUDIT ? { AUDIT_BODIES: process.env.QUICK_AUDIT } : {},
  dataParent: process.env.QUICK_DATA_PARENT,
  nodeFlags: process.env.QUICK_NODE_FLAGS ? process.env.QUICK_NODE_FLAGS.split(' ') : undefined,
})
const floor = await startFloor(mock.url, 0)
const common = { path, plainBody: plain, streamBody: stream, core: 0 }
const target: Target = {
  ...common,
  name: 'gateway',
  url: gw.url,
  headers: { authorization: `Bearer ${gw.key}` },
  pid: gw.child.pid,
}
const floorTarget: Target = { ...common, name: 'floor', url: floor.url, headers: {}, pid: floor.child.pid }
try {
  for (const t of [floorTarget, target])
    for (const body of [plain, stream])
      await warmUp(
        t,
        { path, body, connections: 50, seconds: 0, warmupSeconds: 0 },
        Number(process.env.BENCH_JIT_WARMUP ?? 6) / 2,
      )
  const only = process.env.QUICK_ONLY
  const repeat = Math.max(1, Number(process.env.QUICK_REPEAT ?? 1))
  const scenarios = (
    [
      ['plain ×50', plain, 50],
      ['plain ×1', plain, 1],
      ['stream ×50', stream, 50],
      ['paced stream ×50', stream, 50],
    ] as const
  ).filter(([name]) => !only || name.startsWith(only))
  for (const [name, body, connections] of scenarios) {
    // Floor and gateway alternate, so that the machine's drift hits both: the ratios are what to compare.
    for (let i = 0; i < repeat; i++) {
      const r: Record<string, { rps: number; cpu: number; p50: number }> = {}
      for (const t of [floorTarget, target]) {
        const m = await measureLoad(t, {
          path,
          body,
          connections,
          seconds,
          warmupSeconds: 1,
          headers: name.startsWith('paced') ? PACED_STREAM : undefined,
        })
        r[t.name] = { rps: m.rps, cpu: m.cpuUsPerRequest ?? NaN, p50: m.p50 }
        if (m.non2xx > 0) console.log(`${t.name}: ${m.non2xx} non-2xx answers`)
        if (process.env.QUICK_THREADS === '1' && m.cpuUsPerRequestByThread)
          console.log(
            `  ${t.name} µs/req by thread: ` +
              Object.entries(m.cpuUsPerRequestByThread)
                .sort((a, b) => b[1] - a[1])
                .map(([n, us]) => `${n} ${us.toFixed(0)}`)
                .join(', '),
          )
      }
      const g = r.gateway
      const f = r.floor
      console.log(
        `${name}: gateway ${g.rps.toFixed(0)} req/s ${g.cpu.toFixed(0)} µs/req p50 ${g.p50.toFixed(3)} ms | ` +
          `floor ${f.rps.toFixed(0)} req/s ${f.cpu.toFixed(0)} µs/req p50 ${f.p50.toFixed(3)} ms | ` +
          `rps ratio ${(g.rps / f.rps).toFixed(2)}, CPU ratio ${(f.cpu / g.cpu).toFixed(2)}`,
      )
    }
  }
} finally {
  const { counts, audit } = await gw.stop()
  console.log(
    `written: ${JSON.stringify(counts, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}, audit files: ${JSON.stringify(audit)}`,
  )
  await mock.stop()
  await stopAll()
  await cleanupGateways()
}
