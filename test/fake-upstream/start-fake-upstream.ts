import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FakeRequest } from './fake-reply.ts'
import { badKeyReply, HTML_502_PAGE, providerErrorReply } from './provider-errors.ts'
import { parseGeminiPath, protocolOf, routeRequest } from './route-request.ts'
import { parseScenario, type Scenario, scenarioFromModel } from './scenario.ts'
import { type ReplyContext, sendReply } from './send-reply.ts'

export type { Scenario } from './scenario.ts'
export { modelWithScenario, SCENARIO_NAMES } from './scenario.ts'

export interface RecordedRequest {
  method: string
  /** Path and query string as received. */
  path: string
  headers: IncomingHttpHeaders
  /** Body as UTF-8 text, cut at `maxRecordedBodyChars`. */
  body: string
  bodyBytes: number
  /** The scenario applied, in its string form's name, or null. */
  scenario: string | null
}

export interface FakeUpstreamOptions {
  /** 0 or absent: any free port. */
  port?: number
  host?: string
  /** Requests kept in `requests` (oldest dropped first); 0 disables recording. Default 1000. */
  maxRecordedRequests?: number
  /** Default 1 MiB. */
  maxRecordedBodyChars?: number
  /** Write each stream with one `end()` instead of one write per event (benchmarks). Default false. */
  coalesceStreams?: boolean
}

export interface EventSentInfo {
  /** Path and query of the request being answered. */
  path: string
  /** Index of the event within its stream. */
  index: number
  /** Number of events that stream will have. */
  total: number
}

export interface FakeUpstream {
  /** `http://127.0.0.1:PORT` */
  url: string
  port: number
  close(): Promise<void>
  /** Received requests, oldest first (bounded by `maxRecordedRequests`). */
  requests: RecordedRequest[]
  clearRequests(): void
  /** Server-wide scenario (string form or object); a request's `x-fake-scenario` header or model prefix wins. */
  setScenario(scenario: Scenario | string | null): void
  /** Stream events handed to sockets since start. */
  readonly eventsSent: number
  /** Calls `listener` after each stream event is written; returns the unsubscribe function. */
  onEventSent(listener: (info: EventSentInfo) => void): () => void
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** Starts the fake provider (OpenAI, Anthropic and Gemini endpoints on one port). */
export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const host = options.host ?? '127.0.0.1'
  const maxRecorded = options.maxRecordedRequests ?? 1000
  const maxBodyChars = options.maxRecordedBodyChars ?? 1 << 20
  const coalesce = options.coalesceStreams ?? false
  const requests: RecordedRequest[] = []
  const listeners = new Set<(info: EventSentInfo) => void>()
  const timers = new Set<NodeJS.Timeout>()
  let globalScenario: Scenario | undefined
  let eventsSent = 0
  let closing = false
  let baseUrl = ''

  function wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (closing) return
      if (ms <= 0) {
        setImmediate(resolve)
        return
      }
      const timer = setTimeout(() => {
        timers.delete(timer)
        resolve()
      }, ms)
      timers.add(timer)
    })
  }

  function record(req: IncomingMessage, raw: Buffer, scenario: Scenario | undefined): void {
    if (maxRecorded <= 0) return
    const text =
      raw.length > maxBodyChars ? raw.subarray(0, maxBodyChars).toString('utf8') : raw.toString('utf8')
    requests.push({
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: text.length > maxBodyChars ? text.slice(0, maxBodyChars) : text,
      bodyBytes: raw.length,
      scenario: scenario?.name ?? null,
    })
    if (requests.length > maxRecorded) requests.splice(0, requests.length - maxRecorded)
  }

  async function handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    const method = req.method ?? 'GET'
    const protocol = protocolOf(method, path, req.headers)
    let body: unknown
    let badBody = false
    const contentType = headerValue(req.headers['content-type']) ?? ''
    if (raw.length > 0 && !contentType.startsWith('multipart/')) {
      try {
        body = JSON.parse(raw.toString('utf8'))
      } catch {
        badBody = contentType.includes('json')
      }
    }
    let scenario: Scenario | undefined
    try {
      const header = headerValue(req.headers['x-fake-scenario'])
      const model =
        typeof (body as { model?: unknown } | undefined)?.model === 'string'
          ? (body as { model: string }).model
          : parseGeminiPath(path)?.model
      scenario = header ? parseScenario(header) : (scenarioFromModel(model) ?? globalScenario)
    } catch (error) {
      record(req, raw, undefined)
      await sendReply(
        context(res, undefined, url),
        providerErrorReply(protocol, 400, { message: String(error) }),
      )
      return
    }
    record(req, raw, scenario)
    const ctx = context(res, scenario, url)

    if (scenario?.name === 'stall-headers') return
    if (scenario?.name === 'reset-before-headers') {
      req.socket.resetAndDestroy()
      return
    }
    if (scenario?.name === 'delay') await wait(scenario.delayMs)
    if (scenario?.name === 'html-502') {
      await sendReply(ctx, {
        kind: 'body',
        status: 502,
        headers: { 'content-type': 'text/html' },
        body: HTML_502_PAGE,
      })
      return
    }
    if (scenario?.name === 'bad-key') {
      await sendReply(ctx, badKeyReply(protocol))
      return
    }
    if (scenario?.name === 'status') {
      await sendReply(ctx, providerErrorReply(protocol, scenario.status, { retryAfter: scenario.retryAfter }))
      return
    }
    if (scenario?.name === 'redirect') {
      res.writeHead(302, {
        location: scenario.location ?? `${baseUrl}/redirect-target`,
        'content-length': '0',
      })
      res.end()
      return
    }
    if (badBody) {
      await sendReply(
        ctx,
        providerErrorReply(protocol, 400, { message: 'We could not parse the JSON body of your request.' }),
      )
      return
    }
    const fakeReq: FakeRequest = {
      method,
      path,
      url,
      query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
      headers: req.headers,
      body,
      rawBody: raw,
      scenario,
      baseUrl,
    }
    await sendReply(ctx, routeRequest(fakeReq, protocol))
  }

  function context(res: ServerResponse, scenario: Scenario | undefined, path: string): ReplyContext {
    return {
      res,
      scenario,
      coalesce,
      wait,
      onFrame(index, total) {
        eventsSent++
        if (listeners.size > 0) for (const listener of listeners) listener({ path, index, total })
      },
    }
  }

  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
      handle(req, res, raw).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' })
          res.end(`fake upstream failure: ${String(error)}`)
        } else res.destroy()
      })
    })
  })
  server.headersTimeout = 0

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`

  return {
    url: baseUrl,
    port,
    requests,
    get eventsSent() {
      return eventsSent
    },
    clearRequests() {
      requests.length = 0
    },
    setScenario(scenario) {
      globalScenario =
        scenario === null ? undefined : typeof scenario === 'string' ? parseScenario(scenario) : scenario
    },
    onEventSent(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close() {
      closing = true
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
    },
  }
}
