import type { Kysely } from 'kysely'

/**
 * `tokens.frozen_by`: the username of whoever froze the key, so the owner can lift their own freeze but not an
 * administrator's (a leaked key stopped by an admin stays stopped). Null on a key that is not frozen. Keys already
 * frozen before this column existed keep null: who froze them is unknown, and they are treated as frozen by an
 * administrator (only an admin unfreezes them), which is the safe reading.
 */
export const keyFrozenByMigration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('tokens').addColumn('frozen_by', 'text').execute()
  },
}
