import { z } from 'zod'
import { pageQuery } from '../../contracts/common.ts'
import { freezeBody } from '../../contracts/tokens.ts'
import { route, type RouteContext } from '../define-route.ts'
import { paged, resolvePage } from '../../services/paging.ts'
import {
  deleteToken,
  getOwnedToken,
  listTokens,
  serializeToken,
  setTokenFrozen,
} from '../../services/tokens/token-service.ts'
import type { AppDeps } from '../app-deps.ts'

const tokenDeps = (deps: AppDeps) => ({ db: deps.db.db, clock: deps.clock })

/** An admin's freeze or unfreeze of any key, audited in the change's transaction (recorded as an admin's). */
async function adminSetFrozen(
  {
    deps,
    params,
    principal,
    ip,
  }: Pick<RouteContext<unknown, unknown, 'admin'>, 'deps' | 'params' | 'principal' | 'ip'>,
  frozen: boolean,
) {
  const t = await deps.audit.change(
    (db) =>
      setTokenFrozen(
        { ...tokenDeps(deps), db },
        params.id,
        { username: principal.username, admin: true },
        frozen,
      ),
    (t) => ({
      actor: principal.username,
      action: frozen ? 'token.freeze' : 'token.unfreeze',
      target: params.id,
      summary: { owner: t.username, name: t.name },
      ip,
    }),
  )
  deps.invalidate('tokens', params.id)
  return t
}

export const adminTokenRoutes = [
  route({
    method: 'GET',
    url: '/admin/tokens',
    auth: 'admin',
    tag: 'admin',
    summary: "Every user's API keys (prefix only)",
    query: pageQuery.extend({ username: z.string().max(256).optional(), q: z.string().max(200).optional() }),
    handler: async ({ deps, query }) => {
      const page = resolvePage(query, 50)
      const r = await listTokens(tokenDeps(deps), { username: query.username, q: query.q }, page)
      return paged(r.data, r.total, page)
    },
  }),
  route({
    method: 'GET',
    url: '/admin/tokens/:id',
    auth: 'admin',
    tag: 'admin',
    summary: 'One key',
    handler: async ({ deps, params }) =>
      serializeToken(await getOwnedToken(tokenDeps(deps), params.id, null)),
  }),
  route({
    method: 'POST',
    url: '/admin/tokens/:id/freeze',
    auth: 'admin',
    tag: 'admin',
    summary: "Freeze any user's key (a leaked key must be stoppable)",
    body: freezeBody,
    handler: (ctx) => adminSetFrozen(ctx, ctx.body?.frozen ?? true),
  }),
  route({
    method: 'PATCH',
    url: '/admin/tokens/:id/freeze',
    auth: 'admin',
    tag: 'admin',
    summary: "Unfreeze any user's key",
    body: freezeBody,
    handler: (ctx) => adminSetFrozen(ctx, ctx.body?.frozen ?? false),
  }),
  route({
    method: 'DELETE',
    url: '/admin/tokens/:id',
    auth: 'admin',
    tag: 'admin',
    summary: "Revoke (delete) any user's key",
    status: 204,
    handler: async ({ deps, params, principal, ip }) => {
      await deps.audit.change(
        (db) => deleteToken({ ...tokenDeps(deps), db }, params.id, null),
        (row) => ({
          actor: principal.username,
          action: 'token.revoke',
          target: params.id,
          summary: { owner: row.username, name: row.name, key_prefix: row.key_prefix },
          ip,
        }),
      )
      deps.invalidate('tokens', params.id)
    },
  }),
]
