import { sql } from 'kysely'
import type { Db } from '../../infra/db/create-db.ts'
import { toBig, toNum } from '../../infra/db/convert-row-values.ts'
import { scopeConditions, textKey, whereClause, type UsageScope } from './stats-sql.ts'
import { dayNumberToDate } from './time-zone.ts'
import { dayRows } from './usage-stats.ts'

/** What spend and requests over time can be split by (the Dashboard's stacked charts). */
export const BREAKDOWN_DIMENSIONS = ['user', 'model', 'key', 'group'] as const
export type BreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number]

const COLUMN: Record<BreakdownDimension, string> = {
  user: 'username',
  model: 'model',
  key: 'token_id',
  group: 'group_id',
}

/** One stacked series: a user, model, key or group (`id` null: rows without one; `other`: the rest together). */
export interface BreakdownSeries {
  id: string | null
  name: string | null
  other?: true
  request_count: number
  cost_nano: bigint
}

export interface BreakdownDay {
  date: string
  /** Per series, in the order of `series`. */
  request_count: number[]
  cost_nano: bigint[]
}

/**
 * Requests and spend per local day, split by one dimension: the `top` series by spend (then requests, then
 * name) each, the rest summed as one "other" series, so a chart stays readable with many users or keys. Days
 * without rows are not listed (the page fills them). Keys and groups carry their names.
 */
export async function usageBreakdown(
  db: Db,
  scope: UsageScope,
  timeZone: string,
  by: BreakdownDimension,
  top = 6,
): Promise<{ series: BreakdownSeries[]; days: BreakdownDay[] }> {
  const source = await dayRows(db, scope, timeZone)
  if (!source) return { series: [], days: [] }
  const column = sql.ref(`d.${COLUMN[by]}`)
  const result = await sql<Record<string, unknown>>`SELECT d.day AS day, ${column} AS id,
    COUNT(*) AS request_count, SUM(d.cost_nano) AS cost_nano
    FROM ${source} GROUP BY d.day, ${column} ORDER BY d.day ASC`.execute(db.db)
  const rows = result.rows.map((r) => ({
    day: toNum(r.day),
    id: (r.id as string | null) ?? null,
    request_count: toNum(r.request_count),
    cost_nano: toBig(r.cost_nano),
  }))
  const totals = new Map<string | null, BreakdownSeries>()
  for (const r of rows) {
    const s = totals.get(r.id) ?? { id: r.id, name: r.id, request_count: 0, cost_nano: 0n }
    s.request_count += r.request_count
    s.cost_nano += r.cost_nano
    totals.set(r.id, s)
  }
  const ranked = [...totals.values()].sort(
    (a, b) =>
      (b.cost_nano > a.cost_nano ? 1 : b.cost_nano < a.cost_nano ? -1 : 0) ||
      b.request_count - a.request_count ||
      String(a.id ?? '').localeCompare(String(b.id ?? '')),
  )
  const kept = ranked.slice(0, top)
  const rest = ranked.slice(top)
  const series: BreakdownSeries[] = [...kept]
  if (rest.length) {
    series.push({
      id: null,
      name: null,
      other: true,
      request_count: rest.reduce((n, s) => n + s.request_count, 0),
      cost_nano: rest.reduce((n, s) => n + s.cost_nano, 0n),
    })
  }
  const index = new Map(kept.map((s, i) => [s.id, i]))
  const byDay = new Map<number, BreakdownDay>()
  for (const r of rows) {
    let day = byDay.get(r.day)
    if (!day) {
      day = {
        date: dayNumberToDate(r.day),
        request_count: series.map(() => 0),
        cost_nano: series.map(() => 0n),
      }
      byDay.set(r.day, day)
    }
    const i = index.get(r.id) ?? series.length - 1
    day.request_count[i] += r.request_count
    day.cost_nano[i] += r.cost_nano
  }
  await nameSeries(db, by, kept)
  return { series, days: [...byDay.values()] }
}

/** Keys and groups are stored by id: show their names (a deleted one keeps its id). */
async function nameSeries(db: Db, by: BreakdownDimension, series: BreakdownSeries[]): Promise<void> {
  const ids = series.map((s) => s.id).filter((id): id is string => id !== null)
  if (!ids.length || (by !== 'key' && by !== 'group')) return
  const table = by === 'key' ? 'tokens' : 'groups'
  const found = await db.db.selectFrom(table).select(['id', 'name']).where('id', 'in', ids).execute()
  const names = new Map(found.map((r) => [r.id, r.name]))
  for (const s of series) if (s.id !== null) s.name = names.get(s.id) ?? s.id
}

export interface TopUser {
  username: string | null
  request_count: number
  cost_nano: bigint
}

/** The users who spent most in the scope (then made most requests), at most `limit`. */
export async function topUsers(db: Db, scope: UsageScope, limit = 10): Promise<TopUser[]> {
  const where = whereClause(scopeConditions(scope))
  const result = await sql<Record<string, unknown>>`SELECT u.username AS username, COUNT(*) AS request_count,
    SUM(u.cost_nano) AS cost_nano FROM usage_logs u ${where} GROUP BY u.username
    ORDER BY SUM(u.cost_nano) DESC, COUNT(*) DESC, ${textKey(db.kind, sql`u.username`)} ASC
    LIMIT ${sql.raw(String(Math.trunc(limit)))}`.execute(db.db)
  return result.rows.map((r) => ({
    username: (r.username as string | null) ?? null,
    request_count: toNum(r.request_count),
    cost_nano: toBig(r.cost_nano),
  }))
}
