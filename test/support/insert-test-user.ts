import type { Kysely } from 'kysely'
import type { Database } from '../../src/infra/db/database-types.ts'
import type { Role } from '../../src/contracts/users.ts'
import { newId } from '../../src/infra/ids.ts'

/** A local user written straight to the database: no password unless a hash is given, never logged in. */
export async function insertTestUser(
  db: Kysely<Database>,
  user: { username: string; quotaNano: bigint | null; passwordHash?: string | null; role?: Role },
): Promise<void> {
  const now = Date.now()
  await db
    .insertInto('users')
    .values({
      id: newId(),
      username: user.username,
      display_name: null,
      auth_source: 'local',
      password_hash: user.passwordHash ?? null,
      role: user.role ?? 'user',
      quota_nano: user.quotaNano,
      used_nano: 0,
      reserved_nano: 0,
      disabled: 0,
      last_login_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute()
}
