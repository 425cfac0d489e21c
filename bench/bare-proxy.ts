/**
 * The smallest useful proxy, as the benchmark's yardstick: a `node:http` server that sends each request to
 * one upstream with an undici `Pool` and pipes both bodies through. No auth, routing, parsing or metering.
 *   node --import tsx bench/bare-proxy.ts --port 9200 --upstream http://127.0.0.1:9100
 * Prints `bare proxy listening on <url>` once ready; stops on SIGINT/SIGTERM.
 */
import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http'
import { pipeline } from 'node:stream'
import { parseArgs } from 'node:util'
import { Pool } from 'undici'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    upstream: { type: 'string' },
  },
})
if (!values.upstream) {
  process.stderr.write('--upstream is required\n')
  process.exit(2)
}

// The same pool settings as the gateway's per-channel pools.
const pool = new Pool(new URL(values.upstream).origin, {
  connections: 512,
  pipelining: 1,
  keepAliveTimeout: 30_000,
})

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
])

function forwardHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const name in headers) {
    const value = headers[name]
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value
  }
  return out
}

const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  pool
    .request({
      method: (req.method ?? 'GET') as 'GET',
      path: req.url ?? '/',
      headers: forwardHeaders(req.headers),
      body: hasBody ? req : null,
    })
    .then(
      (upstream) => {
        res.writeHead(upstream.statusCode, forwardHeaders(upstream.headers) as OutgoingHttpHeaders)
        pipeline(upstream.body, res, () => undefined)
      },
      (error: unknown) => {
        if (res.headersSent) res.destroy()
        else {
          res.writeHead(502, { 'content-type': 'text/plain' })
          res.end(`bare proxy: ${String(error)}`)
        }
      },
    )
})
server.headersTimeout = 0

server.listen(Number(values.port), values.host, () => {
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  process.stdout.write(`bare proxy listening on http://${values.host}:${port}\n`)
})

let stopping = false
const stop = (): void => {
  if (stopping) return
  stopping = true
  server.closeAllConnections()
  server.close()
  pool.close().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
