import zlib from 'node:zlib'
import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import type { Surface } from '../protocol/surface.ts'
import { EXACT_SURFACE_PATHS, MODEL_ACTION_PROTOCOLS, parseModelAction } from '../protocol/protocols.ts'
import { handleProxyRequest } from '../proxy/handle-proxy-request.ts'
import { rejectBeforeProxy } from '../proxy/reject-before-proxy.ts'
import { sendProxyError } from '../proxy/send-proxy-error.ts'
import type { ProxyDeps } from '../proxy/proxy-types.ts'

/**
 * The one way into the proxy from HTTP (docs/architecture.md): the fast path (fast-proxy-path.ts) and Fastify's
 * routes (routes/proxy-routes.ts) both read a request this far and hand it over here, so behaviour never depends
 * on which entry took it.
 */

/** The query string of a request-target, for the key carrier `?key=` and Gemini's parameters. */
export function queryOf(req: { url: string }): URLSearchParams {
  const i = req.url.indexOf('?')
  return new URLSearchParams(i < 0 ? '' : req.url.slice(i + 1))
}

/** A proxied path's surface, and the model when the path names it (`/v1beta/models/{model}:{action}`). */
export interface ProxyTarget {
  surface: Surface
  pathModel?: string
}

/**
 * The surface of a plain request path (no percent-encoding, no extra segments); null when the path is not a proxied
 * one, or is one only a router that decodes paths should judge.
 */
export function findProxyTarget(path: string): ProxyTarget | null {
  const surface = EXACT_SURFACE_PATHS.get(path)
  if (surface) return { surface }
  const protocol = MODEL_ACTION_PROTOCOLS.find((p) => path.startsWith(p.paths.prefix))
  if (!protocol) return null
  const segment = path.slice(protocol.paths.prefix.length)
  if (segment.includes('/') || segment.includes('%')) return null
  const found = parseModelAction(protocol, segment)
  return found ? { surface: found.surface, pathModel: found.model } : null
}

/** Request bodies may arrive compressed; the limit applies to the decompressed size (zip bombs stop at it). */
function decodeBody(
  headers: IncomingHttpHeaders,
  raw: Buffer,
  maxBytes: number,
): Buffer | { status: number; message: string } {
  const enc = String(headers['content-encoding'] ?? 'identity').toLowerCase()
  if (enc === 'identity' || enc === '') return raw
  try {
    const opts = { maxOutputLength: maxBytes }
    if (enc === 'gzip' || enc === 'x-gzip') return zlib.gunzipSync(raw, opts)
    if (enc === 'br') return zlib.brotliDecompressSync(raw, opts)
    if (enc === 'deflate') return zlib.inflateSync(raw, opts)
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      return { status: 413, message: 'Request body is too large' }
    return { status: 400, message: 'Request body could not be decompressed' }
  }
  return { status: 415, message: `Unsupported content-encoding ${enc}` }
}

/** What both entries have read off a proxied request. */
export interface RawProxyCall {
  surface: Surface
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: Buffer
  pathModel?: string
  res: ServerResponse
  /** `performance.now()` when the request's headers arrived. */
  arrivedAt?: number
  /** The client's address as the gateway sees it (trusted proxies resolved), for the usage row and audit record. */
  ip?: string
}

/**
 * Decodes the body and hands the request to the proxy; answers 4xx itself when the body cannot be decoded. Never
 * rejects: a failure of the gateway itself is logged and answered 500 (or the connection closed, once answering
 * had begun).
 */
export async function enterProxy(proxy: ProxyDeps, maxBodyBytes: number, call: RawProxyCall): Promise<void> {
  try {
    const body = decodeBody(call.headers, call.body, maxBodyBytes)
    if (!Buffer.isBuffer(body)) {
      const code = body.status === 413 ? 'payload_too_large' : 'bad_request'
      rejectBeforeProxy(proxy, call, body.status, code, body.message)
      return
    }
    // The body is decoded now: the proxy must not see its encoding (copied only when there is one to drop; a
    // `delete` would also turn the common request's headers object into a slow dictionary).
    let headers = call.headers
    if (headers['content-encoding'] !== undefined) {
      headers = { ...headers }
      delete headers['content-encoding']
    }
    await handleProxyRequest(proxy, {
      surface: call.surface,
      method: call.method,
      url: call.url,
      query: queryOf(call),
      headers,
      body,
      pathModel: call.pathModel,
      res: call.res,
      ip: call.ip,
    })
  } catch (err) {
    proxy.logger.error({ err }, 'proxy request failed')
    if (!call.res.headersSent)
      sendProxyError(call.res, call.surface.protocol, 500, 'internal_error', 'Internal gateway error')
    else call.res.destroy()
  }
}
