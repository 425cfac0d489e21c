import type { IncomingHttpHeaders } from 'node:http'
import type { Dispatcher } from 'undici'
import type { ClientGoneSignal } from './client-gone-signal.ts'

/** Where an upstream body goes as it arrives. */
export interface UpstreamSink {
  data(chunk: Buffer): void
  end(): void
  error(err: Error & { code?: string }): void
}

/** What an upstream body's producer lets its reader do: the undici request's controller, or a test's stream. */
export interface UpstreamFlow {
  pause(): void
  resume(): void
  abort(reason: Error): void
}

/** An answer's status and headers, and its body still arriving. */
export interface UpstreamAnswer {
  statusCode: number
  headers: IncomingHttpHeaders
  body: UpstreamBody
}

/** The error a body ends with when the gateway dropped the request because its client left. */
export class ClientGoneError extends Error {
  readonly code = 'UND_ERR_ABORTED'
  constructor() {
    super('The client closed the request')
    this.name = 'AbortError'
  }
}

/**
 * The body of an upstream answer, handed chunk by chunk to one reader (`attach`). Chunks that arrive before the
 * reader attaches (the headers and the first bytes often come in one packet) wait in a short queue. No Readable
 * stream in between: each chunk is a function call, and pausing is the connection's own (docs/architecture.md ›
 * One request, step 8).
 */
export class UpstreamBody {
  #flow: UpstreamFlow | null
  #sink: UpstreamSink | null = null
  #queue: Buffer[] | null = null
  /** The body ended (null error) or failed before the reader attached, or while its queue is being delivered. */
  #ending: { error: (Error & { code?: string }) | null } | null = null
  #done = false
  #paused = false
  /** The gateway dropped the request because the client left: the error the body ends with is not the upstream's. */
  abortedByClient = false

  constructor(flow: UpstreamFlow | null) {
    this.#flow = flow
  }

  /** The producer's side: a chunk arrived. */
  push(chunk: Buffer): void {
    if (this.#done) return
    if (this.#sink !== null && this.#queue === null) this.#sink.data(chunk)
    else (this.#queue ??= []).push(chunk)
  }

  /** The producer's side: the body ended, or failed with `error`. */
  finish(error: (Error & { code?: string }) | null): void {
    if (this.#done || this.#ending !== null) return
    this.#ending = { error }
    if (this.#sink !== null && this.#queue === null) this.#deliverEnd()
  }

  /** The reader: every chunk from now on, then the end or the error. */
  attach(sink: UpstreamSink): void {
    this.#sink = sink
    this.#drainQueue()
  }

  /** Stops the producer until `resume` (the reader's own buffer is full). */
  pause(): void {
    this.#paused = true
    this.#flow?.pause()
  }

  resume(): void {
    if (!this.#paused) return
    this.#paused = false
    this.#drainQueue()
    if (!this.#paused) this.#flow?.resume()
  }

  /** Drops the request: nothing more is read, and the producer's connection is closed. */
  destroy(reason: Error = new ClientGoneError()): void {
    if (this.#done) return
    this.#queue = null
    if (this.#ending === null) this.#flow?.abort(reason)
    this.#done = true
  }

  get ended(): boolean {
    return this.#done
  }

  /** The whole body as text, at most `limit` bytes of it kept (an error answer, read before failover). */
  text(limit = 1024 * 1024): Promise<string> {
    return new Promise((resolve) => {
      const parts: Buffer[] = []
      let size = 0
      const done = () => resolve(Buffer.concat(parts).toString('utf8'))
      this.attach({
        data: (chunk) => {
          if (size >= limit) return
          const kept = size + chunk.length > limit ? chunk.subarray(0, limit - size) : chunk
          parts.push(kept)
          size += kept.length
        },
        end: done,
        error: done,
      })
    })
  }

  #drainQueue(): void {
    const sink = this.#sink
    if (sink === null) return
    while (this.#queue !== null && !this.#paused) {
      const chunk = this.#queue.shift()
      if (this.#queue.length === 0) this.#queue = null
      if (chunk !== undefined) sink.data(chunk)
    }
    if (this.#queue === null && !this.#paused && this.#ending !== null) this.#deliverEnd()
  }

  #deliverEnd(): void {
    if (this.#done || this.#ending === null) return
    this.#done = true
    const { error } = this.#ending
    if (error) this.#sink?.error(error)
    else this.#sink?.end()
  }
}

/** An error of the upstream call that is not an Error (undici always gives one; this is a guard). */
function asError(err: unknown): Error & { code?: string } {
  return err instanceof Error ? err : new Error(String(err))
}

/**
 * One upstream request through undici's `dispatch` with the gateway's own handler: the answer resolves once its
 * status and headers are in; its body then flows to whoever reads it, with the connection paused while that reader
 * waits (back-pressure). Cheaper than `request` (no Readable body, no async resource, no abort-signal plumbing;
 * docs/architecture.md › One request). The client leaving aborts the request, before the answer and after it; the
 * body then ends with a ClientGoneError and `abortedByClient` set. Rejects when the request fails before its answer.
 */
export function callUpstream(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  clientGone: ClientGoneSignal,
): Promise<UpstreamAnswer> {
  return new Promise<UpstreamAnswer>((resolve, reject) => {
    if (clientGone.aborted) {
      reject(new ClientGoneError())
      return
    }
    let controller: Dispatcher.DispatchController | null = null
    let answer: UpstreamAnswer | null = null
    let settled = false
    const onGone = (): void => {
      if (answer) answer.body.abortedByClient = true
      const error = new ClientGoneError()
      if (controller) controller.abort(error)
      else if (!settled) {
        // Still queued for a connection: nothing was sent; the request is dropped when it gets one.
        settled = true
        reject(error)
      }
    }
    clientGone.once('abort', onGone)
    const stop = (): void => {
      clientGone.removeListener('abort', onGone)
    }
    const flow: UpstreamFlow = {
      pause: () => controller?.pause(),
      resume: () => controller?.resume(),
      abort: (reason) => {
        if (answer && reason instanceof ClientGoneError) answer.body.abortedByClient = true
        controller?.abort(reason)
      },
    }
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c
        if (settled || clientGone.aborted) c.abort(new ClientGoneError())
      },
      onResponseStart(_c, statusCode, headers) {
        // Informational answers (100 Continue, 103 Early Hints) precede the real one.
        if (statusCode < 200 || settled) return
        settled = true
        answer = { statusCode, headers, body: new UpstreamBody(flow) }
        resolve(answer)
      },
      onResponseData(_c, chunk) {
        answer?.body.push(chunk)
      },
      onResponseEnd() {
        stop()
        answer?.body.finish(null)
      },
      onResponseError(_c, err) {
        stop()
        if (answer) answer.body.finish(asError(err))
        else if (!settled) {
          settled = true
          reject(asError(err))
        }
      },
    }
    dispatcher.dispatch(options, handler)
  })
}
