/**
 * The bench's upstream: a minimal provider that is never the bottleneck (issue 20). Plain `node:http`, plain
 * JavaScript (no tsx), bodies precomputed once, the request body read but never parsed. The project's fake
 * upstream (test/fake-upstream/) is for tests; this one only answers what the bench and the soak send:
 *   POST …/chat/completions   OpenAI Chat: an answer, or a stream with usage when the body says "stream":true
 *   POST …/messages           Anthropic Messages: the same, in Anthropic's wire format, usage included
 *   GET  /_mock/stats         {"open": streams being sent now, "served": requests answered}
 * Request headers steer it (the gateway forwards x- headers that are not credentials):
 *   x-mock-pace: 1      a stream's events 1 ms apart, each its own write, as a provider sends them
 *   x-mock-pace: long   the same with the long stream (mock-bodies.mjs LONG_TEXT_EVENTS content events)
 *   x-mock-hold: <ms>   a stream sends its first event, then waits <ms> before the rest (idle open streams)
 *   x-mock-delay: <ms>  wait before answering at all
 *   x-mock-status: 500  answer this error status in the protocol's error envelope
 *   node bench/mock-upstream.mjs --port 9100
 * Prints `mock upstream listening on <url>` once ready.
 */
import { Buffer } from 'node:buffer'
import { createServer } from 'node:http'
import { clearTimeout, setTimeout } from 'node:timers'
import { parseArgs } from 'node:util'
import { CHAT, MESSAGES, STREAM_MARK } from './mock-bodies.mjs'

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } },
})

const STREAM_MARK_BYTES = Buffer.from(STREAM_MARK)
const JSON_HEADERS = { 'content-type': 'application/json' }
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }

let open = 0
let served = 0

function sendStream(res, s, pace, holdMs) {
  res.writeHead(200, SSE_HEADERS)
  const long = pace === 'long'
  const paceMs = long ? 1 : Number(pace ?? 0)
  const events = long ? s.longEvents : s.events
  if (paceMs === 0 && holdMs === 0) {
    res.end(s.whole)
    return
  }
  open++
  let i = 0
  let timer
  let done = false
  const finish = () => {
    if (done) return
    done = true
    open--
    clearTimeout(timer)
  }
  res.once('close', finish)
  const next = () => {
    if (done) return
    res.write(events[i++])
    if (i === events.length) {
      finish()
      res.end()
      return
    }
    timer = setTimeout(next, i === 1 && holdMs > 0 ? holdMs : paceMs)
  }
  next()
}

function answer(req, res, body) {
  served++
  const s = req.url.endsWith('/messages')
    ? MESSAGES
    : req.url.endsWith('/chat/completions')
      ? CHAT
      : undefined
  if (s === undefined) {
    res.writeHead(404, JSON_HEADERS)
    res.end('{"error":{"message":"mock upstream: unknown path"}}')
    return
  }
  const status = Number(req.headers['x-mock-status'] ?? 200)
  if (status !== 200) {
    res.writeHead(status, { ...JSON_HEADERS, 'content-length': s.error.length })
    res.end(s.error)
    return
  }
  if (body.includes(STREAM_MARK_BYTES))
    sendStream(res, s, req.headers['x-mock-pace'], Number(req.headers['x-mock-hold'] ?? 0))
  else {
    res.writeHead(200, { ...JSON_HEADERS, 'content-length': s.answer.length })
    res.end(s.answer)
  }
}

const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
  if (req.method === 'GET' && req.url === '/_mock/stats') {
    res.writeHead(200, JSON_HEADERS)
    res.end(JSON.stringify({ open, served }))
    return
  }
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
    const delay = Number(req.headers['x-mock-delay'] ?? 0)
    if (delay > 0) setTimeout(() => answer(req, res, body), delay)
    else answer(req, res, body)
  })
})
server.headersTimeout = 0

server.listen(Number(values.port), values.host, () => {
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  process.stdout.write(`mock upstream listening on http://${values.host}:${port}\n`)
})

const stop = () => {
  server.closeAllConnections()
  server.close(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
