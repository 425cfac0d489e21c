import pg from 'pg'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createDb } from './create-db.ts'
import { PG_ADMIN_URL, requireService } from '../../../test/support/services.ts'

const hasPostgres = await requireService('PostgreSQL', '127.0.0.1', 5432)

describe.runIf(hasPostgres)('createDb on PostgreSQL', () => {
  it('survives a pooled connection ended while idle, reports it, and keeps serving', async () => {
    const errors: Error[] = []
    const handle = createDb({
      kind: 'postgres',
      postgresUrl: PG_ADMIN_URL,
      onIdleConnectionError: (e) => errors.push(e),
    })
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
    await admin.connect()
    try {
      const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(handle.db)
      // The connection is back in the pool, idle; an administrator ends it (as a restart or failover would).
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid])
      await expect.poll(() => errors.length, { timeout: 3000 }).toBeGreaterThan(0)
      const again = await sql<{ one: number }>`SELECT 1 AS one`.execute(handle.db)
      expect(again.rows[0].one).toBe(1)
    } finally {
      await admin.end()
      await handle.close()
    }
  })
})

describe('createDb on SQLite', () => {
  it('keeps statement journals and sorts in memory instead of spilling them to files in /var/tmp', async () => {
    const handle = createDb({ kind: 'sqlite' })
    try {
      const { rows } = await sql<{ temp_store: number | bigint }>`PRAGMA temp_store`.execute(handle.db)
      // 2 = MEMORY (0 would mean a file for every statement journal past 64 KiB).
      expect(Number(rows[0].temp_store)).toBe(2)
    } finally {
      await handle.close()
    }
  })
})
