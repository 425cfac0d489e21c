import type { Kysely } from 'kysely'

/**
 * Changes that make gateways' caches stale, written where they are made (the CLI, the admin API) and read by every
 * running gateway four times a second (src/infra/cluster/watch-cache-changes.ts): the channel between processes that
 * needs no Redis (docs/architecture.md, "Caches across processes"). Rows are kept an hour.
 */
export const cacheChangesMigration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('cache_changes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('what', 'text', (c) => c.notNull())
      .addColumn('target', 'text')
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema.createIndex('cache_changes_at_idx').on('cache_changes').column('at').execute()
  },
}
