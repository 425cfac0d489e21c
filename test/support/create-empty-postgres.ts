import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { PG_ADMIN_URL } from './services.ts'

export interface EmptyPostgres {
  /** DATABASE_URL of the new database. */
  url: string
  drop(): Promise<void>
}

/** A new, empty PostgreSQL database (no tables), as an operator creates one for the gateway. */
export async function createEmptyPostgres(prefix = 'gw_empty'): Promise<EmptyPostgres> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  return {
    url: PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await c.end()
    },
  }
}
