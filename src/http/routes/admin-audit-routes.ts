import { z } from 'zod'
import { pageQuery } from '../../contracts/common.ts'
import { route } from '../define-route.ts'
import { paged, resolvePage } from '../../services/paging.ts'
import { auditEntry, listOf } from '../../contracts/responses.ts'
import { parseJson, toIso, toNum } from '../../infra/db/convert-row-values.ts'

export const adminAuditRoutes = [
  route({
    method: 'GET',
    url: '/admin/audit',
    response: listOf(auditEntry),
    auth: 'admin',
    tag: 'audit',
    summary: 'Admin actions, newest first',
    query: pageQuery.extend({
      actor: z.string().max(256).optional(),
      action: z.string().max(100).optional(),
    }),
    handler: async ({ deps, query }) => {
      const page = resolvePage(query, 50)
      let q = deps.db.db.selectFrom('admin_audit')
      if (query.actor) q = q.where('actor', '=', query.actor)
      if (query.action) q = q.where('action', 'like', `${query.action}%`)
      const [rows, count] = await Promise.all([
        q
          .selectAll()
          .orderBy('created_at', 'desc')
          .orderBy('id')
          .limit(page.limit)
          .offset(page.offset)
          .execute(),
        q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
      ])
      const data = rows.map((r) => ({
        ...r,
        summary: parseJson<unknown>(r.summary, null),
        created_at: toIso(r.created_at),
      }))
      return paged(data, toNum(count.n), page)
    },
  }),
]
