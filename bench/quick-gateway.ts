/**
 * A short loop for working on the hot path: only the gateway, non-streaming at 50 connections and at one,
 * plus streaming at 50. Not the acceptance benchmark (that is `npm run bench`, with direct and bare beside it).
 *   node --import tsx bench/quick-gateway.ts     (BENCH_DURATION, BENCH_DB as for the benchmark;
 *   QUICK_PROFILE=1 prints a CPU profile of the non-streaming load instead; QUICK_AUDIT sets AUDIT_BODIES;
 *   QUICK_ONLY=plain picks scenarios by name prefix, QUICK_REPEAT=n repeats each and prints the best;
 *   QUICK_DATA_PARENT is where the gateway's data folder goes, e.g. /dev/shm)
 */
import { spawnNode, freePort, waitUntilReady, pinSelf, stopAll } from './processes.ts'
import { startGateway, cleanupGateways, type BenchDb } from './gateway.ts'
import { measureLoad } from './measure.ts'
import { profileGateway, renderProfile } from './profile.ts'

const seconds = Number(process.env.BENCH_DURATION ?? 5)
const db = (process.env.BENCH_DB ?? 'sqlite') as BenchDb
const model = 'gpt-4o-mini'
const plain = JSON.stringify({ model, messages: [{ role: 'user', content: 'Say hello to the benchmark.' }] })
const stream = JSON.stringify({
  model,
  stream: true,
  messages: [{ role: 'user', content: 'Say hello to the benchmark.' }],
})

pinSelf(1)
const port = await freePort()
const fake = spawnNode({
  name: 'fake upstream',
  core: 1,
  args: ['--import', 'tsx', 'test/fake-upstream/run-fake-upstream.ts', '--port', String(port), '--coalesce'],
})
await waitUntilReady(fake, async () => fake.output().includes('fake upstream listening on'))
if (process.env.QUICK_PROFILE === '1') {
  const summary = await profileGateway({
    db,
    core: 0,
    upstreamUrl: `http://127.0.0.1:${port}`,
    model,
    load: { path: '/v1/chat/completions', body: plain, connections: 50, seconds, warmupSeconds: 1 },
    top: 25,
    quietWaitMs: 3000,
  })
  console.log(renderProfile(summary))
  await stopAll()
  process.exit(0)
}
const gw = await startGateway({
  db,
  core: 0,
  upstreamUrl: `http://127.0.0.1:${port}`,
  model,
  env: process.env.QUICK_AUDIT ? { AUDIT_BODIES: process.env.QUICK_AUDIT } : {},
  dataParent: process.env.QUICK_DATA_PARENT,
})
const target = {
  name: 'gateway',
  url: gw.url,
  headers: { authorization: `Bearer ${gw.key}`, 'content-type': 'application/json' },
  pid: gw.child.pid,
  core: 0,
}
try {
  const only = process.env.QUICK_ONLY
  const repeat = Math.max(1, Number(process.env.QUICK_REPEAT ?? 1))
  const scenarios = (
    [
      ['plain ×50', plain, 50],
      ['plain ×1', plain, 1],
      ['stream ×50', stream, 50],
    ] as const
  ).filter(([name]) => !only || name.startsWith(only))
  for (const [name, body, connections] of scenarios) {
    const perRequest: number[] = []
    for (let i = 0; i < repeat; i++) {
      const r = await measureLoad(target, {
        path: '/v1/chat/completions',
        body,
        connections,
        seconds,
        warmupSeconds: 1,
      })
      perRequest.push(r.cpuUsPerRequest ?? NaN)
      console.log(
        `${name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms, ` +
          `CPU ${r.cpuPercent?.toFixed(0)} %, ${r.cpuUsPerRequest?.toFixed(1)} µs/req, non-2xx ${r.non2xx}`,
      )
    }
    if (repeat > 1) console.log(`${name}: best ${Math.min(...perRequest).toFixed(1)} µs/req`)
  }
} finally {
  const { counts } = await gw.stop()
  console.log(`written: ${JSON.stringify(counts)}`)
  await stopAll()
  await cleanupGateways()
}
