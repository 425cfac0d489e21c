import type { Kysely } from 'kysely'

/** Open admission reservations, so a crash cannot leave money held forever: rows left at start are released. */
export const reservationsMigration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('reservations')
      .addColumn('request_id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text')
      .addColumn('token_id', 'text')
      .addColumn('user_amount_nano', 'bigint', (c) => c.notNull())
      .addColumn('token_amount_nano', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute()
  },
}
