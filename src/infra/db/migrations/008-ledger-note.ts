import type { Kysely } from 'kysely'

/**
 * A note on a ledger row: why an administrator topped a balance up ("invoice 42"), shown in the balance history
 * (docs/architecture.md, "settlement"). Nullable: the same on SQLite and PostgreSQL, and existing rows (settlements,
 * vouchers, adjustments) simply have none.
 */
export const ledgerNoteMigration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('balance_ledger').addColumn('note', 'text').execute()
  },
}
