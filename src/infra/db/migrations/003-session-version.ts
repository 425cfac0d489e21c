import { sql, type Kysely } from 'kysely'
import {
  RESERVED_USERNAME,
  canonicalUsername,
  isReservedUsername,
  usernameSkeleton,
} from '../../../domain/auth/canonical-username.ts'

/**
 * Sessions and usernames:
 * - `users.session_version`: a dashboard session names the user's id and this number; changing the password,
 *   the role or disabling the user bumps it, which ends every session issued before.
 * - `users.username_skeleton`: what the name looks like (see canonical-username.ts), unique, so a look-alike of
 *   an existing name (`аdmin` with a Cyrillic а next to `admin`) cannot be created, not even by two requests at
 *   once. Existing rows get theirs here; where two existing names already look alike the older keeps it.
 * - A row holding the reserved break-glass name (any case or form) is disabled: it can only have come from a
 *   directory account named like it, before such names were refused.
 */
export const sessionVersionMigration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('users')
      .addColumn('session_version', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute()
    await db.schema.alterTable('users').addColumn('username_skeleton', 'text').execute()

    const rows = await sql<{ id: string; username: string }>`
      select id, username from users order by created_at, id`.execute(db)
    const taken = new Set<string>()
    for (const row of rows.rows) {
      const skeleton = usernameSkeleton(canonicalUsername(row.username))
      const reserved = isReservedUsername(row.username) || skeleton === RESERVED_USERNAME
      if (reserved) {
        await sql`update users set disabled = 1, session_version = session_version + 1 where id = ${row.id}`.execute(
          db,
        )
      }
      if (taken.has(skeleton)) continue
      taken.add(skeleton)
      await sql`update users set username_skeleton = ${skeleton} where id = ${row.id}`.execute(db)
    }
    await db.schema
      .createIndex('users_username_skeleton')
      .unique()
      .on('users')
      .column('username_skeleton')
      .execute()
  },
}
