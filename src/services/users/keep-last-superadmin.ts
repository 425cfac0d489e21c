import { PostgresAdapter, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely'
import type { Database, UsersTable } from '../../infra/db/database-types.ts'
import { toBool } from '../../infra/db/convert-row-values.ts'
import { AppError } from '../../domain/errors.ts'

/**
 * The last active superadmin cannot be demoted, disabled or deleted. Checking the count first and writing after
 * lets two removals at once (of the last two) both pass; here the check is part of the write, inside a
 * transaction: the write only matches when another active superadmin remains, and on PostgreSQL the active
 * superadmin rows are locked first, so a second removal waits for the first and then sees it. (On SQLite one
 * statement is atomic by itself.)
 */

/** Whether a change takes an active superadmin away. */
export function removesSuperadmin(
  row: Selectable<UsersTable>,
  change: { role?: string; disabled?: boolean; deleted?: boolean },
): boolean {
  if (row.role !== 'superadmin' || toBool(row.disabled)) return false
  return (
    change.deleted === true ||
    change.disabled === true ||
    (change.role !== undefined && change.role !== 'superadmin')
  )
}

/** PostgreSQL: holds the active superadmins' rows until the transaction ends. */
export async function lockActiveSuperadmins(trx: Kysely<Database>): Promise<void> {
  if (!(trx.getExecutor().adapter instanceof PostgresAdapter)) return
  await trx
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'superadmin')
    .where('disabled', '=', 0)
    .forUpdate()
    .execute()
}

/** Where-clause for the write: the target is no active superadmin, or another active superadmin remains. */
export function leavesAnotherSuperadmin(username: string) {
  return (eb: ExpressionBuilder<Database, 'users'>) =>
    eb.or([
      eb('users.role', '!=', 'superadmin'),
      eb('users.disabled', '!=', 0),
      eb.exists(
        eb
          .selectFrom('users as other')
          .select('other.id')
          .where('other.role', '=', 'superadmin')
          .where('other.disabled', '=', 0)
          .where('other.username', '!=', username),
      ),
    ])
}

export const lastSuperadmin = () =>
  new AppError('last_superadmin', 'The last active superadmin cannot be demoted, disabled or deleted')
