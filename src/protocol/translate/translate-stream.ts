import { createSseParser, type SseEvent } from '../sse/parse-sse-stream.ts'
import type { DialectCodec, ResponseEncodeContext } from './dialect-codec.ts'
import type { IError, IStreamEvent } from './internal-model.ts'
import { translationFailure } from './translate-error.ts'

/** Turns an upstream stream's text, as it arrives, into the client's SSE text to write at once. */
export interface StreamTranslator {
  /** Upstream text (already decoded from UTF-8) → the client's text now due ('' when nothing is). */
  push(text: string): string
  /** The upstream ended: what is still due. A stream cut before its last event ends with the client's error event. */
  end(): string
  /** A failure mid-stream (the connection, a timeout): closes what is open and sends the client's error event. */
  fail(error: IError): string
  /** The client's stream is complete (its last event or its error event was produced). */
  readonly done: boolean
}

export interface StreamTranslatorOptions {
  /** Each upstream event as parsed, for metering with the upstream's own usage reader. */
  onUpstreamEvent?: (ev: SseEvent) => void
  /** Applied to an upstream error before the client sees it (the caller scrubs secrets from its message). */
  cleanError?: (e: IError) => IError
}

const CUT: IError = {
  status: 502,
  kind: 'server',
  message: 'The upstream stream ended before its last event',
}

/**
 * upstream SSE text → parse-sse-stream → the upstream codec's StreamDecoder → the client codec's StreamEncoder →
 * text. Nothing is held back here beyond an incomplete event; the encoders hold only what their dialect requires
 * (docs/translation.md › Streams). A failure to translate an event ends the client's stream with its error event.
 */
export function createStreamTranslator(
  upstream: DialectCodec,
  client: DialectCodec,
  ctx: ResponseEncodeContext,
  opts: StreamTranslatorOptions = {},
): StreamTranslator {
  const decoder = upstream.createStreamDecoder()
  const encoder = client.createStreamEncoder(ctx)
  const clean = opts.cleanError
  let done = false
  let out = ''

  const emit = (events: IStreamEvent[]): void => {
    for (const ev of events) {
      if (done) return
      if (ev.type === 'error') {
        out += encoder.push(clean ? { type: 'error', error: clean(ev.error) } : ev)
        done = true
      } else {
        out += encoder.push(ev)
        if (ev.type === 'end') done = true
      }
    }
  }
  /** Runs one step; a refusal or a codec failure becomes the client's error event and ends the stream. */
  const guarded = (step: () => void): void => {
    try {
      step()
    } catch (err) {
      if (done) return
      done = true
      out += client.encodeStreamError(translationFailure(err))
    }
  }
  const parser = createSseParser((ev) => {
    opts.onUpstreamEvent?.(ev)
    if (!done) guarded(() => emit(decoder.push(ev)))
  })
  const take = (): string => {
    const text = out
    out = ''
    return text
  }

  return {
    push(text) {
      parser.pushText(text)
      return take()
    },
    end() {
      parser.end()
      guarded(() => emit(decoder.end()))
      if (!done) guarded(() => emit([{ type: 'error', error: CUT }]))
      return take()
    },
    fail(error) {
      guarded(() => emit([{ type: 'error', error }]))
      return take()
    },
    get done() {
      return done
    },
  }
}
