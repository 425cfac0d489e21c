import type { Kysely } from 'kysely'
import type { Database } from '../../infra/db/database-types.ts'
import type { Clock } from '../../infra/clock.ts'
import type { ChangePasswordBody } from '../../contracts/users.ts'
import { hashPassword, verifyPassword } from '../../infra/crypto/password-hash.ts'
import { toNum } from '../../infra/db/convert-row-values.ts'
import { AppError, forbidden } from '../../domain/errors.ts'
import { awaitLoginTurn, type LoginDeps } from './login.ts'

/** What the check hands the change: the hash it verified against, and the new one. */
export interface CheckedPasswordChange {
  oldHash: string
  newHash: string
}

/** A form-level refusal (400), not a 401: the dashboard reads any 401 as "signed out". */
const refuse = (field: string, message: string) =>
  new AppError('validation_error', `${field}: ${message}`, {
    fields: [{ field, message: `${field}: ${message}` }],
  })

/**
 * Checks a user's own password change before any write: only local accounts have a password here (a directory
 * account changes it in the directory), the current password must be right, and each guess counts against the
 * login throttle like a failed login (docs/dashboard.md, "Account"), so the form is no side door for guessing.
 * Both hashes are made here, outside any transaction: on SQLite one holds the single connection meanwhile.
 */
export async function checkOwnPasswordChange(
  deps: { db: Kysely<Database> } & Pick<LoginDeps, 'throttle' | 'logger' | 'wait'>,
  username: string,
  ip: string,
  body: ChangePasswordBody,
): Promise<CheckedPasswordChange> {
  const row = await deps.db
    .selectFrom('users')
    .select(['auth_source', 'password_hash'])
    .where('username', '=', username)
    .executeTakeFirst()
  if (!row || row.auth_source !== 'local' || !row.password_hash) {
    throw forbidden(
      'Only local accounts change their password here; a directory (LDAP) account changes it there',
    )
  }
  await awaitLoginTurn(deps, username, ip)
  if (!(await verifyPassword(body.current_password, row.password_hash))) {
    deps.throttle.recordFailure(username, ip)
    throw refuse('current_password', 'is not your current password')
  }
  deps.throttle.recordSuccess(username, ip)
  if (body.new_password === body.current_password) {
    throw refuse('new_password', 'must differ from the current password')
  }
  return { oldHash: row.password_hash, newHash: await hashPassword(body.new_password) }
}

/**
 * Stores the new password and ends every session issued before (session-version.ts), in one statement that
 * only applies while the password is still the one checked: of two changes racing, the second is refused.
 * Returns the new session version, for the caller's own session to be issued again.
 */
export async function applyOwnPasswordChange(
  db: Kysely<Database>,
  clock: Clock,
  username: string,
  checked: CheckedPasswordChange,
): Promise<{ userId: string; sessionVersion: number }> {
  const row = await db
    .updateTable('users')
    .set((eb) => ({
      password_hash: checked.newHash,
      session_version: eb('session_version', '+', 1),
      updated_at: clock.now(),
    }))
    .where('username', '=', username)
    .where('password_hash', '=', checked.oldHash)
    .returning(['id', 'session_version'])
    .executeTakeFirst()
  if (!row) throw new AppError('conflict', 'The password was changed meanwhile; sign in again')
  return { userId: row.id, sessionVersion: toNum(row.session_version) }
}
