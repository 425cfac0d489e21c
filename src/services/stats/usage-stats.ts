import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../../infra/db/create-db.ts'
import { toBig, toNum } from '../../infra/db/convert-row-values.ts'
import type { Page } from '../paging.ts'
import {
  dayNumberSql,
  direction,
  limitOffset,
  scopeConditions,
  textKey,
  whereClause,
  type SortOrder,
  type UsageScope,
} from './stats-sql.ts'
import { dayNumberToDate, localDayNumber, offsetSegments } from './time-zone.ts'

/** Sort keys of `/stats/usage`: the short names, and the original's column names as aliases. */
export const USAGE_SORT_KEYS = [
  'date',
  'model',
  'username',
  'cost',
  'requests',
  'tokens',
  'request_count',
  'cost_usd',
  'total_cost_usd',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cache_creation_tokens',
] as const
export type UsageSortKey = (typeof USAGE_SORT_KEYS)[number]

export interface UsageBucket {
  date: string
  model: string | null
  username?: string | null
  request_count: number
  input_tokens: number
  output_tokens: number
  cache_read_tokens: number
  cache_write_tokens: number
  cost_nano: bigint
}

export interface DayTotal {
  date: string
  request_count: number
  tokens: number
  cost_nano: bigint
}

interface SpanRow {
  lo: unknown
  hi: unknown
}

/**
 * Rows of the scope with their local day number in `timeZone`, as a subquery aliased `d` — or null when the
 * scope holds no rows. The zone's offset segments are computed over the rows' actual time span (one indexed
 * MIN/MAX query), so an open-ended range costs no more than the data it covers.
 */
export async function dayRows(
  db: Db,
  scope: UsageScope,
  timeZone: string,
): Promise<RawBuilder<unknown> | null> {
  const where = whereClause(scopeConditions(scope))
  const span =
    await sql<SpanRow>`SELECT MIN(u.created_at) AS lo, MAX(u.created_at) AS hi FROM usage_logs u ${where}`.execute(
      db.db,
    )
  const row = span.rows[0]
  if (!row || row.lo === null || row.lo === undefined) return null
  const segments = offsetSegments(timeZone, toNum(row.lo), toNum(row.hi))
  return sql`(SELECT ${dayNumberSql(segments)} AS day, u.model, u.username, u.token_id, u.group_id,
    u.input_tokens, u.output_tokens, u.cache_read_tokens, u.cache_write_tokens, u.cost_nano
    FROM usage_logs u ${where}) d`
}

function usageOrder(db: Db, sortBy: UsageSortKey, order: SortOrder, perUser: boolean): RawBuilder<unknown> {
  const dir = direction(order)
  const primary: Record<UsageSortKey, RawBuilder<unknown>> = {
    date: sql`d.day`,
    model: textKey(db.kind, sql`d.model`),
    username: perUser ? textKey(db.kind, sql`d.username`) : sql`d.day`,
    cost: sql`SUM(d.cost_nano)`,
    cost_usd: sql`SUM(d.cost_nano)`,
    total_cost_usd: sql`SUM(d.cost_nano)`,
    requests: sql`COUNT(*)`,
    request_count: sql`COUNT(*)`,
    tokens: sql`SUM(d.input_tokens) + SUM(d.output_tokens)`,
    input_tokens: sql`SUM(d.input_tokens)`,
    output_tokens: sql`SUM(d.output_tokens)`,
    cache_read_tokens: sql`SUM(d.cache_read_tokens)`,
    cache_write_tokens: sql`SUM(d.cache_write_tokens)`,
    cache_creation_tokens: sql`SUM(d.cache_write_tokens)`,
  }
  // Ties: username, model, date ascending (the original's order), so pages never overlap.
  const ties = [
    ...(perUser ? [sql`${textKey(db.kind, sql`d.username`)} ASC`] : []),
    sql`${textKey(db.kind, sql`d.model`)} ASC`,
    sql`d.day ASC`,
  ]
  return sql`ORDER BY ${primary[sortBy]} ${dir}, ${sql.join(ties, sql`, `)}`
}

export interface UsageQueryOptions {
  timeZone: string
  /** Group by user as well (the admin variant). */
  perUser: boolean
  sortBy: UsageSortKey
  sortOrder: SortOrder
  /** Absent: every bucket (the CSV export), up to `maxRows`. */
  page?: Page
  maxRows?: number
}

/** Daily × model (× user) aggregation, grouped, sorted and paged in SQL. */
export async function usageBuckets(
  db: Db,
  scope: UsageScope,
  o: UsageQueryOptions,
): Promise<{ rows: UsageBucket[]; total: number }> {
  const source = await dayRows(db, scope, o.timeZone)
  if (!source) return { rows: [], total: 0 }
  const groupBy = o.perUser ? sql`d.day, d.model, d.username` : sql`d.day, d.model`
  const page = o.page ?? (o.maxRows !== undefined ? { limit: o.maxRows, offset: 0 } : undefined)
  const [result, count] = await Promise.all([
    sql<Record<string, unknown>>`SELECT d.day AS day, d.model AS model,
      ${o.perUser ? sql`d.username AS username,` : sql``}
      COUNT(*) AS request_count, SUM(d.input_tokens) AS input_tokens, SUM(d.output_tokens) AS output_tokens,
      SUM(d.cache_read_tokens) AS cache_read_tokens, SUM(d.cache_write_tokens) AS cache_write_tokens,
      SUM(d.cost_nano) AS cost_nano
      FROM ${source} GROUP BY ${groupBy} ${usageOrder(db, o.sortBy, o.sortOrder, o.perUser)} ${limitOffset(page)}`.execute(
      db.db,
    ),
    sql<{
      n: unknown
    }>`SELECT COUNT(*) AS n FROM (SELECT d.day FROM ${source} GROUP BY ${groupBy}) g`.execute(db.db),
  ])
  const rows = result.rows.map((r) => ({
    date: dayNumberToDate(toNum(r.day)),
    model: (r.model as string | null) ?? null,
    ...(o.perUser ? { username: (r.username as string | null) ?? null } : {}),
    request_count: toNum(r.request_count),
    input_tokens: toNum(r.input_tokens),
    output_tokens: toNum(r.output_tokens),
    cache_read_tokens: toNum(r.cache_read_tokens),
    cache_write_tokens: toNum(r.cache_write_tokens),
    cost_nano: toBig(r.cost_nano),
  }))
  return { rows, total: toNum(count.rows[0]?.n) }
}

/** Most days a time series fills with zeros; wider ranges list only the days that have rows. */
const MAX_FILLED_DAYS = 3700

/**
 * Per local day totals over the scope, oldest first. Days of the range without rows are filled with zeros
 * (the range's own days when it is bounded, else from the first to the last day with rows).
 */
export async function dailyTotals(db: Db, scope: UsageScope, timeZone: string): Promise<DayTotal[]> {
  const source = await dayRows(db, scope, timeZone)
  const found = new Map<number, DayTotal>()
  if (source) {
    const result = await sql<Record<string, unknown>>`SELECT d.day AS day, COUNT(*) AS request_count,
      SUM(d.input_tokens) + SUM(d.output_tokens) AS tokens, SUM(d.cost_nano) AS cost_nano
      FROM ${source} GROUP BY d.day ORDER BY d.day ASC`.execute(db.db)
    for (const r of result.rows) {
      const day = toNum(r.day)
      found.set(day, {
        date: dayNumberToDate(day),
        request_count: toNum(r.request_count),
        tokens: toNum(r.tokens),
        cost_nano: toBig(r.cost_nano),
      })
    }
  }
  const days = [...found.keys()]
  const first =
    scope.from !== undefined ? localDayNumber(timeZone, scope.from) : days.length ? Math.min(...days) : null
  const last =
    scope.to !== undefined ? localDayNumber(timeZone, scope.to - 1) : days.length ? Math.max(...days) : null
  if (first === null || last === null || last - first > MAX_FILLED_DAYS) return [...found.values()]
  const out: DayTotal[] = []
  for (let day = first; day <= last; day++) {
    out.push(found.get(day) ?? { date: dayNumberToDate(day), request_count: 0, tokens: 0, cost_nano: 0n })
  }
  return out
}
