import type http from 'node:http'

export interface SlowRequestBounds {
  /** Close a connection whose unfinished request (headers read, body not complete) sends nothing for this long; 0 = off. */
  idleMs: number
  /** Close a connection that has not sent a request's complete headers within this long; 0 = off. */
  headersMs: number
}

/**
 * Slow-loris defence (docs/security.md, "slow uploads"). Node's own request timeout counts the whole request, which
 * would cut a slow but steady large upload, and a socket timeout for the whole connection would cut a long streamed
 * answer or a provider that thinks for minutes before its first byte. So the server bounds only the time to the
 * end of the headers, and `watchRequestBody` bounds the silence while the body is still arriving; once the body is
 * complete nothing limits how long the answer may take.
 */
export function boundSlowRequests(server: http.Server, bounds: SlowRequestBounds): void {
  server.requestTimeout = 0
  server.headersTimeout = bounds.headersMs
  server.setTimeout(0)
}

/** Arms the idle bound for one request until its body is complete (or the request goes away). */
export function watchRequestBody(req: http.IncomingMessage, idleMs: number): void {
  if (idleMs <= 0 || req.complete) return
  const socket = req.socket
  // A listener on the request's 'timeout' tells Node not to destroy the socket itself; we do it here so that the
  // handler sees the body end with an abort, as when the client goes away.
  const onTimeout = () => socket.destroy()
  const disarm = () => {
    socket.setTimeout(0)
    req.off('timeout', onTimeout)
  }
  req.on('timeout', onTimeout)
  req.once('end', disarm)
  req.once('close', disarm)
  socket.setTimeout(idleMs)
}
