import type { Kysely } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import type { Clock } from '../infra/clock.ts'
import { newId } from '../infra/ids.ts'

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

export function createAdminAuditRecorder(db: Kysely<Database>, clock: Clock) {
  return async (entry: AdminAuditEntry): Promise<void> => {
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
}
export type AdminAuditRecorder = ReturnType<typeof createAdminAuditRecorder>
