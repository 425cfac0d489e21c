import { StringDecoder } from 'node:string_decoder'
import { createStreamUsageTracker } from '../protocol/usage/track-stream-usage.ts'
import type { Usage } from '../protocol/usage/usage.ts'
import type { IError, JsonObject } from '../protocol/translate/internal-model.ts'
import { translationFailure } from '../protocol/translate/translate-error.ts'
import {
  bodyFailure,
  HEARTBEAT_MS,
  MAX_METERED_BODY,
  readUpstreamBody,
  type RelayArgs,
  type RelayOutcome,
} from './relay-response.ts'
import { scrubText } from './sanitize-upstream-error.ts'
import type { Translation } from './translate-call.ts'

type TranslatedRelayArgs = Omit<RelayArgs, 'stripUsageChunk' | 'surface'> & { translation: Translation }

/**
 * The translating relay (docs/translation.md › Proxy): like relayResponse, but the client gets the answer in its
 * own dialect. Streams are translated event by event as they arrive and written with backpressure, metered from
 * the upstream's own usage events (its surface's stream kind, on the raw upstream events); heartbeats, a client
 * that leaves and a mid-stream failure behave as on the pass-through path, the failure as the client's error
 * event. A plain answer is read whole (the client's JSON is a different document), billed from the upstream's
 * usage, and answered as the client's JSON.
 */
export function relayTranslatedResponse(a: TranslatedRelayArgs): Promise<RelayOutcome> {
  const { upstream, res, translation } = a
  const secrets = a.secrets ?? []
  const isSse = String(upstream.headers['content-type'] ?? '').includes('text/event-stream')
  const reading = readUpstreamBody(upstream)
  const cleanError = (e: IError): IError => ({ ...e, message: scrubText(e.message, secrets) })

  const streamKind = translation.upstreamSurface.streamKind
  const tracker = isSse && streamKind ? createStreamUsageTracker(streamKind) : null
  const translator = isSse
    ? translation.stream({ onUpstreamEvent: (ev) => tracker?.push(ev), cleanError })
    : null
  const sseDecoder = isSse ? new StringDecoder('utf8') : null
  if (isSse) {
    res.statusCode = 200
    res.setHeader('content-type', 'text/event-stream')
    res.setHeader('cache-control', 'no-cache')
    res.setHeader('x-accel-buffering', 'no')
    setImmediate(() => {
      if (!res.headersSent && !res.destroyed) res.flushHeaders()
    })
  }

  const auditParts: string[] = []
  let auditBytes = 0
  const bodyParts: Buffer[] = []
  let bodyBytes = 0
  let ttftMs: number | null = null
  let lastWrite = a.now()
  /** The client's JSON answer (plain), for the audit record. */
  let clientJson: JsonObject | undefined
  let usage: Usage | null = null

  let waitingDrain = false
  const onDrain = (): void => {
    waitingDrain = false
    reading.resume()
  }
  /** Writes the client's text (always whole events), pausing the upstream while the client's buffer is full. */
  const sendText = (text: string): void => {
    if (text.length === 0 || res.writableEnded) return
    lastWrite = a.now()
    if (!res.write(text) && !waitingDrain) {
      waitingDrain = true
      reading.pause()
      res.once('drain', onDrain)
    }
    if (a.keepAuditText && auditBytes < MAX_METERED_BODY) {
      auditParts.push(text)
      auditBytes += text.length
    }
  }
  /** A whole JSON answer (plain mode): the translated body, or the client's error when it cannot be translated. */
  const answerPlain = (): void => {
    let out: { status: number; body: JsonObject }
    try {
      if (bodyBytes > MAX_METERED_BODY) throw new Error('answer too large to translate')
      const text = (bodyParts.length === 1 ? bodyParts[0] : Buffer.concat(bodyParts)).toString('utf8')
      const json = JSON.parse(text) as JsonObject
      const extract = translation.upstreamSurface.extractUsage
      if (extract) usage = extract(json)
      out = { status: 200, body: translation.answer(json) }
    } catch (err) {
      out = translation.error(translationFailure(err))
    }
    clientJson = out.body
    const body = JSON.stringify(out.body)
    res.writeHead(out.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    })
    res.end(body)
    if (a.keepAuditText) auditParts.push(body)
  }

  return new Promise<RelayOutcome>((resolve) => {
    let settled = false
    let clientGone = false
    let heartbeat: NodeJS.Timeout | null = null
    const finish = (clientAborted: boolean, upstreamFailed: string | null) => {
      if (settled) return
      settled = true
      if (heartbeat) clearInterval(heartbeat)
      const stream = tracker ? tracker.result() : null
      if (stream) usage = stream.usage
      resolve({
        usage,
        stream,
        clientAborted,
        upstreamFailed,
        ttftMs,
        bodyText: a.keepAuditText ? auditParts.join('') : '',
        bodyJson: a.keepAuditText ? clientJson : undefined,
      })
    }

    if (isSse) {
      heartbeat = setInterval(() => {
        if (a.now() - lastWrite >= HEARTBEAT_MS && !res.writableEnded) sendText(': ping\n\n')
      }, HEARTBEAT_MS / 3)
      heartbeat.unref()
    }

    const onData = (chunk: Buffer): void => {
      if (ttftMs === null) ttftMs = a.now() - a.startedAt
      if (translator) sendText(translator.push(sseDecoder!.write(chunk)))
      else {
        if (bodyBytes <= MAX_METERED_BODY) bodyParts.push(chunk)
        bodyBytes += chunk.length
      }
    }
    const onEnd = (): void => {
      if (translator) {
        sendText(translator.push(sseDecoder!.end()) + translator.end())
        if (!res.writableEnded) res.end()
      } else if (!res.writableEnded) answerPlain()
      finish(false, null)
    }
    const onError = (err: Error & { code?: string }): void => {
      if (settled) return
      if (clientGone || upstream.body.abortedByClient) {
        finish(true, null)
        return
      }
      const { code, status, message } = bodyFailure(err)
      const error: IError = { status, kind: code === 'upstream_timeout' ? 'timeout' : 'server', message }
      if (!res.writableEnded) {
        if (translator) {
          sendText(translator.fail(error))
          res.end()
        } else if (!res.headersSent) {
          const out = translation.error(error)
          const body = JSON.stringify(out.body)
          res.writeHead(out.status, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          })
          res.end(body)
        } else res.destroy()
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
