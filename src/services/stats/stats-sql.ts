import { sql, type RawBuilder } from 'kysely'
import type { DbKind } from '../../infra/db/create-db.ts'
import { DAY_MS, type OffsetSegment } from './time-zone.ts'
import type { TimeRange } from './stats-range.ts'

/**
 * SQL fragments shared by the stats and logs queries. They refer to `usage_logs` under the alias `u`.
 *
 * Portability rules (results must be identical on SQLite and PostgreSQL):
 * - integer parameters used in arithmetic are wrapped in `CAST(… AS BIGINT)`: better-sqlite3 binds JS numbers
 *   as REAL, which would turn the day division into a fractional one;
 * - text ordering uses byte order (`COLLATE "C"` on PostgreSQL, SQLite's default BINARY) with NULL as '', so
 *   both databases sort names and NULLs the same way;
 * - results of SUM/COUNT are converted with toNum/toBig (pg returns numeric as strings, int8 as bigint).
 */

export interface UsageScope extends TimeRange {
  /** Restricts to one user's rows (always set for the user routes). */
  username?: string
}

export type SortOrder = 'asc' | 'desc'

export function scopeConditions(scope: UsageScope): RawBuilder<unknown>[] {
  const conditions: RawBuilder<unknown>[] = []
  if (scope.from !== undefined) conditions.push(sql`u.created_at >= ${bigintParam(scope.from)}`)
  if (scope.to !== undefined) conditions.push(sql`u.created_at < ${bigintParam(scope.to)}`)
  if (scope.username !== undefined) conditions.push(sql`u.username = ${scope.username}`)
  return conditions
}

export function whereClause(conditions: RawBuilder<unknown>[]): RawBuilder<unknown> {
  return conditions.length === 0 ? sql`` : sql`WHERE ${sql.join(conditions, sql` AND `)}`
}

/** An integer parameter that stays an integer on both drivers. */
export function bigintParam(value: number): RawBuilder<number> {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`)
  return sql<number>`CAST(${value} AS BIGINT)`
}

/** The UTC offset (ms) of each row's instant: a CASE over the segment starts, or a constant. */
export function offsetCaseSql(segments: OffsetSegment[]): RawBuilder<number> {
  const last = segments[segments.length - 1]
  if (segments.length === 1) return bigintParam(last.offsetMs)
  const whens = segments
    .slice(1)
    .map(
      (seg, i) =>
        sql`WHEN u.created_at < ${bigintParam(seg.start)} THEN ${bigintParam(segments[i].offsetMs)}`,
    )
  return sql<number>`CASE ${sql.join(whens, sql` `)} ELSE ${bigintParam(last.offsetMs)} END`
}

/** Local day number (days since 1970-01-01 in the zone) of each row; integer division on both databases. */
export function dayNumberSql(segments: OffsetSegment[]): RawBuilder<number> {
  return sql<number>`(u.created_at + ${offsetCaseSql(segments)}) / ${sql.raw(String(DAY_MS))}`
}

/** Byte-order text sort key, NULL sorting as ''. */
export function textKey(kind: DbKind, expr: RawBuilder<unknown>): RawBuilder<unknown> {
  return kind === 'postgres' ? sql`COALESCE(${expr}, '') COLLATE "C"` : sql`COALESCE(${expr}, '')`
}

export function direction(order: SortOrder): RawBuilder<unknown> {
  return sql.raw(order === 'asc' ? 'ASC' : 'DESC')
}

export function limitOffset(page: { limit: number; offset: number } | undefined): RawBuilder<unknown> {
  if (!page) return sql``
  return sql`LIMIT ${sql.raw(String(Math.trunc(page.limit)))} OFFSET ${sql.raw(String(Math.trunc(page.offset)))}`
}
