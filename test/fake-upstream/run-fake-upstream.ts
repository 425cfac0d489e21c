/**
 * CLI for the benchmark and manual testing:
 *   node --import tsx test/fake-upstream/run-fake-upstream.ts --port 9100 [--host 127.0.0.1]
 *        [--scenario NAME] [--record N] [--coalesce]
 * Prints `fake upstream listening on <url>` once ready; stops on SIGINT/SIGTERM. Recording is off unless
 * `--record N` is given, so a long benchmark does not grow memory.
 */
import { parseArgs } from 'node:util'
import { startFakeUpstream } from './start-fake-upstream.ts'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    scenario: { type: 'string' },
    record: { type: 'string', default: '0' },
    coalesce: { type: 'boolean', default: false },
  },
})

const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`invalid --port ${values.port}\n`)
  process.exit(2)
}

const upstream = await startFakeUpstream({
  port,
  host: values.host,
  maxRecordedRequests: Number(values.record) || 0,
  coalesceStreams: values.coalesce,
})
if (values.scenario) upstream.setScenario(values.scenario)
process.stdout.write(`fake upstream listening on ${upstream.url}\n`)

let stopping = false
const stop = (): void => {
  if (stopping) return
  stopping = true
  upstream.close().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
