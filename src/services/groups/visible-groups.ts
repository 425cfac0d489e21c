import type { Kysely } from 'kysely'
import type { Database } from '../../infra/db/database-types.ts'

/** Groups a user sees: explicit memberships plus every `all_visible` group. */
export async function visibleGroupIds(db: Kysely<Database>, username: string): Promise<string[]> {
  const rows = await db
    .selectFrom('groups')
    .select('id')
    .where((eb) =>
      eb.or([
        eb('all_visible', '=', 1),
        eb('id', 'in', eb.selectFrom('group_members').select('group_id').where('username', '=', username)),
      ]),
    )
    .execute()
  return rows.map((r) => r.id)
}
