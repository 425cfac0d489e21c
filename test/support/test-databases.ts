import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { createDb, migrate, type Db, type DbKind } from '../../src/infra/db/create-db.ts'
import { PG_ADMIN_URL, requireService } from './services.ts'

export interface TestDatabase {
  kind: DbKind
  /** DATABASE_URL for a gateway process using this database. */
  url: string
  db: Db
  dir: string
  drop(): Promise<void>
}

/** The database kinds every repository and money suite runs on. */
export async function testDbKinds(): Promise<DbKind[]> {
  const kinds: DbKind[] = ['sqlite']
  if (await requireService('PostgreSQL', '127.0.0.1', 5432)) kinds.push('postgres')
  return kinds
}

/** A fresh, migrated database: a temp SQLite file, or a new PostgreSQL database of its own (tests run in parallel). */
export async function createTestDatabase(kind: DbKind): Promise<TestDatabase> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-test-'))
  if (kind === 'sqlite') {
    const file = path.join(dir, 'gateway.db')
    // As the gateway opens its database (app.ts): WAL checkpoints on their own thread.
    const db = createDb({ kind, sqlitePath: file, checkpointInBackground: true })
    await migrate(db)
    return {
      kind,
      url: `sqlite:${file}`,
      db,
      dir,
      drop: async () => {
        await db.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  const name = `gw_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`)
  const db = createDb({ kind, postgresUrl: url, poolSize: 20 })
  await migrate(db)
  return {
    kind,
    url,
    db,
    dir,
    drop: async () => {
      await db.close()
      const c = new pg.Client({ connectionString: PG_ADMIN_URL })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await c.end()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
