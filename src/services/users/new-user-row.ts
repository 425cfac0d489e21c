import type { Insertable } from 'kysely'
import type { UsersTable } from '../../infra/db/database-types.ts'
import { newId } from '../../infra/ids.ts'
import { canonicalUsername, usernameSkeleton } from '../../domain/auth/canonical-username.ts'

/**
 * The row of a user who has just been created: a new id, nothing used or reserved, enabled, created and updated
 * `now`. Every place that creates users (bootstrap, the admin API, the first LDAP login) writes this same row.
 * The name's skeleton is unique in the table, so a look-alike of an existing name fails to insert.
 */
export function newUserRow(user: {
  username: string
  authSource: UsersTable['auth_source']
  role: UsersTable['role']
  quotaNano: bigint | number | null
  passwordHash?: string | null
  displayName?: string | null
  lastLoginAt?: number | null
  now: number
}): Insertable<UsersTable> {
  return {
    id: newId(),
    username: user.username,
    username_skeleton: usernameSkeleton(canonicalUsername(user.username)),
    display_name: user.displayName ?? null,
    auth_source: user.authSource,
    password_hash: user.passwordHash ?? null,
    role: user.role,
    quota_nano: user.quotaNano,
    used_nano: 0,
    reserved_nano: 0,
    disabled: 0,
    last_login_at: user.lastLoginAt ?? null,
    created_at: user.now,
    updated_at: user.now,
  }
}
