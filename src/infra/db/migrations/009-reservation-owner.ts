import type { Kysely } from 'kysely'

/**
 * Who holds a reservation (docs/architecture.md, "Several workers and hosts"): each gateway process registers
 * itself in `gateway_instances` and beats a heartbeat there; its reservations carry its id. The sweep releases only
 * the holds of an instance whose heartbeat stopped, so a process starting later (another worker, another host)
 * never releases a live process's holds. Rows written before this have no owner (NULL).
 */
export const reservationOwnerMigration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('reservations').addColumn('instance_id', 'text').execute()
    await db.schema
      .createTable('gateway_instances')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('host', 'text', (c) => c.notNull())
      .addColumn('pid', 'integer', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
      .execute()
  },
}
