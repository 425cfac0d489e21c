import type { Db } from '../../infra/db/create-db.ts'
import { csvCell, formatNanoUsd } from '../stats/usage-csv.ts'
import { listLogs, type LogFilter, type LogOrder } from './list-logs.ts'

/** Rows one export holds at most; the download says so in its last line when it stops there. */
export const MAX_LOG_EXPORT_ROWS = 50_000
const CHUNK = 1000

/**
 * The filtered logs as CSV, in the list's order, read a page at a time (the same indexed query as the table).
 * `admin` adds the user, channel and client IP columns that user answers never carry.
 */
export async function exportLogsCsv(db: Db, filter: LogFilter, order: LogOrder, admin: boolean) {
  const header = [
    'request_id',
    'created_at',
    ...(admin ? ['username', 'channel', 'client_ip'] : []),
    'key',
    'model',
    'upstream_model',
    'endpoint',
    'status',
    'error_code',
    'input_tokens',
    'output_tokens',
    'cache_read_tokens',
    'cache_write_tokens',
    'cost_usd',
    'duration_ms',
    'ttft_ms',
  ]
  const lines = [header.join(',')]
  let exported = 0
  for (let offset = 0; offset < MAX_LOG_EXPORT_ROWS; offset += CHUNK) {
    const { data, total } = await listLogs(
      db,
      filter,
      { limit: CHUNK, offset, page: 0, page_size: CHUNK },
      admin,
      order,
    )
    for (const r of data) {
      const cells = [
        r.request_id,
        r.created_at,
        ...(admin ? [r.username, r.channel_name ?? r.channel_id, r.client_ip] : []),
        r.token_name ?? r.token_id,
        r.model,
        r.upstream_model,
        r.endpoint,
        r.status,
        r.error_code,
        r.input_tokens,
        r.output_tokens,
        r.cache_read_tokens,
        r.cache_write_tokens,
        formatNanoUsd(BigInt(r.cost_nano)),
        r.duration_ms,
        r.ttft_ms,
      ]
      lines.push(cells.map(csvCell).join(','))
    }
    exported += data.length
    if (data.length < CHUNK || exported >= total) break
  }
  return `${lines.join('\r\n')}\r\n`
}
