import type { Kysely } from 'kysely'
import type { Database } from '../db/database-types.ts'
import { newTimeOrderedId } from '../ids.ts'
import type { CacheChange } from './invalidation-bus.ts'

/** How long a change stays in `cache_changes`: far longer than any gateway's window reads back. */
export const CACHE_CHANGES_KEPT_MS = 60 * 60 * 1000

/**
 * Writes changes that made caches stale to `cache_changes`, where every running gateway reads them within a
 * second (watch-cache-changes.ts) — with or without Redis, from any process that shares the database (the CLI,
 * another gateway). Circuit changes are runtime state, not written. Rows older than an hour go at the same time.
 * Wall-clock time (Date.now), which the readers compare with their own. Resolves with the rows' ids.
 */
export async function recordCacheChanges(
  db: Kysely<Database>,
  changes: readonly CacheChange[],
  now: number = Date.now(),
): Promise<string[]> {
  const rows = changes
    .filter((c) => c.what !== 'circuit')
    .map((c) => ({ id: newTimeOrderedId(now), what: c.what, target: c.id ?? null, at: now }))
  if (rows.length === 0) return []
  await db.insertInto('cache_changes').values(rows).execute()
  await db
    .deleteFrom('cache_changes')
    .where('at', '<', now - CACHE_CHANGES_KEPT_MS)
    .execute()
  return rows.map((r) => r.id)
}
