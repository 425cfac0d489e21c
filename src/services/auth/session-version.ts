import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../infra/db/database-types.ts'
import { toBool } from '../../infra/db/convert-row-values.ts'

/**
 * Whether a change to a user ends the sessions issued before it: a new or reset password, a different role,
 * being disabled. (Deleting the user ends them too: a new user of the same name has a new id.)
 */
export function changeEndsSessions(
  before: { role: string; disabled: unknown },
  change: { password?: unknown; role?: string; disabled?: boolean },
): boolean {
  return (
    change.password !== undefined ||
    (change.role !== undefined && change.role !== before.role) ||
    (change.disabled === true && !toBool(before.disabled))
  )
}

/** Bumps the user's session version: every dashboard session issued before is refused from now on (jwt.ts). */
export async function endSessions(
  db: Kysely<Database> | Transaction<Database>,
  username: string,
): Promise<void> {
  await db
    .updateTable('users')
    .set((eb) => ({ session_version: eb('session_version', '+', 1) }))
    .where('username', '=', username)
    .execute()
}
