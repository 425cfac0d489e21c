import type { Kysely } from 'kysely'
import type { Database } from '../../src/infra/db/database-types.ts'
import type { Role } from '../../src/contracts/users.ts'
import { newUserRow } from '../../src/services/users/new-user-row.ts'

/** A local user written straight to the database: no password unless a hash is given, never logged in. */
export async function insertTestUser(
  db: Kysely<Database>,
  user: { username: string; quotaNano: bigint | null; passwordHash?: string | null; role?: Role },
): Promise<void> {
  await db
    .insertInto('users')
    .values(
      newUserRow({
        username: user.username,
        authSource: 'local',
        passwordHash: user.passwordHash ?? null,
        role: user.role ?? 'user',
        quotaNano: user.quotaNano,
        now: Date.now(),
      }),
    )
    .execute()
}
