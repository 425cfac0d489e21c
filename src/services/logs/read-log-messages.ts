import type { Db } from '../../infra/db/create-db.ts'
import { toNum } from '../../infra/db/convert-row-values.ts'
import type { AuditRecord } from '../../infra/audit/audit-record.ts'
import { AuditRecordUnreadableError, readAuditRecord } from '../../infra/audit/read-audit-record.ts'
import { isSafeRequestId, auditDir } from '../../infra/audit/resolve-audit-path.ts'
import { AppError } from '../../domain/errors.ts'

export interface LogViewer {
  admin: boolean
  username: string
}

/** Fields of a record that only administrators see: where the request went upstream. */
export type UserAuditRecord = Omit<AuditRecord, 'upstream_url' | 'channel_id' | 'channel_name'>

/** The audit root under the data directory (`data/sessions`). */

/**
 * The stored audit record of one request. Ids that could not be file names are refused before anything else
 * (no database or file system access); a user asking for a request that is not theirs gets the same 404 as
 * for an unknown id; a usage row without its file gets "Log record file not found".
 */
export async function readLogMessages(
  db: Db,
  dataDir: string,
  requestId: string,
  viewer: LogViewer,
): Promise<AuditRecord | UserAuditRecord> {
  const missing = new AppError('not_found', 'Log record not found')
  if (!isSafeRequestId(requestId)) throw missing
  let q = db.db
    .selectFrom('usage_logs')
    .select(['request_id', 'created_at'])
    .where('request_id', '=', requestId)
  if (!viewer.admin) q = q.where('username', '=', viewer.username)
  const row = await q.executeTakeFirst()
  if (!row) throw missing

  let record: AuditRecord | null
  try {
    record = await readAuditRecord(auditDir(dataDir), requestId, new Date(toNum(row.created_at)))
  } catch (error) {
    if (error instanceof AuditRecordUnreadableError)
      throw new AppError('internal_error', 'Log record file is unreadable')
    throw error
  }
  if (!record) throw new AppError('not_found', 'Log record file not found')
  if (viewer.admin) return record
  const { upstream_url: _url, channel_id: _channel, channel_name: _name, ...visible } = record
  return visible
}
