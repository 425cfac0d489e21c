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

/**
 * Runs `work` on the SQLite connection at once when no transaction is open on it, else returns null (the caller
 * then waits its turn through withRawSqlite). Safe for work that only reads or commits on its own: better-sqlite3
 * runs every statement synchronously and nothing here streams rows, so between two awaits the connection is idle
 * unless a transaction spans them — which `inTransaction` tells. Saves the hops through Kysely's connection mutex
 * on a request's path. Undefined for PostgreSQL.
 */
export function runRawSqliteNow<T>(
  db: Kysely<Database>,
  work: (sqlite: SQLite.Database) => T,
): { value: T } | null | undefined {
  const sqlite = handles.get(db)
  if (!sqlite) return undefined
  if (sqlite.inTransaction) return null
  return { value: work(sqlite) }
}
