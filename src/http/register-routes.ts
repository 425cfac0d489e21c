import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from './app-deps.ts'
import { parseWith, type RouteDef } from './define-route.ts'
import { resolvePrincipal } from './resolve-principal.ts'
import { satisfies, type Principal } from './principal.ts'
import { AppError } from '../domain/errors.ts'

/**
 * Every admin and user route goes through here: the auth policy is part of the route definition (deny unless
 * declared), then the body and query are parsed with strict schemas, then the handler runs.
 */
export function registerRoutes(app: FastifyInstance, deps: AppDeps, routes: RouteDef[]): void {
  for (const def of routes) {
    app.route({
      method: def.method,
      url: def.url,
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        let principal: Principal | undefined
        if (def.auth !== 'public') {
          principal = await resolvePrincipal(deps, req, def.auth)
          if (!satisfies(principal, def.auth)) throw new AppError('forbidden', 'Permission denied')
        }
        const body = def.body ? parseWith(def.body, req.body ?? undefined, 'body') : undefined
        const query = def.query ? parseWith(def.query, req.query, 'query') : {}
        const result = await def.handler({
          deps,
          req,
          reply,
          principal: principal as Principal,
          body,
          query,
          params: req.params as Record<string, string>,
          ip: req.ip,
        })
        if (reply.sent) return reply
        const status = reply.statusCode !== 200 ? reply.statusCode : (def.status ?? 200)
        if (status === 204) return reply.code(204).send()
        return reply.code(status).send(result)
      },
    })
  }
}
