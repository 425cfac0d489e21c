import diagnosticsChannel from 'node:diagnostics_channel'

/**
 * Whether an upstream request has left the gateway: undici reports on its `undici:request:bodySent` channel when
 * the whole request (headers and body) was handed to the provider's connection. A client that leaves after that
 * point has cost the provider its prompt; one that leaves before it (still connecting, still queued) has cost
 * nothing.
 *
 * The report names undici's own request object, whose `body` is the very buffer the gateway passed in: that buffer
 * is the key. An empty body is not kept by undici (nor would its prompt cost anything), so it is never reported.
 */
const waiting = new WeakMap<object, () => void>()
let subscribed = false

function onBodySent(message: unknown): void {
  const body = (message as { request?: { body?: unknown } } | null)?.request?.body
  if (body === null || typeof body !== 'object') return
  const done = waiting.get(body)
  if (!done) return
  waiting.delete(body)
  done()
}

/**
 * Calls `onSent` once the request carrying `body` (this exact buffer) has been written to the provider's
 * connection. Returns the function that stops listening (call it when the attempt is over).
 */
export function whenBodySent(body: Buffer, onSent: () => void): () => void {
  if (!subscribed) {
    diagnosticsChannel.subscribe('undici:request:bodySent', onBodySent)
    subscribed = true
  }
  waiting.set(body, onSent)
  return () => {
    if (waiting.get(body) === onSent) waiting.delete(body)
  }
}
