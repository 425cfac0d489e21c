import type { z } from 'zod'
import { route, type RouteDef } from '../define-route.ts'
import { listPage } from '../../services/paging.ts'
import { resolveRange } from '../../services/stats/stats-range.ts'
import { adminLogsQuery, logsQuery, type LogsQuery } from '../../services/logs/log-queries.ts'
import { listLogs, type LogFilter } from '../../services/logs/list-logs.ts'
import { exportLogsCsv } from '../../services/logs/export-logs-csv.ts'
import type { AppDeps } from '../app-deps.ts'
import type { Principal } from '../principal.ts'
import { readLogMessages } from '../../services/logs/read-log-messages.ts'
import { csvText, listOf, logMessages, usageLog } from '../../contracts/responses.ts'

/** The query's filters; on the user route the owner is always the caller and there is no channel. */
function filterOf(deps: AppDeps, admin: boolean, principal: Principal, query: LogsQuery): LogFilter {
  const range = resolveRange(
    { start: query.start_date, end: query.end_date, startField: 'start_date', endField: 'end_date' },
    query.timezone,
    deps.clock.now(),
    false,
  )
  return {
    ...range,
    username: admin ? query.username : principal.username,
    model: query.model,
    status: query.status,
    keyId: query.token_id,
    key: query.key,
    channelId: admin ? query.channel_id : undefined,
    clientIp: admin ? query.ip : undefined,
  }
}

function logsRoutesFor(admin: boolean): RouteDef[] {
  const prefix = admin ? '/admin/logs' : '/user/logs'
  const auth = admin ? 'admin' : 'user'
  return [
    route({
      method: 'GET',
      url: prefix,
      response: listOf(usageLog),
      auth,
      tag: 'logs',
      summary: admin
        ? 'Request logs of every user, newest first; filters model, status, token_id, key, username, channel_id, ip, date range; sort_by'
        : 'Your request logs, newest first; filters model, status, token_id, key, date range; sort_by',
      query: (admin ? adminLogsQuery : logsQuery) as z.ZodType<LogsQuery>,
      handler: ({ deps, principal, query }) =>
        listPage(query, 20, (page) =>
          listLogs(deps.db, filterOf(deps, admin, principal, query), page, admin, {
            by: query.sort_by,
            order: query.sort_order,
          }),
        ),
    }),
    route({
      method: 'GET',
      url: `${prefix}/export`,
      response: csvText,
      auth,
      tag: 'logs',
      summary: `${admin ? 'Request logs' : 'Your request logs'} with the list's filters and order, as a CSV download`,
      query: (admin ? adminLogsQuery : logsQuery) as z.ZodType<LogsQuery>,
      handler: async ({ deps, principal, query, reply }) => {
        const order = { by: query.sort_by, order: query.sort_order }
        const csv = await exportLogsCsv(deps.db, filterOf(deps, admin, principal, query), order, admin)
        void reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="request-logs.csv"')
          .header('cache-control', 'no-store')
        return csv
      },
    }),
    route({
      method: 'GET',
      url: `${prefix}/:id/messages`,
      response: logMessages,
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
