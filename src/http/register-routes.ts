import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from './app-deps.ts'
import {
  parseWith,
  type ChangeRoute,
  type Invalidates,
  type RouteContext,
  type RouteDef,
} from './define-route.ts'
import type { AuthLevel } from './principal.ts'
import { resolvePrincipal } from './resolve-principal.ts'
import { satisfies, type Principal } from './principal.ts'
import { AppError } from '../domain/errors.ts'

type Ctx = RouteContext<unknown, unknown, AuthLevel>

/** Drops the declared caches; run only after the change committed, so no reader refills one with old data. */
function dropCaches<C, X>(
  deps: AppDeps,
  invalidates: Invalidates<C, X> | undefined,
  changed: C,
  ctx: X,
): void {
  if (!invalidates) return
  for (const [what, id] of Object.entries(invalidates) as [keyof typeof invalidates, unknown][]) {
    if (id === true) deps.invalidate(what)
    else if (typeof id === 'function') deps.invalidate(what, (id(changed, ctx) as string | null) ?? undefined)
  }
}

/** A declared change: prepare, then the change and its audit row in one transaction, then the caches, then the answer. */
async function runChange(def: ChangeRoute<unknown, unknown, AuthLevel, unknown, unknown>, base: Ctx) {
  const { deps } = base
  const ctx = { ...base, prepared: def.prepare ? await def.prepare(base) : undefined }
  const { audit } = def
  const changed = audit
    ? await deps.audit.change(
        (db) => def.change(ctx, db),
        (result) => ({
          actor: ctx.principal?.username ?? 'anonymous',
          action: typeof audit.action === 'string' ? audit.action : audit.action(result, ctx),
          target: audit.target?.(result, ctx),
          summary: audit.summary?.(result, ctx),
          ip: ctx.ip,
        }),
      )
    : await def.change(ctx, deps.db.db)
  dropCaches(deps, def.invalidates, changed, ctx)
  return def.reply ? def.reply(changed, ctx) : changed
}

async function runRoute(def: RouteDef, ctx: Ctx): Promise<unknown> {
  if (def.change) return runChange(def, ctx)
  const result = await def.handler(ctx)
  dropCaches(ctx.deps, def.invalidates, result, ctx)
  return result
}

/**
 * Every admin and user route goes through here: the auth policy is part of the route definition (deny unless
 * declared), then the body and query are parsed with strict schemas, then the handler (or the declared change)
 * runs.
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
        const result = await runRoute(def, {
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
