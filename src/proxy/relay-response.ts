import type { ServerResponse } from 'node:http'
import zlib from 'node:zlib'
import { StringDecoder } from 'node:string_decoder'
import type { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { createSseParser, type SseEvent } from '../protocol/sse/parse-sse-stream.ts'
import { encodeSseEvent } from '../protocol/sse/encode-sse-event.ts'
import { createStreamUsageTracker, type StreamUsageResult } from '../protocol/usage/track-stream-usage.ts'
import { isUsageOnlyChunk } from '../protocol/openai/is-usage-only-chunk.ts'
import { formatClientError, formatClientStreamError } from '../protocol/errors/format-client-error.ts'
import type { Usage } from '../protocol/usage/usage.ts'
import type { Surface } from './surfaces.ts'

/**
 * Upstream response headers a client may see; everything else (cookies, server, upstream rate limits) stays.
 * `x-request-id` is the gateway's own, so a user can find the request in the logs.
 */
const PASS_HEADERS = new Set([
  'content-type',
  'content-disposition',
  'openai-model',
  'openai-processing-ms',
  'openai-version',
  'request-id',
  'retry-after',
])

export const HEARTBEAT_MS = 15_000
const MAX_METERED_BODY = 32 * 1024 * 1024

export interface RelayOutcome {
  usage: Usage | null
  stream: StreamUsageResult | null
  /** The client went away before the answer ended. */
  clientAborted: boolean
  /** The upstream failed after the first byte reached the client. */
  upstreamFailed: string | null
  ttftMs: number | null
  /** Raw SSE text or body seen (bounded), for the audit record. */
  bodyText: string
  /** A JSON answer as parsed for metering (undefined when not parsed), for the audit record. */
  bodyJson: unknown
}

function decoderFor(encoding: string | undefined): zlib.Gunzip | zlib.BrotliDecompress | zlib.Inflate | null {
  switch ((encoding ?? '').toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip()
    case 'br':
      return zlib.createBrotliDecompress()
    case 'deflate':
      return zlib.createInflate()
    default:
      return null
  }
}

function passHeaders(res: ServerResponse, upstream: Dispatcher.ResponseData['headers']): void {
  for (const [k, v] of Object.entries(upstream)) {
    if (v !== undefined && PASS_HEADERS.has(k)) res.setHeader(k, v)
  }
}

interface RelayArgs {
  upstream: Dispatcher.ResponseData
  res: ServerResponse
  surface: Surface
  /** Remove the usage-only chunk the gateway asked for on the client's behalf. */
  stripUsageChunk: boolean
  startedAt: number
  now: () => number
  keepAuditText: boolean
  onClientClose: (fn: () => void) => void
}

/**
 * Sends the upstream answer to the client as it arrives, with backpressure, metering it on the way.
 * Streams: bytes are forwarded unchanged (re-framed event by event only when a usage chunk must be removed),
 * heartbeats keep idle streams open, a mid-stream failure ends with the protocol's error event.
 */
export function relayResponse(a: RelayArgs): Promise<RelayOutcome> {
  const { upstream, res, surface } = a
  const contentType = String(upstream.headers['content-type'] ?? '')
  const isSse = contentType.includes('text/event-stream')
  const decoder = decoderFor(upstream.headers['content-encoding'] as string | undefined)
  const source: Readable = decoder ? upstream.body.pipe(decoder) : upstream.body
  if (decoder) upstream.body.on('error', (err) => decoder.destroy(err))

  res.statusCode = upstream.statusCode
  passHeaders(res, upstream.headers)
  if (isSse) {
    res.setHeader('content-type', contentType || 'text/event-stream')
    res.setHeader('cache-control', 'no-cache')
    res.setHeader('x-accel-buffering', 'no')
    // Streams: the client sees the status within this turn of the event loop — together with the first
    // events when they came with the provider's headers (one write instead of two), else on their own.
    setImmediate(() => {
      if (!res.headersSent && !res.destroyed) res.flushHeaders()
    })
  } else {
    // Other answers send headers with the first bytes, in one write, and keep the provider's length (unchanged
    // bytes), so no chunked framing is added.
    const length = upstream.headers['content-length']
    if (!decoder && typeof length === 'string' && /^\d+$/.test(length))
      res.setHeader('content-length', length)
  }

  const tracker = isSse && surface.streamKind ? createStreamUsageTracker(surface.streamKind) : null
  // Node's decoder keeps a character split across chunks whole and gives one-byte strings for ASCII text, which
  // V8 parses faster than the two-byte strings of TextDecoder.
  const sseDecoder = isSse ? new StringDecoder('utf8') : null
  const auditParts: string[] = []
  let auditBytes = 0
  const bodyParts: Buffer[] = []
  let bodyBytes = 0
  let ttftMs: number | null = null
  let lastWrite = a.now()

  const writeOut = (chunk: Buffer | string): void => {
    lastWrite = a.now()
    if (!res.write(chunk)) {
      source.pause()
      res.once('drain', () => source.resume())
    }
  }

  /** Events completed by the current upstream chunk that go to the client, if the chunk must be re-framed. */
  let kept: SseEvent[] = []
  /** The current chunk completed the usage chunk the client did not ask for. */
  let droppedInChunk = false
  /**
   * Every byte received so far belongs to a completed event (a line end as last byte means no character is held
   * back by the decoder): the next chunk starts a new event, and a heartbeat cannot land inside one.
   */
  let betweenEvents = true
  const onEvent = (ev: SseEvent): void => {
    tracker?.push(ev)
    if (!a.stripUsageChunk) return
    // The string form pre-filters: only a chunk with an empty `choices` array and a `usage` is parsed again.
    if (isUsageOnlyChunk(ev.data)) droppedInChunk = true
    else kept.push(ev)
  }
  /** Kept events re-encoded, for a chunk that cannot go out as it came. */
  const takeKept = (): string => {
    let out = ''
    for (const ev of kept) out += encodeSseEvent(ev)
    kept = []
    return out
  }
  const parser = isSse ? createSseParser(onEvent) : null

  return new Promise<RelayOutcome>((resolve) => {
    let settled = false
    let clientGone = false
    let heartbeat: NodeJS.Timeout | null = null
    const finish = (clientAborted: boolean, upstreamFailed: string | null) => {
      if (settled) return
      settled = true
      if (heartbeat) clearInterval(heartbeat)
      parser?.end()
      let usage: Usage | null = null
      let bodyJson: unknown = undefined
      const bodyString =
        !isSse && bodyBytes > 0 && bodyBytes <= MAX_METERED_BODY && (surface.extractUsage || a.keepAuditText)
          ? (bodyParts.length === 1 ? bodyParts[0] : Buffer.concat(bodyParts)).toString('utf8')
          : ''
      if (surface.extractUsage && bodyString) {
        try {
          bodyJson = JSON.parse(bodyString)
          usage = surface.extractUsage(bodyJson)
        } catch {
          usage = null
        }
      }
      const stream = tracker ? tracker.result() : null
      if (stream) usage = stream.usage
      const bodyText = isSse ? auditParts.join('') : a.keepAuditText ? bodyString : ''
      resolve({
        usage,
        stream,
        clientAborted,
        upstreamFailed,
        ttftMs,
        bodyText,
        bodyJson: a.keepAuditText ? bodyJson : undefined,
      })
    }

    if (isSse) {
      heartbeat = setInterval(() => {
        if (betweenEvents && a.now() - lastWrite >= HEARTBEAT_MS && !res.writableEnded) writeOut(': ping\n\n')
      }, HEARTBEAT_MS / 3)
      heartbeat.unref()
    }

    source.on('data', (chunk: Buffer) => {
      if (ttftMs === null) ttftMs = a.now() - a.startedAt
      if (isSse) {
        const decoded = sseDecoder!.write(chunk)
        if (a.keepAuditText && auditBytes < MAX_METERED_BODY) {
          auditParts.push(decoded)
          auditBytes += chunk.length
        }
        parser!.pushText(decoded)
        const last = chunk[chunk.length - 1]
        const endsBetween = (last === 10 || last === 13) && parser!.betweenEvents()
        if (!a.stripUsageChunk) writeOut(chunk)
        else {
          // A chunk that holds whole events only (it starts and ends between events) and not the dropped usage
          // chunk goes out as it came, without re-encoding. Any other chunk: its completed events are re-framed, in
          // one write per upstream chunk, so each event still leaves before the upstream sends the next one.
          if (betweenEvents && endsBetween && !droppedInChunk) {
            kept = []
            writeOut(chunk)
          } else if (kept.length > 0) writeOut(takeKept())
          droppedInChunk = false
        }
        betweenEvents = endsBetween
      } else {
        if (bodyBytes <= MAX_METERED_BODY) bodyParts.push(chunk)
        bodyBytes += chunk.length
        writeOut(chunk)
      }
    })
    source.on('end', () => {
      // An event the stream left without its closing blank line still goes out before the end.
      if (sseDecoder && parser) {
        const rest = sseDecoder.end()
        if (rest.length > 0) {
          if (a.keepAuditText) auditParts.push(rest)
          parser.pushText(rest)
        }
      }
      parser?.end()
      const tail = takeKept()
      if (tail.length > 0 && !res.writableEnded) res.write(tail)
      if (!res.writableEnded) res.end()
      finish(false, null)
    })
    source.on('error', (err: Error & { code?: string }) => {
      if (settled) return
      if (clientGone) {
        finish(true, null)
        return
      }
      const code = err.code === 'UND_ERR_BODY_TIMEOUT' ? 'upstream_timeout' : 'upstream_error'
      const message =
        code === 'upstream_timeout'
          ? 'The upstream stopped sending data'
          : 'The upstream connection failed mid-answer'
      const status = code === 'upstream_timeout' ? 504 : 502
      if (!res.writableEnded) {
        if (isSse) {
          res.write(formatClientStreamError(surface.protocol, status, code, message))
          res.end()
        } else if (!res.headersSent) {
          // Nothing reached the client yet: an honest error instead of a 200 with a cut body.
          res.removeHeader('content-length')
          res.statusCode = status
          res.setHeader('content-type', 'application/json')
          res.end(JSON.stringify(formatClientError(surface.protocol, status, code, message)))
        } else {
          // Part of the body is out: only a broken connection tells the client it is incomplete.
          res.destroy()
        }
      }
      finish(false, code)
    })
    a.onClientClose(() => {
      if (settled || res.writableFinished) return
      clientGone = true
      upstream.body.destroy()
      decoder?.destroy()
      finish(true, null)
    })
  })
}
