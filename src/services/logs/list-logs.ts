import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely'
import type { Db } from '../../infra/db/create-db.ts'
import type { Database } from '../../infra/db/database-types.ts'
import { nanoToUsd, toBig, toBool, toIso, toNum, toNumOrNull } from '../../infra/db/convert-row-values.ts'
import type { Page } from '../paging.ts'
import type { TimeRange } from '../stats/stats-range.ts'
import type { LogSort } from './log-queries.ts'

export interface LogFilter extends TimeRange {
  /** The owner of the rows; always the caller on the user route. */
  username?: string
  model?: string
  status?: string
  keyId?: string
  /** A key by name or id. */
  key?: string
  channelId?: string
  /** The client's address, exactly (admins only). */
  clientIp?: string
}

export interface LogOrder {
  by?: LogSort
  order?: 'asc' | 'desc'
}

const sortColumn = {
  created_at: 'u.created_at',
  cost: 'u.cost_nano',
  duration: 'u.duration_ms',
  ttft: 'u.ttft_ms',
  input_tokens: 'u.input_tokens',
  output_tokens: 'u.output_tokens',
} as const

type UsageEb = ExpressionBuilder<Database & { u: Database['usage_logs'] }, 'u'>

/** `success` 2xx, `error` >= 400, `4xx` a class, `429` exact. The schema has already checked the shape. */
function statusCondition(eb: UsageEb, status: string): Expression<SqlBool> {
  const s = status.toLowerCase()
  if (s === 'success') return eb.and([eb('u.status', '>=', 200), eb('u.status', '<', 300)])
  if (s === 'error') return eb('u.status', '>=', 400)
  if (s.endsWith('xx')) {
    const low = Number(s[0]) * 100
    return eb.and([eb('u.status', '>=', low), eb('u.status', '<', low + 100)])
  }
  return eb('u.status', '=', Number(s))
}

function conditions(eb: UsageEb, f: LogFilter): Expression<SqlBool> {
  const c: Expression<SqlBool>[] = []
  if (f.username !== undefined) c.push(eb('u.username', '=', f.username))
  if (f.model !== undefined) c.push(eb('u.model', '=', f.model))
  if (f.keyId !== undefined) c.push(eb('u.token_id', '=', f.keyId))
  if (f.channelId !== undefined) c.push(eb('u.channel_id', '=', f.channelId))
  if (f.clientIp !== undefined) c.push(eb('u.client_ip', '=', f.clientIp))
  if (f.key !== undefined) {
    const key = f.key
    // Through the key's id: the (token_id, created_at) index serves it.
    c.push(
      eb(
        'u.token_id',
        'in',
        eb
          .selectFrom('tokens')
          .select('tokens.id')
          .where((k) => k.or([k('tokens.name', '=', key), k('tokens.id', '=', key)])),
      ),
    )
  }
  if (f.status !== undefined) c.push(statusCondition(eb, f.status))
  if (f.from !== undefined) c.push(eb('u.created_at', '>=', f.from))
  if (f.to !== undefined) c.push(eb('u.created_at', '<', f.to))
  return eb.and(c)
}

/**
 * Usage rows as API objects, newest first (ties by request id). `admin` adds the channel, group and client IP; user
 * answers never carry them. Filtering, ordering and paging happen in SQL.
 */
export async function listLogs(db: Db, filter: LogFilter, page: Page, admin: boolean, order: LogOrder = {}) {
  const tieKey = db.kind === 'postgres' ? sql`u.request_id COLLATE "C"` : sql`u.request_id`
  const dir = order.order === 'asc' ? 'asc' : 'desc'
  // Rows without a time to first token (not streamed) sort last either way, the same on both databases.
  const nullsLast = sql`CASE WHEN u.ttft_ms IS NULL THEN 1 ELSE 0 END`
  const base = db.db.selectFrom('usage_logs as u').where((eb) => conditions(eb, filter))
  const [rows, count] = await Promise.all([
    base
      .$if(order.by === 'ttft', (q) => q.orderBy(nullsLast))
      .leftJoin('tokens as t', 't.id', 'u.token_id')
      .leftJoin('channels as c', 'c.id', 'u.channel_id')
      .select([
        'u.request_id',
        'u.created_at',
        'u.username',
        'u.token_id',
        't.name as token_name',
        'u.model',
        'u.upstream_model',
        'u.endpoint',
        'u.protocol',
        'u.is_stream',
        'u.status',
        'u.error_code',
        'u.input_tokens',
        'u.output_tokens',
        'u.cache_read_tokens',
        'u.cache_write_tokens',
        'u.reasoning_tokens',
        'u.cost_nano',
        'u.covered_by_package',
        'u.usage_source',
        'u.duration_ms',
        'u.ttft_ms',
        'u.channel_id',
        'u.group_id',
        'u.client_ip',
        'c.name as channel_name',
      ])
      .orderBy(sortColumn[order.by ?? 'created_at'], dir)
      .orderBy(sql`${tieKey} ${sql.raw(dir.toUpperCase())}`)
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
  ])
  const data = rows.map((r) => {
    const cost = toBig(r.cost_nano)
    return {
      request_id: r.request_id,
      created_at: toIso(r.created_at),
      username: r.username,
      token_id: r.token_id,
      token_name: r.token_name ?? null,
      model: r.model,
      upstream_model: r.upstream_model,
      endpoint: r.endpoint,
      protocol: r.protocol,
      is_stream: toBool(r.is_stream),
      status: toNum(r.status),
      error_code: r.error_code,
      input_tokens: toNum(r.input_tokens),
      output_tokens: toNum(r.output_tokens),
      cache_read_tokens: toNum(r.cache_read_tokens),
      cache_write_tokens: toNum(r.cache_write_tokens),
      reasoning_tokens: toNum(r.reasoning_tokens),
      cost_usd: nanoToUsd(cost) ?? 0,
      cost_nano: cost.toString(),
      covered_by_package: toBool(r.covered_by_package),
      usage_source: r.usage_source,
      duration_ms: toNum(r.duration_ms),
      ttft_ms: toNumOrNull(r.ttft_ms),
      ...(admin
        ? {
            channel_id: r.channel_id,
            channel_name: r.channel_name ?? null,
            group_id: r.group_id,
            client_ip: r.client_ip,
          }
        : {}),
    }
  })
  return { data, total: toNum(count.n) }
}
