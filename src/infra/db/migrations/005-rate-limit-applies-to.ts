import type { Kysely } from 'kysely'

/**
 * Whom a group's rate-limit rule applies to (README, "Rate limits and packages"): `bound_keys` (keys bound to
 * the group: the original's rule, and the default for every existing rule) or `all_keys` (also personal keys
 * that route through the group). Text with a default works the same on SQLite and PostgreSQL.
 */
export const rateLimitAppliesToMigration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('rate_limits')
      .addColumn('applies_to', 'text', (c) => c.notNull().defaultTo('bound_keys'))
      .execute()
  },
}
