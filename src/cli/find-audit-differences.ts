import { readdir } from 'node:fs/promises'
import type { Kysely } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import { toBig, toNum } from '../infra/db/convert-row-values.ts'
import { AuditRecordUnreadableError, readAuditRecord } from '../infra/audit/read-audit-record.ts'
import { dayFolderName, parseDayFolderName } from '../infra/audit/resolve-audit-path.ts'
import type { RecordDifference } from './record-difference.ts'

export interface AuditCheck {
  usageRows: number
  auditRecords: number
  /** Usage rows whose request ended less than `graceMs` ago and has no record yet: still in the writer's queue. */
  pending: number
  /** Records whose settlement waits in a journal of DATA_DIR (the database refused it; the gateway retries it). */
  pendingSettlements: number
  differences: RecordDifference[]
}

const PAGE = 500
const RECORD_FILE = /^([A-Za-z0-9_-]{1,128})\.json\.br$/

/**
 * Usage rows against the audit records in `dir` (DATA_DIR/sessions), both ways, for requests since `since`:
 * every usage row has its record with the same cost and token counts, and every record of an admitted request
 * (one that carries `usage_source`) has its usage row. Refused requests have a record and, rightly, no row.
 */
export async function findAuditDifferences(
  db: Kysely<Database>,
  dir: string,
  opts: { since: number; now: number; graceMs: number; journaled: ReadonlySet<string> },
): Promise<AuditCheck> {
  const differences: RecordDifference[] = []
  let usageRows = 0
  let pending = 0
  let last = ''
  for (;;) {
    const rows = await db
      .selectFrom('usage_logs')
      .select(['request_id', 'created_at', 'duration_ms', 'cost_nano', 'input_tokens', 'output_tokens'])
      .where('created_at', '>=', opts.since)
      .where('request_id', '>', last)
      .orderBy('request_id')
      .limit(PAGE)
      .execute()
    if (rows.length === 0) break
    last = rows[rows.length - 1].request_id
    for (const row of rows) {
      usageRows++
      const createdAt = toNum(row.created_at)
      let record
      try {
        record = await readAuditRecord(dir, row.request_id, new Date(createdAt))
      } catch (err) {
        if (!(err instanceof AuditRecordUnreadableError)) throw err
        differences.push({ kind: 'audit_unreadable', subject: row.request_id, detail: err.message })
        continue
      }
      if (!record) {
        if (createdAt + toNum(row.duration_ms) > opts.now - opts.graceMs) pending++
        else
          differences.push({
            kind: 'audit_missing',
            subject: row.request_id,
            detail: 'usage row has no audit record',
          })
        continue
      }
      const cost = toBig(row.cost_nano)
      const recordCost = BigInt(Math.round((record.cost_usd ?? 0) * 1e9))
      const tokens = [toNum(row.input_tokens), toNum(row.output_tokens)]
      const recordTokens = [record.usage?.input_tokens ?? 0, record.usage?.output_tokens ?? 0]
      if (recordCost !== cost || tokens[0] !== recordTokens[0] || tokens[1] !== recordTokens[1]) {
        differences.push({
          kind: 'audit_mismatch',
          subject: row.request_id,
          detail:
            `usage row: cost ${String(cost)} nano-USD, tokens ${tokens.join('/')}; ` +
            `audit record: cost ${String(recordCost)}, tokens ${recordTokens.join('/')}`,
        })
      }
    }
  }

  // The other way: records of admitted requests whose usage row is gone (or was never written).
  let auditRecords = 0
  let pendingSettlements = 0
  const firstDay = parseDayFolderName(dayFolderName(new Date(opts.since)))!
  let days: string[]
  try {
    days = (await readdir(dir)).filter((d) => (parseDayFolderName(d) ?? -1) >= firstDay).sort()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    days = []
  }
  for (const day of days) {
    const ids = (await readdir(`${dir}/${day}`)).flatMap((f) => RECORD_FILE.exec(f)?.[1] ?? [])
    for (let i = 0; i < ids.length; i += PAGE) {
      const chunk = ids.slice(i, i + PAGE)
      const known = new Set(
        (
          await db.selectFrom('usage_logs').select('request_id').where('request_id', 'in', chunk).execute()
        ).map((r) => r.request_id),
      )
      for (const id of chunk) {
        auditRecords++
        if (known.has(id)) continue
        let record
        try {
          record = await readAuditRecord(dir, id, new Date(parseDayFolderName(day)!))
        } catch (err) {
          if (!(err instanceof AuditRecordUnreadableError)) throw err
          differences.push({ kind: 'audit_unreadable', subject: id, detail: err.message })
          continue
        }
        if (!record || record.usage_source === undefined) continue
        if (Date.parse(record.created_at) < opts.since) continue
        if (opts.journaled.has(id)) {
          pendingSettlements++
          continue
        }
        differences.push({
          kind: 'usage_missing',
          subject: id,
          detail: `audit record of an admitted request (status ${record.status}, cost ${record.cost_usd ?? 0} USD) has no usage row`,
        })
      }
    }
  }
  return { usageRows, auditRecords, pending, pendingSettlements, differences }
}
