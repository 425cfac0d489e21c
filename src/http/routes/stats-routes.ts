import type { z } from 'zod'
import { route, type RouteDef } from '../define-route.ts'
import type { Principal } from '../principal.ts'
import type { AppDeps } from '../app-deps.ts'
import { listPage, paged, resolvePage } from '../../services/paging.ts'
import { nanoToUsd } from '../../infra/db/convert-row-values.ts'
import { resolveRange } from '../../services/stats/stats-range.ts'
import type { UsageScope } from '../../services/stats/stats-sql.ts'
import {
  adminModelsQuery,
  adminRangeQuery,
  adminBreakdownQuery,
  adminUsageQuery,
  breakdownQuery,
  type BreakdownQuery,
  modelsQuery,
  rangeQuery,
  usageQuery,
  type ModelsQuery,
  type RangeQuery,
  type UsageQuery,
} from '../../services/stats/stats-queries.ts'
import { channelStats, modelStats, overview, topKeys } from '../../services/stats/stats-service.ts'
import { dailyTotals, usageBuckets, type UsageBucket } from '../../services/stats/usage-stats.ts'
import { usageCsv } from '../../services/stats/usage-csv.ts'
import { topUsers, usageBreakdown } from '../../services/stats/usage-breakdown.ts'
import { dayNumberToDate, localDayNumber } from '../../services/stats/time-zone.ts'
import {
  channelStat,
  csvText,
  dailyTotal,
  dataOf,
  listOf,
  modelStat,
  statsOverview,
  keyStat,
  usageRow,
  topUser,
  breakdownView,
} from '../../contracts/responses.ts'

/** Rows a CSV export holds at most. */
const MAX_EXPORT_ROWS = 100_000

/**
 * The caller's scope: the user routes are always restricted to the caller (a `username` parameter is not
 * even part of their schema); the admin routes see everyone, optionally one user.
 */
function scopeOf(admin: boolean, principal: Principal, query: RangeQuery, now: number): UsageScope {
  const range = resolveRange(
    { start: query.start_at, end: query.end_at, startField: 'start_at', endField: 'end_at' },
    query.timezone,
    now,
    true,
  )
  return { ...range, username: admin ? query.username : principal.username }
}

function serializeBucket(b: UsageBucket) {
  const cost = nanoToUsd(b.cost_nano) ?? 0
  return {
    date: b.date,
    model: b.model,
    ...(b.username !== undefined ? { username: b.username } : {}),
    request_count: b.request_count,
    input_tokens: b.input_tokens,
    output_tokens: b.output_tokens,
    cache_read_tokens: b.cache_read_tokens,
    cache_write_tokens: b.cache_write_tokens,
    cost_usd: cost,
    cost_nano: b.cost_nano.toString(),
    // The original's names, which the dashboard table reads.
    cache_creation_tokens: b.cache_write_tokens,
    total_cost_usd: cost,
  }
}

/** A `{ data }` list of the caller's scope (everyone's for an administrator) over a range, by default today. */
function rangeData(
  admin: boolean,
  url: string,
  item: z.ZodType,
  summary: string,
  fetch: (db: AppDeps['db'], scope: UsageScope) => Promise<unknown[]>,
): RouteDef {
  return route({
    method: 'GET',
    url,
    response: dataOf(item),
    auth: admin ? 'admin' : 'user',
    tag: 'stats',
    summary,
    query: (admin ? adminRangeQuery : rangeQuery) as z.ZodType<RangeQuery>,
    handler: async ({ deps, principal, query }) => ({
      data: await fetch(deps.db, scopeOf(admin, principal, query, deps.clock.now())),
    }),
  })
}

function statsRoutesFor(admin: boolean): RouteDef[] {
  const prefix = admin ? '/admin/stats' : '/user/stats'
  const auth = admin ? 'admin' : 'user'
  const who = admin ? 'all users (optionally one `username`)' : 'the caller'
  const range = (admin ? adminRangeQuery : rangeQuery) as z.ZodType<RangeQuery>
  const usage = (admin ? adminUsageQuery : usageQuery) as z.ZodType<UsageQuery>
  const models = (admin ? adminModelsQuery : modelsQuery) as z.ZodType<ModelsQuery>
  // The usage list and its CSV export group and order the same rows; only how many they take differs.
  const bucketOptions = (query: UsageQuery) => ({
    timeZone: query.timezone,
    perUser: admin,
    sortBy: query.sort_by,
    sortOrder: query.sort_order,
  })

  return [
    route({
      method: 'GET',
      url: `${prefix}/overview`,
      response: statsOverview,
      auth,
      tag: 'stats',
      summary: `Spend, requests and tokens of ${who} in a range (default: today in \`timezone\`)`,
      query: range,
      handler: async ({ deps, principal, query }) => {
        const now = deps.clock.now()
        return overview(deps.db, scopeOf(admin, principal, query, now), query.timezone, now)
      },
    }),
    route({
      method: 'GET',
      url: `${prefix}/usage`,
      response: listOf(usageRow),
      auth,
      tag: 'stats',
      summary: `Daily (in \`timezone\`) × model usage of ${who}, paged`,
      query: usage,
      handler: async ({ deps, principal, query }) => {
        const page = resolvePage(query, 20)
        const scope = scopeOf(admin, principal, query, deps.clock.now())
        const r = await usageBuckets(deps.db, scope, { ...bucketOptions(query), page })
        return paged(r.rows.map(serializeBucket), r.total, page)
      },
    }),
    route({
      method: 'GET',
      url: `${prefix}/usage/export`,
      response: csvText,
      auth,
      tag: 'stats',
      summary: `The daily × model usage of ${who} as a CSV download`,
      query: usage,
      handler: async ({ deps, principal, query, reply }) => {
        const scope = scopeOf(admin, principal, query, deps.clock.now())
        const r = await usageBuckets(deps.db, scope, { ...bucketOptions(query), maxRows: MAX_EXPORT_ROWS })
        const day = (t: number | undefined) =>
          t === undefined ? 'all' : dayNumberToDate(localDayNumber(query.timezone, t))
        const name = `usage-${day(scope.from)}-${day(scope.to === undefined ? undefined : scope.to - 1)}.csv`
        void reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}"`)
          .header('cache-control', 'no-store')
        return usageCsv(r.rows, admin)
      },
    }),
    rangeData(
      admin,
      `${prefix}/tokens`,
      keyStat,
      `Top 10 keys of ${who} by spend in a range (default: today)`,
      topKeys,
    ),
    route({
      method: 'GET',
      url: `${prefix}/models`,
      response: listOf(modelStat),
      auth,
      tag: 'stats',
      summary: `Per-model requests, spend and tokens of ${who}, paged`,
      query: models,
      handler: ({ deps, principal, query }) =>
        listPage(query, 20, (page) =>
          modelStats(
            deps.db,
            scopeOf(admin, principal, query, deps.clock.now()),
            query.sort_by,
            query.sort_order,
            page,
          ),
        ),
    }),
    route({
      method: 'GET',
      url: `${prefix}/breakdown`,
      response: breakdownView,
      auth,
      tag: 'stats',
      summary: `Requests and spend of ${who} per day in \`timezone\`, split by \`by\` (user, model, key or group): the top series and the rest as one`,
      query: (admin ? adminBreakdownQuery : breakdownQuery) as z.ZodType<BreakdownQuery>,
      handler: async ({ deps, principal, query }) => {
        const scope = scopeOf(admin, principal, query, deps.clock.now())
        const r = await usageBreakdown(deps.db, scope, query.timezone, query.by)
        return {
          by: query.by,
          series: r.series.map((s) => ({
            id: s.id,
            name: s.name,
            ...(s.other ? { other: true } : {}),
            request_count: s.request_count,
            cost_usd: nanoToUsd(s.cost_nano) ?? 0,
            cost_nano: s.cost_nano.toString(),
          })),
          data: r.days.map((d) => ({
            date: d.date,
            request_count: d.request_count,
            cost_usd: d.cost_nano.map((c) => nanoToUsd(c) ?? 0),
            cost_nano: d.cost_nano.map((c) => c.toString()),
          })),
        }
      },
    }),
    route({
      method: 'GET',
      url: `${prefix}/timeseries`,
      response: dataOf(dailyTotal),
      auth,
      tag: 'stats',
      summary: `Requests, spend and tokens of ${who} per day in \`timezone\` (days without traffic as zeros)`,
      query: range,
      handler: async ({ deps, principal, query }) => {
        const scope = scopeOf(admin, principal, query, deps.clock.now())
        const days = await dailyTotals(deps.db, scope, query.timezone)
        return {
          data: days.map((d) => ({
            date: d.date,
            request_count: d.request_count,
            cost_usd: nanoToUsd(d.cost_nano) ?? 0,
            cost_nano: d.cost_nano.toString(),
            tokens: d.tokens,
          })),
        }
      },
    }),
  ]
}

export const statsRoutes: RouteDef[] = [
  ...statsRoutesFor(false),
  ...statsRoutesFor(true),
  rangeData(
    true,
    '/admin/stats/top-users',
    topUser,
    'The 10 users who spent most in a range (default: today), with their requests',
    async (db, scope) =>
      (await topUsers(db, scope)).map((u) => ({
        username: u.username,
        request_count: u.request_count,
        cost_usd: nanoToUsd(u.cost_nano) ?? 0,
        cost_nano: u.cost_nano.toString(),
      })),
  ),
  rangeData(
    true,
    '/admin/stats/channels',
    channelStat,
    'Per-channel requests, errors (status >= 400) and spend in a range (default: today)',
    channelStats,
  ),
]
