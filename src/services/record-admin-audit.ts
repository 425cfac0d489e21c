import type { Kysely } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import type { Clock } from '../infra/clock.ts'
import { newId } from '../infra/ids.ts'
import { retryStaleSnapshot } from '../infra/db/retry-stale-snapshot.ts'

const SECRET_FIELDS = /^(api_key|password|key|secret|token|access_token|password_hash|api_key_enc)$/i

/** Drops secret-looking fields so an audit summary can never carry a key or password. */
export function redactSummary(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSummary)
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value))
      out[k] = SECRET_FIELDS.test(k) ? '[redacted]' : redactSummary(v)
    return out
  }
  if (typeof value === 'bigint') return value.toString()
  return value
}

export interface AdminAuditEntry {
  actor: string
  action: string
  target?: string | null
  summary?: unknown
  ip?: string | null
}

async function insertAudit(db: Kysely<Database>, clock: Clock, entry: AdminAuditEntry): Promise<void> {
  await db
    .insertInto('admin_audit')
    .values({
      id: newId(),
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      summary: entry.summary === undefined ? null : JSON.stringify(redactSummary(entry.summary)),
      ip: entry.ip ?? null,
      created_at: clock.now(),
    })
    .execute()
}

/**
 * `audit(entry)` writes one admin audit row on its own (events that change nothing, such as a break-glass login).
 * `audit.change(apply, entry)` is for admin changes: `apply` makes the change on the transaction it is given and
 * the audit row is written in the same transaction, so the change and its record commit together or not at all
 * (docs/security.md, "Admin audit"). Caches are invalidated by the caller after it returns, once committed.
 */
export function createAdminAuditRecorder(db: Kysely<Database>, clock: Clock) {
  const record = (entry: AdminAuditEntry): Promise<void> => insertAudit(db, clock, entry)
  const change = <T>(
    apply: (trx: Kysely<Database>) => Promise<T>,
    entry: (result: T) => AdminAuditEntry,
  ): Promise<T> =>
    // Several processes on one SQLite file (workers, the CLI): a change that read before another committed runs again.
    retryStaleSnapshot(() =>
      db.transaction().execute(async (trx) => {
        const result = await apply(trx)
        await insertAudit(trx, clock, entry(result))
        return result
      }),
    )
  return Object.assign(record, { change })
}
export type AdminAuditRecorder = ReturnType<typeof createAdminAuditRecorder>
