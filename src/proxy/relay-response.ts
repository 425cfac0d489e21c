import type { ServerResponse } from 'node:http'
import zlib from 'node:zlib'
import { StringDecoder } from 'node:string_decoder'
import type { IncomingHttpHeaders } from 'node:http'
import type { UpstreamAnswer, UpstreamSink } from './call-upstream.ts'
import { createSseParser, type SseEvent } from '../protocol/sse/parse-sse-stream.ts'
import { encodeSseEvent, type SseLineEnd } from '../protocol/sse/encode-sse-event.ts'
import { createStreamUsageTracker, type StreamUsageResult } from '../protocol/usage/track-stream-usage.ts'
import { isUsageOnlyChunk } from '../protocol/openai/is-usage-only-chunk.ts'
import { formatClientStreamError } from '../protocol/errors/format-client-error.ts'
import { sendProxyError } from './send-proxy-error.ts'
import type { Usage } from '../protocol/usage/usage.ts'
import type { Surface } from '../protocol/surface.ts'
import { sanitizeStreamErrorEvent, scrubText } from './sanitize-upstream-error.ts'

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
export const MAX_METERED_BODY = 32 * 1024 * 1024
/**
 * The start of an event is held back until the event is complete, so an event that must go out changed (an error
 * event to sanitise, a usage chunk to drop) has not half left already. An event longer than this goes out as it
 * comes instead (no provider sends one; it bounds what one stream can make the gateway hold).
 */
const MAX_HELD_CHARS = 4 * 1024 * 1024
const LF = 10
const CR = 13

/**
 * Where the last blank line of `text` ends (the end of its last complete event block), or 0 when there is none
 * ending at or after `from`. Line ends are `\n`, `\r\n` or `\r`, as in the SSE parser.
 */
export function endOfLastBlankLine(text: string, from: number): number {
  for (let i = text.length - 1; i >= from; i--) {
    const c = text.charCodeAt(i)
    if (c !== LF && c !== CR) continue
    // `i` is the last character of a line end; the line it ends is empty when a line end comes right before it.
    const start = c === LF && i > 0 && text.charCodeAt(i - 1) === CR ? i - 1 : i
    if (start > 0) {
      const before = text.charCodeAt(start - 1)
      if (before === LF || before === CR) return i + 1
    }
    i = start
  }
  return 0
}

/** An upstream body that failed mid-answer, as the client is told: 504 when it went silent, else 502. */
export function bodyFailure(err: { code?: string }): {
  code: 'upstream_timeout' | 'upstream_error'
  status: number
  message: string
} {
  return err.code === 'UND_ERR_BODY_TIMEOUT'
    ? { code: 'upstream_timeout', status: 504, message: 'The upstream stopped sending data' }
    : { code: 'upstream_error', status: 502, message: 'The upstream connection failed mid-answer' }
}

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

export function decoderFor(
  encoding: string | undefined,
): zlib.Gunzip | zlib.BrotliDecompress | zlib.Inflate | null {
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

function passHeaders(res: ServerResponse, upstream: IncomingHttpHeaders): void {
  for (const k in upstream) {
    const v = upstream[k]
    if (v !== undefined && PASS_HEADERS.has(k)) res.setHeader(k, v)
  }
}

/** How a relay steers the upstream body it reads: pause it while the client's buffer is full, or drop it. */
export interface UpstreamReading {
  /** The body is compressed: what the client gets is the decoded bytes, of another length. */
  readonly decoded: boolean
  /** Starts reading: chunks, then the end or the error, go to `sink`. */
  start(sink: UpstreamSink): void
  pause(): void
  resume(): void
  destroy(): void
}

/**
 * Reads an upstream body into `sink`, decoded when the provider compressed it (gzip, br, deflate: SPEC §5.2).
 * Undecoded, each chunk goes to the sink as undici hands it over; decoded, through Node's zlib stream, which
 * pauses the upstream while it is full.
 */
export function readUpstreamBody(upstream: UpstreamAnswer): UpstreamReading {
  const body = upstream.body
  const decoder = decoderFor(upstream.headers['content-encoding'] as string | undefined)
  if (!decoder) {
    return {
      decoded: false,
      start: (sink) => body.attach(sink),
      pause: () => body.pause(),
      resume: () => body.resume(),
      destroy: () => body.destroy(),
    }
  }
  let paused = false
  return {
    decoded: true,
    start: (sink) => {
      decoder.on('data', (chunk: Buffer) => sink.data(chunk))
      decoder.on('end', () => sink.end())
      decoder.on('error', (err: Error & { code?: string }) => sink.error(err))
      decoder.on('drain', () => {
        if (!paused) body.resume()
      })
      body.attach({
        data: (chunk) => {
          if (!decoder.write(chunk)) body.pause()
        },
        end: () => decoder.end(),
        error: (err) => decoder.destroy(err),
      })
    },
    pause: () => {
      paused = true
      decoder.pause()
      body.pause()
    },
    resume: () => {
      paused = false
      decoder.resume()
      body.resume()
    },
    destroy: () => {
      body.destroy()
      decoder.destroy()
    },
  }
}

export interface RelayArgs {
  upstream: UpstreamAnswer
  res: ServerResponse
  surface: Surface
  /** Remove the usage-only chunk the gateway asked for on the client's behalf. */
  stripUsageChunk: boolean
  /** What the channel's error events must not show (its key, its host), on top of the general patterns. */
  secrets?: readonly string[]
  startedAt: number
  now: () => number
  keepAuditText: boolean
  onClientClose: (fn: () => void) => void
}

/**
 * Sends the upstream answer to the client as it arrives, with backpressure, metering it on the way.
 * Streams: bytes are forwarded unchanged, whole events at a time; an event goes out changed only when it is the
 * usage chunk the client did not ask for (dropped) or an error event that quotes a key, URL or internal address
 * (sanitised). Heartbeats keep idle streams open; a mid-stream failure ends with the protocol's error event. What
 * the client got is what the audit record keeps.
 */
export function relayResponse(a: RelayArgs): Promise<RelayOutcome> {
  const { upstream, res, surface } = a
  const secrets = a.secrets ?? []
  const contentType = String(upstream.headers['content-type'] ?? '')
  const isSse = contentType.includes('text/event-stream')
  /** The upstream body, paused while the client's buffer is full. */
  const reading = readUpstreamBody(upstream)

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
    if (!reading.decoded && typeof length === 'string' && /^\d+$/.test(length))
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

  let waitingDrain = false
  const onDrain = (): void => {
    waitingDrain = false
    reading.resume()
  }
  const writeOut = (chunk: Buffer | string): void => {
    lastWrite = a.now()
    if (!res.write(chunk) && !waitingDrain) {
      waitingDrain = true
      reading.pause()
      res.once('drain', onDrain)
    }
  }
  /** Stream text to the client, and to the audit record, which keeps what the client got. */
  const sendText = (text: string, raw?: Buffer): void => {
    writeOut(raw ?? text)
    if (a.keepAuditText && auditBytes < MAX_METERED_BODY) {
      auditParts.push(text)
      auditBytes += text.length
    }
  }

  /** Text received but not sent yet: the start of an event still incomplete. */
  let held = ''
  /** The stream's line end, for events that go out re-encoded. */
  let lineEnd: SseLineEnd | null = null
  /** The events the current chunk completed, as they go to the client. */
  let kept: SseEvent[] = []
  /** One of them goes out changed (or not at all): the chunk's events are re-encoded. */
  let changed = false
  /** The start of an over-long event went out as it came: it can no longer be changed. */
  let rawTail = false
  /** The previous chunk may have ended inside a character (its last byte was not ASCII). */
  let splitCharBefore = false
  const onEvent = (ev: SseEvent): void => {
    tracker?.push(ev)
    // The string form pre-filters: only a chunk with an empty `choices` array and a `usage` is parsed again.
    if (a.stripUsageChunk && isUsageOnlyChunk(ev.data)) {
      changed = true
      return
    }
    const clean = sanitizeStreamErrorEvent(ev, secrets)
    if (clean) changed = true
    kept.push(clean ?? ev)
  }
  /** Kept events re-encoded, for text that cannot go out as it came. */
  const takeKept = (): string => {
    let out = ''
    for (const ev of kept) out += encodeSseEvent(ev, lineEnd ?? '\n')
    kept = []
    return out
  }
  /**
   * Sends what `text` completes: as it came when nothing in it changes, else its events re-encoded. `complete`:
   * the whole text ends between events.
   */
  const flush = (text: string, complete: boolean, raw?: Buffer): void => {
    const cut = complete ? text.length : endOfLastBlankLine(text, Math.max(0, held.length - 1))
    if (changed && !rawTail) {
      const out = takeKept()
      if (out.length > 0) sendText(out)
    } else if (cut > 0) sendText(cut === text.length ? text : text.slice(0, cut), complete ? raw : undefined)
    kept = []
    changed = false
    if (cut > 0) rawTail = false
    held = cut === text.length ? '' : text.slice(cut)
    if (held.length > MAX_HELD_CHARS) {
      sendText(held)
      held = ''
      rawTail = true
    }
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
        // Only whole events have gone out (unless an over-long one is on its way): a ping lands between events.
        if (!rawTail && a.now() - lastWrite >= HEARTBEAT_MS && !res.writableEnded) writeOut(': ping\n\n')
      }, HEARTBEAT_MS / 3)
      heartbeat.unref()
    }

    const onData = (chunk: Buffer): void => {
      if (ttftMs === null) ttftMs = a.now() - a.startedAt
      if (isSse) {
        const decoded = sseDecoder!.write(chunk)
        if (lineEnd === null) {
          const nl = decoded.indexOf('\n')
          if (nl >= 0) lineEnd = nl > 0 && decoded.charCodeAt(nl - 1) === CR ? '\r\n' : '\n'
        }
        parser!.pushText(decoded)
        const last = chunk[chunk.length - 1]
        const endsBetween = (last === LF || last === CR) && parser!.betweenEvents()
        // The usual chunk, whole events and nothing to change, goes out as it came, without a copy — unless the
        // decoder kept the first bytes of a character from the previous chunk, which this one's text holds.
        if (held.length === 0) flush(decoded, endsBetween, splitCharBefore ? undefined : chunk)
        else flush(held + decoded, endsBetween)
        splitCharBefore = last >= 0x80
      } else {
        if (bodyBytes <= MAX_METERED_BODY) bodyParts.push(chunk)
        bodyBytes += chunk.length
        writeOut(chunk)
      }
    }
    const onEnd = (): void => {
      // An event the stream left without its closing blank line still goes out before the end.
      if (sseDecoder && parser) {
        const rest = sseDecoder.end()
        if (rest.length > 0) parser.pushText(rest)
        parser.end()
        const text = held + rest
        if ((text.length > 0 || changed) && !res.writableEnded) flush(text, true)
      }
      if (!res.writableEnded) res.end()
      finish(false, null)
    }
    const onError = (err: Error & { code?: string }): void => {
      if (settled) return
      if (clientGone || upstream.body.abortedByClient) {
        finish(true, null)
        return
      }
      const { code, message, status } = bodyFailure(err)
      if (!res.writableEnded) {
        if (isSse) {
          // The start of an event left incomplete is dropped: the error event follows whole events only.
          held = ''
          sendText(formatClientStreamError(surface.protocol, status, code, scrubText(message, secrets)))
          res.end()
        } else if (!res.headersSent) {
          // Nothing reached the client yet: an honest error instead of a 200 with a cut body.
          sendProxyError(res, surface.protocol, status, code, message)
        } else {
          // Part of the body is out: only a broken connection tells the client it is incomplete.
          res.destroy()
        }
      }
      finish(false, code)
    }
    a.onClientClose(() => {
      if (settled || res.writableFinished) return
      clientGone = true
      reading.destroy()
      finish(true, null)
    })
    reading.start({ data: onData, end: onEnd, error: onError })
  })
}
