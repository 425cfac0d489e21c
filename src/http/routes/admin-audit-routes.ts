import { z } from 'zod'
import { pageQuery } from '../../contracts/common.ts'
import { route } from '../define-route.ts'
import { listPage } from '../../services/paging.ts'
import { auditEntry, listOf } from '../../contracts/responses.ts'
import { listAdminAudit } from '../../services/list-admin-audit.ts'

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
    handler: ({ deps, query }) =>
      listPage(query, 50, (page) =>
        listAdminAudit(deps.db.db, { actor: query.actor, action: query.action }, page),
      ),
  }),
]
