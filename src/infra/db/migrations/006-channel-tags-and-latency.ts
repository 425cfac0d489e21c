import type { Kysely } from 'kysely'

/**
 * Channel tags (free labels the Channels page filters by, stored as a JSON array in text like `models`) and the
 * last test's response time and moment (the page's response-time column; docs/channels.md). Nullable or
 * defaulted columns: the same on SQLite and PostgreSQL, and existing channels stay untagged and untimed.
 * The index serves the Logs page's channel filter as the (token_id, created_at) one serves its key filter.
 */
export const channelTagsAndLatencyMigration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('channels')
      .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute()
    await db.schema.alterTable('channels').addColumn('response_ms', 'integer').execute()
    await db.schema.alterTable('channels').addColumn('tested_at', 'bigint').execute()
    await db.schema
      .createIndex('usage_logs_channel_idx')
      .on('usage_logs')
      .columns(['channel_id', 'created_at'])
      .execute()
  },
}
