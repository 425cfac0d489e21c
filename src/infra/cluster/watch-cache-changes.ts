import type { Kysely } from 'kysely'
import type { Database } from '../db/database-types.ts'
import { toNum } from '../db/convert-row-values.ts'
import { readCacheChange, type CacheChange } from './invalidation-bus.ts'

export interface CacheChangeWatch {
  /** Reads what is new now (tests; the timer calls it too). Never rejects. */
  poll(): Promise<void>
  /** Changes this process wrote and has applied already: not applied again when read back. */
  skip(ids: readonly string[]): void
  stop(): void
}

export interface WatchCacheChangesOptions {
  db: Kysely<Database>
  /** Drops what a change made stale (app.ts `applyChange`). */
  apply: (change: CacheChange) => void
  onError: (err: unknown) => void
  /** Default 250 ms: a change reaches this process within about that, well within a second. */
  intervalMs?: number
  /**
   * How far back each read looks. Rows are read by their time, not by a cursor of ids, so a change committed late
   * (a writer's transaction that took a moment) is still seen; ids already applied are skipped. Default 30 s.
   */
  windowMs?: number
  now?: () => number
}

/**
 * Every running gateway reads `cache_changes` (record-cache-changes.ts) on a timer and applies what it has not yet
 * applied: changes made by another process reach its caches within a second even without Redis (docs/architecture.md,
 * "Caches across processes"). Applying a change twice (heard over Redis or from the primary as well) only drops a
 * cache entry twice. The timer never keeps the process alive; a failed read is reported and retried next time.
 */
export function watchCacheChanges(opts: WatchCacheChangesOptions): CacheChangeWatch {
  const now = opts.now ?? Date.now
  const windowMs = opts.windowMs ?? 30_000
  /** Ids applied, with their time, forgotten once they fall out of the window. */
  const applied = new Map<string, number>()
  let running: Promise<void> | null = null
  let stopped = false

  const read = async (): Promise<void> => {
    const since = now() - windowMs
    const rows = await opts.db
      .selectFrom('cache_changes')
      .select(['id', 'what', 'target', 'at'])
      .where('at', '>', since)
      .orderBy('at')
      .execute()
    for (const row of rows) {
      if (applied.has(row.id)) continue
      applied.set(row.id, toNum(row.at))
      const change = readCacheChange({ what: row.what, id: row.target ?? undefined })
      if (change && !stopped) opts.apply(change)
    }
    for (const [id, at] of applied) if (at <= since) applied.delete(id)
  }

  const poll = (): Promise<void> => {
    // One read at a time: a slow database is not asked again before it answered.
    running ??= read()
      // A read cut short by the shutdown that stopped the watch is not worth a warning.
      .catch((err: unknown) => {
        if (!stopped) opts.onError(err)
      })
      .finally(() => (running = null))
    return running
  }
  const timer = setInterval(() => void poll(), opts.intervalMs ?? 250)
  timer.unref()
  return {
    poll,
    skip: (ids) => {
      const at = now()
      for (const id of ids) applied.set(id, at)
    },
    stop: () => {
      stopped = true
      clearInterval(timer)
    },
  }
}
