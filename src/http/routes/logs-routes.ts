import type { z } from 'zod'
import { route, type RouteDef } from '../define-route.ts'
import { paged, resolvePage } from '../../services/paging.ts'
import { resolveRange } from '../../services/stats/stats-range.ts'
import { adminLogsQuery, logsQuery, type LogsQuery } from '../../services/logs/log-queries.ts'
import { listLogs } from '../../services/logs/list-logs.ts'
import { readLogMessages } from '../../services/logs/read-log-messages.ts'

function logsRoutesFor(admin: boolean): RouteDef[] {
  const prefix = admin ? '/admin/logs' : '/user/logs'
  const auth = admin ? 'admin' : 'user'
  return [
    route({
      method: 'GET',
      url: prefix,
      auth,
      tag: 'logs',
      summary: admin
        ? 'Request logs of every user, newest first; filters model, status, token_id, username, date range'
        : 'Your request logs, newest first; filters model, status, token_id, date range',
      query: (admin ? adminLogsQuery : logsQuery) as z.ZodType<LogsQuery>,
      handler: async ({ deps, principal, query }) => {
        const page = resolvePage(query, 20)
        const range = resolveRange(
          { start: query.start_date, end: query.end_date, startField: 'start_date', endField: 'end_date' },
          query.timezone,
          deps.clock.now(),
          false,
        )
        const r = await listLogs(
          deps.db,
          {
            ...range,
            username: admin ? query.username : principal.username,
            model: query.model,
            status: query.status,
            tokenId: query.token_id,
          },
          page,
          admin,
        )
        return paged(r.data, r.total, page)
      },
    }),
    route({
      method: 'GET',
      url: `${prefix}/:id/messages`,
      auth,
      tag: 'logs',
      summary: admin
        ? 'The stored audit record of a request'
        : 'The stored audit record of one of your requests (without channel and upstream URL)',
      handler: async ({ deps, principal, params }) =>
        readLogMessages(deps.db, deps.config.DATA_DIR, params.id, { admin, username: principal.username }),
    }),
  ]
}

export const logsRoutes: RouteDef[] = [...logsRoutesFor(false), ...logsRoutesFor(true)]
