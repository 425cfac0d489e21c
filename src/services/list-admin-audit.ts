import type { Kysely } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import { parseJson, toIso } from '../infra/db/convert-row-values.ts'
import { selectPage } from '../infra/db/select-page.ts'
import type { Page } from './paging.ts'

/** Admin actions, newest first; `action` matches a prefix (`user.` lists every user change). */
export function listAdminAudit(
  db: Kysely<Database>,
  filter: { actor?: string; action?: string },
  page: Page,
) {
  let q = db.selectFrom('admin_audit')
  if (filter.actor) q = q.where('actor', '=', filter.actor)
  if (filter.action) q = q.where('action', 'like', `${filter.action}%`)
  return selectPage(
    q,
    (f) => f.selectAll().orderBy('created_at', 'desc').orderBy('id'),
    page,
    (r) => ({
      ...r,
      summary: parseJson<unknown>(r.summary, null),
      created_at: toIso(r.created_at),
    }),
  )
}
