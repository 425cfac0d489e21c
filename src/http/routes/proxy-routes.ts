import zlib from 'node:zlib'
import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ANTHROPIC_SURFACES, GEMINI_SURFACES, OPENAI_SURFACES, type Surface } from '../../proxy/surfaces.ts'
import {
  CLIENT_CLOSED,
  handleProxyRequest,
  rejectBeforeProxy,
  type ProxyDeps,
} from '../../proxy/handle-proxy-request.ts'
import { listReachableModels, toAnthropicList, toGeminiList, toOpenAiList } from '../../proxy/list-models.ts'
import { extractClientKey } from '../../proxy/extract-client-key.ts'
import { looksLikeApiKey } from '../../infra/crypto/api-key.ts'
import { formatClientError } from '../../protocol/errors/format-client-error.ts'
import { principalFromSession } from '../resolve-principal.ts'
import type { AppDeps } from '../app-deps.ts'

function queryOf(req: { url: string }): URLSearchParams {
  const i = req.url.indexOf('?')
  return new URLSearchParams(i < 0 ? '' : req.url.slice(i + 1))
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

function sendProtocolError(
  reply: FastifyReply,
  surface: Surface,
  status: number,
  code: string,
  message: string,
) {
  return reply
    .code(status)
    .header('content-type', 'application/json')
    .send(JSON.stringify(formatClientError(surface.protocol, status, code, message)))
}

/** The same error, written to a raw response (the fast path has no Fastify reply). */
export function sendRawProtocolError(
  res: ServerResponse,
  surface: Surface,
  status: number,
  code: string,
  message: string,
): void {
  const body = JSON.stringify(formatClientError(surface.protocol, status, code, message))
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

/** What both entries (Fastify's routes and the raw fast path) have read off a proxied request. */
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
}

/** Decodes the body and hands the request to the proxy; answers 4xx itself when the body cannot be decoded. */
export async function runProxyCall(
  proxy: ProxyDeps,
  maxBodyBytes: number,
  call: RawProxyCall,
): Promise<void> {
  const body = decodeBody(call.headers, call.body, maxBodyBytes)
  if (!Buffer.isBuffer(body)) {
    rejectBeforeProxy(
      proxy,
      call,
      body.status,
      body.status === 413 ? 'payload_too_large' : 'bad_request',
      body.message,
    )
    return
  }
  const headers = { ...call.headers }
  delete headers['content-encoding']
  await handleProxyRequest(proxy, {
    surface: call.surface,
    method: call.method,
    url: call.url,
    query: queryOf(call),
    headers,
    body,
    pathModel: call.pathModel,
    res: call.res,
  })
}

/** `model:action` of a Gemini path segment → the surface and the model; null for an unknown action. */
export function parseGeminiAction(modelAction: string): { surface: Surface; model: string } | null {
  const i = modelAction.lastIndexOf(':')
  const surface = i > 0 ? GEMINI_SURFACES[modelAction.slice(i + 1)] : undefined
  return surface ? { surface, model: modelAction.slice(0, i) } : null
}

/**
 * The AI surfaces. Bodies are taken as raw bytes (never validated or re-serialised here: they belong to the
 * provider's protocol), and the response is written to the raw socket by the relay.
 */
export async function registerProxyRoutes(
  app: FastifyInstance,
  deps: AppDeps,
  proxy: ProxyDeps,
): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: deps.config.MAX_BODY_BYTES },
      (_req, body, done) => done(null, body),
    )
    scope.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
      const surface =
        (req.routeOptions.config as { surface?: Surface }).surface ?? OPENAI_SURFACES['chat/completions']
      // A client that leaves during its upload is recorded as 499 and not answered, as on the fast path.
      const status =
        err.code === 'ECONNRESET' && req.method === 'POST'
          ? CLIENT_CLOSED
          : err.statusCode && err.statusCode >= 400 && err.statusCode < 500
            ? err.statusCode
            : 500
      if (status === 500) req.log.error({ err }, 'proxy route failed')
      const code = status === 413 ? 'payload_too_large' : status === 500 ? 'internal_error' : 'bad_request'
      const message = status === 500 ? 'Internal gateway error' : err.message
      // Model lists are not proxied requests: they keep a plain answer and no audit record.
      if (req.method !== 'POST') return sendProtocolError(reply, surface, status, code, message)
      reply.hijack()
      if (reply.raw.headersSent) {
        // The proxy had already answered (and audited); only the connection can still say it failed.
        reply.raw.destroy()
        return
      }
      // Headers Fastify set for this failure go out too: `connection: close` after a body over the limit, so the
      // rest of an endless upload is not read.
      for (const [name, value] of Object.entries(reply.getHeaders()))
        if (value !== undefined) reply.raw.setHeader(name, value)
      rejectBeforeProxy(
        proxy,
        {
          surface,
          method: req.method,
          url: req.url,
          headers: req.headers,
          res: reply.raw,
          arrivedAt: performance.now() - reply.elapsedTime,
        },
        status,
        code,
        message,
      )
    })

    const handle = async (req: FastifyRequest, reply: FastifyReply, surface: Surface, pathModel?: string) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
      reply.hijack()
      await runProxyCall(proxy, deps.config.MAX_BODY_BYTES, {
        surface,
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: raw,
        pathModel,
        res: reply.raw,
        arrivedAt: performance.now() - reply.elapsedTime,
      })
    }

    for (const [path, surface] of Object.entries(OPENAI_SURFACES)) {
      scope.post(`/v1/${path}`, { config: { surface } }, (req, reply) => handle(req, reply, surface))
    }
    for (const [path, surface] of Object.entries(ANTHROPIC_SURFACES)) {
      scope.post(`/v1/${path}`, { config: { surface } }, (req, reply) => handle(req, reply, surface))
    }
    scope.post(
      '/v1beta/models/:modelAction',
      { config: { surface: GEMINI_SURFACES.generateContent } },
      (req, reply) => {
        const found = parseGeminiAction((req.params as { modelAction: string }).modelAction)
        if (!found)
          return sendProtocolError(
            reply,
            GEMINI_SURFACES.generateContent,
            404,
            'not_found',
            'Unknown Gemini method',
          )
        return handle(req, reply, found.surface, found.model)
      },
    )

    const whoFor = async (req: FastifyRequest, surface: Surface) => {
      const key = extractClientKey(req.headers, queryOf(req))
      if (typeof key === 'string' && looksLikeApiKey(key)) {
        const p = await proxy.tokens.lookup(key, deps.clock.now())
        if (!p || p.frozen || p.userDisabled || (p.expiresAt !== null && p.expiresAt < deps.clock.now()))
          return null
        return { username: p.username, role: p.role, groupId: p.groupId, allowedModels: p.allowedModels }
      }
      // The dashboard's chat playground lists models with its session JWT.
      if (typeof key === 'string' && surface.protocol === 'openai') {
        const user = await principalFromSession(deps, key)
        if (user) return { username: user.username, role: user.role, groupId: null, allowedModels: null }
      }
      return null
    }

    scope.get('/v1/models', async (req, reply) => {
      const anthropic = req.headers['anthropic-version'] !== undefined
      const surface = anthropic ? ANTHROPIC_SURFACES.messages : OPENAI_SURFACES['chat/completions']
      const who = await whoFor(req, surface)
      if (!who) return sendProtocolError(reply, surface, 401, 'invalid_api_key', 'Invalid API key')
      const models = await listReachableModels(proxy.snapshot, who, deps.clock.now())
      return anthropic
        ? toAnthropicList(models.filter((m) => m.provider === 'anthropic'))
        : toOpenAiList(models)
    })
    scope.get('/v1beta/models', async (req, reply) => {
      const who = await whoFor(req, GEMINI_SURFACES.generateContent)
      if (!who)
        return sendProtocolError(
          reply,
          GEMINI_SURFACES.generateContent,
          401,
          'invalid_api_key',
          'Invalid API key',
        )
      const models = await listReachableModels(proxy.snapshot, who, deps.clock.now())
      return toGeminiList(models.filter((m) => m.provider === 'gemini'))
    })
  })
}
