import type { Kysely } from 'kysely'

/**
 * The client's address on each usage row, as the gateway saw it (the socket's peer, or the address a trusted proxy
 * forwarded; docs/dashboard.md, "Logs"), so admins can find one client's requests in Logs. Nullable: rows written before it
 * have none. The index serves the Logs page's IP filter as (channel_id, created_at) serves its channel filter.
 */
export const usageClientIpMigration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('usage_logs').addColumn('client_ip', 'text').execute()
    await db.schema
      .createIndex('usage_logs_client_ip_idx')
      .on('usage_logs')
      .columns(['client_ip', 'created_at'])
      .execute()
  },
}
