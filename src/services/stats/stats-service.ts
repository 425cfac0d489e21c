import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../../infra/db/create-db.ts'
import { nanoToUsd, toBig, toNum } from '../../infra/db/convert-row-values.ts'
import type { Page } from '../paging.ts'
import {
  direction,
  limitOffset,
  scopeConditions,
  textKey,
  whereClause,
  type SortOrder,
  type UsageScope,
} from './stats-sql.ts'
import { dayNumberToDate, localDayNumber } from './time-zone.ts'

const usd = (nano: bigint): number => nanoToUsd(nano) ?? 0

/** Totals of the scope. `date` is the local date (in `timeZone`) at which the range starts, else today. */
export async function overview(db: Db, scope: UsageScope, timeZone: string, now: number) {
  const where = whereClause(scopeConditions(scope))
  const result = await sql<Record<string, unknown>>`SELECT COUNT(*) AS request_count,
    SUM(u.cost_nano) AS total_cost,
    SUM(CASE WHEN u.covered_by_package = 0 THEN u.cost_nano ELSE 0 END) AS actual_cost,
    SUM(u.input_tokens) AS input_tokens, SUM(u.output_tokens) AS output_tokens
    FROM usage_logs u ${where}`.execute(db.db)
  const r = result.rows[0] ?? {}
  const total = toBig(r.total_cost)
  const actual = toBig(r.actual_cost)
  const input = toNum(r.input_tokens)
  const output = toNum(r.output_tokens)
  return {
    total_cost_usd: usd(total),
    actual_cost_usd: usd(actual),
    request_count: toNum(r.request_count),
    total_token_usage: input + output,
    input_tokens: input,
    output_tokens: output,
    /** Exact sums as decimal strings of nano-USD (the USD numbers are rounded doubles above ~9M USD). */
    total_cost_nano: total.toString(),
    actual_cost_nano: actual.toString(),
    date: dayNumberToDate(localDayNumber(timeZone, scope.from ?? now)),
    start_at: scope.from === undefined ? null : new Date(scope.from).toISOString(),
    end_at: scope.to === undefined ? null : new Date(scope.to - 1).toISOString(),
  }
}

/** The ten keys with the highest spend in the scope. */
export async function topKeys(db: Db, scope: UsageScope) {
  const where = whereClause([...scopeConditions(scope), sql`u.token_id IS NOT NULL`])
  const result = await sql<Record<string, unknown>>`SELECT u.token_id AS token_id, u.username AS username,
    t.name AS token_name, COUNT(*) AS request_count, SUM(u.cost_nano) AS cost_nano
    FROM usage_logs u LEFT JOIN tokens t ON t.id = u.token_id ${where}
    GROUP BY u.token_id, u.username, t.name
    ORDER BY SUM(u.cost_nano) DESC, COUNT(*) DESC, ${textKey(db.kind, sql`u.token_id`)} ASC,
      ${textKey(db.kind, sql`u.username`)} ASC
    LIMIT 10`.execute(db.db)
  return result.rows.map((r) => {
    const cost = toBig(r.cost_nano)
    return {
      token_id: r.token_id as string,
      token_name: (r.token_name as string | null) ?? null,
      username: (r.username as string | null) ?? null,
      total_cost_usd: usd(cost),
      cost_nano: cost.toString(),
      request_count: toNum(r.request_count),
    }
  })
}

export const MODEL_SORT_KEYS = [
  'request_count',
  'requests',
  'model',
  'cost',
  'cost_usd',
  'tokens',
  'input_tokens',
  'output_tokens',
] as const
export type ModelSortKey = (typeof MODEL_SORT_KEYS)[number]

/** Per-model totals, sorted and paged in SQL; ties by model name. */
export async function modelStats(
  db: Db,
  scope: UsageScope,
  sortBy: ModelSortKey,
  order: SortOrder,
  page: Page,
) {
  const where = whereClause(scopeConditions(scope))
  const keys: Record<ModelSortKey, RawBuilder<unknown>> = {
    request_count: sql`COUNT(*)`,
    requests: sql`COUNT(*)`,
    model: textKey(db.kind, sql`u.model`),
    cost: sql`SUM(u.cost_nano)`,
    cost_usd: sql`SUM(u.cost_nano)`,
    tokens: sql`SUM(u.input_tokens) + SUM(u.output_tokens)`,
    input_tokens: sql`SUM(u.input_tokens)`,
    output_tokens: sql`SUM(u.output_tokens)`,
  }
  const [result, count] = await Promise.all([
    sql<
      Record<string, unknown>
    >`SELECT u.model AS model, COUNT(*) AS request_count, SUM(u.cost_nano) AS cost_nano,
      SUM(u.input_tokens) AS input_tokens, SUM(u.output_tokens) AS output_tokens
      FROM usage_logs u ${where} GROUP BY u.model
      ORDER BY ${keys[sortBy]} ${direction(order)}, ${textKey(db.kind, sql`u.model`)} ASC
      ${limitOffset(page)}`.execute(db.db),
    sql<{
      n: unknown
    }>`SELECT COUNT(*) AS n FROM (SELECT u.model FROM usage_logs u ${where} GROUP BY u.model) g`.execute(
      db.db,
    ),
  ])
  const data = result.rows.map((r) => {
    const cost = toBig(r.cost_nano)
    return {
      model: (r.model as string | null) ?? null,
      request_count: toNum(r.request_count),
      cost_usd: usd(cost),
      cost_nano: cost.toString(),
      input_tokens: toNum(r.input_tokens),
      output_tokens: toNum(r.output_tokens),
    }
  })
  return { data, total: toNum(count.rows[0]?.n) }
}

/** Per-channel requests, errors (status >= 400) and spend; the highest spend first. */
export async function channelStats(db: Db, scope: UsageScope) {
  const where = whereClause(scopeConditions(scope))
  const result = await sql<Record<string, unknown>>`SELECT u.channel_id AS channel_id, c.name AS channel_name,
    COUNT(*) AS request_count, SUM(CASE WHEN u.status >= 400 THEN 1 ELSE 0 END) AS error_count,
    SUM(u.cost_nano) AS cost_nano, SUM(u.input_tokens) AS input_tokens, SUM(u.output_tokens) AS output_tokens
    FROM usage_logs u LEFT JOIN channels c ON c.id = u.channel_id ${where}
    GROUP BY u.channel_id, c.name
    ORDER BY SUM(u.cost_nano) DESC, COUNT(*) DESC, ${textKey(db.kind, sql`u.channel_id`)} ASC`.execute(db.db)
  return result.rows.map((r) => {
    const cost = toBig(r.cost_nano)
    return {
      channel_id: (r.channel_id as string | null) ?? null,
      channel_name: (r.channel_name as string | null) ?? null,
      request_count: toNum(r.request_count),
      error_count: toNum(r.error_count),
      cost_usd: usd(cost),
      cost_nano: cost.toString(),
      input_tokens: toNum(r.input_tokens),
      output_tokens: toNum(r.output_tokens),
    }
  })
}
