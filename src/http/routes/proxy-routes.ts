import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Surface } from '../../protocol/surface.ts'
import {
  EXACT_SURFACE_PATHS,
  MODEL_ACTION_PROTOCOLS,
  modelListProtocol,
  parseModelAction,
  protocols,
} from '../../protocol/protocols.ts'
import type { ProtocolAdapter } from '../../protocol/protocol-adapter.ts'
import { CLIENT_CLOSED, type ProxyDeps } from '../../proxy/proxy-types.ts'
import { rejectBeforeProxy } from '../../proxy/reject-before-proxy.ts'
import { sendProxyError } from '../../proxy/send-proxy-error.ts'
import { listReachableModels } from '../../proxy/list-models.ts'
import { extractClientKey } from '../../proxy/extract-client-key.ts'
import { looksLikeApiKey } from '../../infra/crypto/api-key.ts'
import { principalFromSession } from '../resolve-principal.ts'
import type { AppDeps } from '../app-deps.ts'
import { enterProxy, queryOf } from '../enter-proxy.ts'

/**
 * An error answered in the client's protocol by the one protocol error writer (send-proxy-error.ts): the reply is
 * taken over and written raw, as the proxy writes its own answers.
 */
function sendProtocolError(
  reply: FastifyReply,
  surface: Surface,
  status: number,
  code: string,
  message: string,
): void {
  reply.hijack()
  sendProxyError(reply.raw, surface.protocol, status, code, message)
}

/** `Unknown Gemini method`: the 404 of a `model:action` path whose action the protocol does not have. */
const unknownMethod = (protocol: ProtocolAdapter) => `Unknown ${protocol.displayName} method`

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
        (req.routeOptions.config as { surface?: Surface }).surface ?? protocols.openai.defaultSurface
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
      await enterProxy(proxy, deps.config.MAX_BODY_BYTES, {
        surface,
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: raw,
        pathModel,
        res: reply.raw,
        arrivedAt: performance.now() - reply.elapsedTime,
        ip: req.ip,
      })
    }

    for (const [path, surface] of EXACT_SURFACE_PATHS) {
      scope.post(path, { config: { surface } }, (req, reply) => handle(req, reply, surface))
    }
    for (const protocol of MODEL_ACTION_PROTOCOLS) {
      const fallback = protocol.defaultSurface
      scope.post(`${protocol.paths.prefix}:modelAction`, { config: { surface: fallback } }, (req, reply) => {
        const found = parseModelAction(protocol, (req.params as { modelAction: string }).modelAction)
        if (!found) return sendProtocolError(reply, fallback, 404, 'not_found', unknownMethod(protocol))
        return handle(req, reply, found.surface, found.model)
      })
    }

    const whoFor = async (req: FastifyRequest, surface: Surface) => {
      const key = extractClientKey(req.headers, queryOf(req))
      if (typeof key === 'string' && looksLikeApiKey(key)) {
        const p = await proxy.keys.lookup(key, deps.clock.now())
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

    const listModels = async (req: FastifyRequest, reply: FastifyReply, protocol: ProtocolAdapter) => {
      const surface = protocol.defaultSurface
      const who = await whoFor(req, surface)
      if (!who) return sendProtocolError(reply, surface, 401, 'invalid_api_key', 'Invalid API key')
      const models = await listReachableModels(proxy.snapshot, who, deps.clock.now())
      return protocol.listModels(models)
    }
    scope.get('/v1/models', (req, reply) => listModels(req, reply, modelListProtocol(req.headers)))
    for (const protocol of MODEL_ACTION_PROTOCOLS) {
      scope.get(protocol.paths.prefix.replace(/\/$/, ''), (req, reply) => listModels(req, reply, protocol))
    }
  })
}
