import { z } from 'zod'
import { pageQuery } from '../../contracts/common.ts'
import { issueKeyBody } from '../../contracts/keys.ts'
import { param, route } from '../define-route.ts'
import { paged, resolvePage } from '../../services/paging.ts'
import { deleteKey, getOwnedKey, issueKey, listKeys, serializeKey } from '../../services/keys/key-service.ts'
import { listOf, keyView } from '../../contracts/responses.ts'
import type { AppDeps } from '../app-deps.ts'
import { freezeKeyRoute } from './freeze-key-route.ts'

const keyDeps = (deps: AppDeps) => ({ db: deps.db.db, clock: deps.clock })
const byId = param('id')

export const adminKeyRoutes = [
  route({
    method: 'GET',
    url: '/admin/tokens',
    response: listOf(keyView),
    auth: 'admin',
    tag: 'admin',
    summary: "Every user's API keys (prefix only)",
    query: pageQuery.extend({ username: z.string().max(256).optional(), q: z.string().max(200).optional() }),
    handler: async ({ deps, query }) => {
      const page = resolvePage(query, 50)
      const r = await listKeys(keyDeps(deps), { username: query.username, q: query.q }, page)
      return paged(r.data, r.total, page)
    },
  }),
  route({
    method: 'POST',
    url: '/admin/tokens',
    response: keyView,
    auth: 'admin',
    tag: 'admin',
    summary: 'Issue a key for a user; the plaintext `key` is returned in this response only',
    body: issueKeyBody,
    status: 201,
    change: ({ deps, body }, db) => issueKey({ ...keyDeps(deps), db }, body),
    // Never the key itself: its prefix is how the owner and the audit recognise it.
    audit: {
      action: 'token.issue',
      target: (t) => t.id,
      summary: (t) => ({ owner: t.username, name: t.name, key_prefix: t.key_prefix }),
    },
  }),
  route({
    method: 'GET',
    url: '/admin/tokens/:id',
    response: keyView,
    auth: 'admin',
    tag: 'admin',
    summary: 'One key',
    handler: async ({ deps, params }) => serializeKey(await getOwnedKey(keyDeps(deps), params.id, null)),
  }),
  freezeKeyRoute('admin', 'POST', "Freeze any user's key (a leaked key must be stoppable)", true),
  freezeKeyRoute('admin', 'PATCH', "Unfreeze any user's key", false),
  route({
    method: 'DELETE',
    url: '/admin/tokens/:id',
    auth: 'admin',
    tag: 'admin',
    summary: "Revoke (delete) any user's key",
    status: 204,
    change: ({ deps, params }, db) => deleteKey({ ...keyDeps(deps), db }, params.id, null),
    audit: {
      action: 'token.revoke',
      target: byId,
      summary: (row) => ({ owner: row.username, name: row.name, key_prefix: row.key_prefix }),
    },
    invalidates: { keys: byId },
  }),
]
