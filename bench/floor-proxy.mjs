/**
 * The bench's floor (issue 20): the cheapest correct pass-through undici allows. A `node:http` server sends each
 * request to one upstream with undici's `Pool.stream`, writing the upstream's answer straight into the client's
 * response — no body parsing, no buffering, no auth, routing or metering. Plain JavaScript, run by `node` itself
 * (not through tsx), with the V8 flags of `npm start`. `--workers n` runs n copies behind one port with
 * node:cluster, as the gateway's WORKERS does, for the two-core comparison.
 * `--connections n` caps the pool's connections to the upstream (default 4096: 1,000 idle open streams must all reach
 * the upstream; the bench passes the gateway the same cap).
 *   node bench/floor-proxy.mjs --port 9200 --upstream http://127.0.0.1:9100 [--workers 2] [--connections 4096]
 * Prints `floor proxy listening on <url>` once every worker listens; stops on SIGINT/SIGTERM.
 */
import cluster from 'node:cluster'
import { createServer } from 'node:http'
import { setTimeout } from 'node:timers'
import { parseArgs } from 'node:util'
import { Pool } from 'undici'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    upstream: { type: 'string' },
    workers: { type: 'string', default: '1' },
    connections: { type: 'string', default: '4096' },
  },
})
if (!values.upstream) {
  process.stderr.write('--upstream is required\n')
  process.exit(2)
}
const workers = Math.max(1, Number(values.workers))

// Headers that describe one hop's connection, never forwarded (RFC 9110 §7.6.1); `host` is the pool's own.
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

function forwardHeaders(headers) {
  const out = {}
  for (const name in headers) {
    const value = headers[name]
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value
  }
  return out
}

function serve() {
  // One pool per upstream origin, as the gateway keeps per channel (src/proxy/upstream-dispatchers.ts).
  const pool = new Pool(new URL(values.upstream).origin, {
    connections: Math.max(1, Number(values.connections)),
    pipelining: 1,
    keepAliveTimeout: 30_000,
  })
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
    pool.stream(
      {
        method: req.method,
        path: req.url,
        headers: forwardHeaders(req.headers),
        body: hasBody ? req : null,
      },
      ({ statusCode, headers }) => {
        res.writeHead(statusCode, forwardHeaders(headers))
        return res
      },
      (error) => {
        if (!error) return
        if (res.headersSent) res.destroy()
        else {
          res.writeHead(502, { 'content-type': 'text/plain' })
          res.end('floor proxy: upstream failed')
        }
      },
    )
  })
  server.headersTimeout = 0
  server.listen(Number(values.port), values.host, () => {
    if (cluster.isWorker) process.send?.('listening')
    else {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      process.stdout.write(`floor proxy listening on http://${values.host}:${port}\n`)
    }
  })
  const stop = () => {
    server.closeAllConnections()
    server.close()
    pool.destroy().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

if (workers > 1 && cluster.isPrimary) {
  let listening = 0
  for (let i = 0; i < workers; i++)
    cluster.fork().on('message', (m) => {
      if (m === 'listening' && ++listening === workers)
        process.stdout.write(`floor proxy listening on http://${values.host}:${values.port}\n`)
    })
  const stop = () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM')
    setTimeout(() => process.exit(0), 200).unref()
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0)
    })
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
} else serve()
