import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Surface } from '../protocol/surface.ts'
import { CLIENT_CLOSED, type ProxyDeps } from '../proxy/proxy-types.ts'
import { rejectBeforeProxy } from '../proxy/reject-before-proxy.ts'
import { isBadHost } from './is-bad-host.ts'
import { enterProxy, findProxyTarget } from './enter-proxy.ts'

function refuseTooLarge(
  proxy: ProxyDeps,
  surface: Surface,
  req: IncomingMessage,
  res: ServerResponse,
  arrivedAt: number,
): void {
  rejectBeforeProxy(
    proxy,
    { surface, method: 'POST', url: req.url ?? '', headers: req.headers, res, arrivedAt },
    413,
    'payload_too_large',
    'Request body is too large',
  )
}

/**
 * The proxied POSTs taken straight off the HTTP server, before Fastify: routing a request through Fastify's
 * router, hooks, request/reply objects and body parser cost a sizeable share of the gateway's CPU per request,
 * and the proxy uses none of them (it writes the raw response). Anything unusual — an encoded or odd path, a
 * suspicious Host, trusted proxies to resolve — is left to Fastify's identical routes, so behaviour never
 * depends on which entry took the request. Returns false when Fastify should handle the request.
 */
export function createFastProxyPath(proxy: ProxyDeps, maxBodyBytes: number) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'POST' || !req.url) return false
    if (isBadHost(req.headers.host)) return false
    const q = req.url.indexOf('?')
    const target = findProxyTarget(q < 0 ? req.url : req.url.slice(0, q))
    if (!target) return false
    const url = req.url
    const arrivedAt = performance.now()

    const declared = Number(req.headers['content-length'])
    if (declared > maxBodyBytes) {
      refuseTooLarge(proxy, target.surface, req, res, arrivedAt)
      req.resume()
      return true
    }
    const chunks: Buffer[] = []
    let size = 0
    let refused = false
    /** The whole body arrived and went to the proxy, which records what happens from then on. */
    let received = false
    req.on('data', (chunk: Buffer) => {
      if (refused) return
      size += chunk.length
      if (size > maxBodyBytes) {
        refused = true
        res.setHeader('connection', 'close')
        refuseTooLarge(proxy, target.surface, req, res, arrivedAt)
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (refused) return
      received = true
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)
      void enterProxy(proxy, maxBodyBytes, {
        surface: target.surface,
        method: 'POST',
        url,
        headers: req.headers,
        body,
        pathModel: target.pathModel,
        res,
        arrivedAt,
        // No trusted proxies on this path (app.ts): the socket's peer is the client.
        ip: req.socket.remoteAddress,
      })
    })
    // A client that goes away while sending leaves nothing to answer, but its request is recorded (499).
    req.on('error', () => {
      if (refused || received) return res.destroy()
      refused = true
      rejectBeforeProxy(
        proxy,
        { surface: target.surface, method: 'POST', url, headers: req.headers, res, arrivedAt },
        CLIENT_CLOSED,
        'bad_request',
        'Client closed the request during the upload',
      )
    })
    return true
  }
}
