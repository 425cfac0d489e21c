import type SQLite from 'better-sqlite3'
import type { Kysely } from 'kysely'
import type { Database } from './database-types.ts'

/** The better-sqlite3 handle behind each SQLite Kysely instance. */
const handles = new WeakMap<Kysely<Database>, SQLite.Database>()

export function registerRawSqlite(db: Kysely<Database>, sqlite: SQLite.Database): void {
  handles.set(db, sqlite)
}

/**
 * Runs `work` synchronously on the SQLite connection while holding Kysely's hold on it, or returns undefined for
 * PostgreSQL. A handful of statements that run on every request cost several times more as separate awaited
 * Kysely queries than as one synchronous block. Holding the connection through Kysely is what makes this safe:
 * no Kysely transaction can be open on it meanwhile, so the raw statements can never end up inside one, and
 * nothing yields until `work` returns.
 */
export async function withRawSqlite<T>(
  db: Kysely<Database>,
  work: (sqlite: SQLite.Database) => T,
): Promise<{ value: T } | undefined> {
  const sqlite = handles.get(db)
  if (!sqlite) return undefined
  return db.connection().execute(async () => ({ value: work(sqlite) }))
}
