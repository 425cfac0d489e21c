import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import { retryStaleSnapshot } from '../infra/db/retry-stale-snapshot.ts'

/**
 * Runs `fn` in a transaction, or in the caller's when `db` already is one: a service that needs its writes to be
 * atomic can then also be part of a larger change (an admin change and its audit row commit together).
 */
export function runInTransaction<T>(
  db: Kysely<Database>,
  fn: (trx: Transaction<Database> | Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return fn(db)
  return retryStaleSnapshot(() => db.transaction().execute(fn))
}
