import { realpathSync } from 'node:fs'
import SQLite from 'better-sqlite3'

/** Where a gateway process keeps its reservations' holds (docs/architecture.md, "Reservations in memory"). */
export type HoldsKept = 'memory' | 'database'

export interface HoldsClaim {
  kept: HoldsKept
  /** Lets other processes claim the file (at close; the operating system does it when the process dies). */
  release(): void
}

/** Another gateway process keeps its holds in memory: this one must not reserve against the same file. */
export class HoldsClaimedError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'HoldsClaimedError'
  }
}

/** Claims not yet released: referenced here so that a collected connection cannot drop its lock. */
const live = new Set<SQLite.Database>()

function isBusy(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'SQLITE_BUSY'
}

/**
 * Claims the SQLite database's reservations for this process, through a lock on a file beside it
 * (`gateway.db-holds`, a SQLite file used only for its lock): exclusive to keep holds in memory, shared to keep them
 * in the database's rows. Holds kept in one process's memory are invisible to every other process, so no other
 * gateway process may reserve against the same file while one does — and the check must not depend on anyone's
 * configuration being right.
 *
 * - `memory` wanted: the exclusive lock; if another process already reserves through the rows (cluster workers,
 *   another instance), this one does too (`database`), which is always safe among processes that share the rows.
 * - `database` wanted, or fallen back to: the shared lock; refused with HoldsClaimedError while a process keeps its
 *   holds in memory.
 *
 * Null for `:memory:`, which no other process can open.
 *
 * SQLite's own locks do the work (`locking_mode=EXCLUSIVE` keeps them for the connection's life; no busy wait), so
 * two connections in one process exclude each other too. The CLI never reserves and never takes this lock.
 */
export function claimSqliteHolds(databasePath: string, want: HoldsKept): HoldsClaim | null {
  // An in-memory database is this connection's alone: no other process can reserve against it, nothing to lock.
  if (databasePath === ':memory:') return null
  // SQLite follows a symlinked database file to the real one; the lock must sit beside the real one too, or two
  // paths to one file would get two locks. (A hard link, or deleting the lock file, still defeats it.)
  const lockFile = `${realpathSync(databasePath)}-holds`
  const claim = (kept: HoldsKept): HoldsClaim | null => {
    const conn = new SQLite(lockFile, { timeout: 0 })
    try {
      conn.pragma('locking_mode = EXCLUSIVE')
      // No rollback journal on disk for a file that only carries a lock.
      conn.pragma('journal_mode = MEMORY')
      if (kept === 'memory') {
        // A write is what makes SQLite take (and, in exclusive locking mode, keep) the exclusive lock.
        conn.exec('BEGIN EXCLUSIVE')
        conn.pragma(`user_version = ${process.pid % 2_000_000_000}`)
        conn.exec('COMMIT')
      } else {
        conn.prepare('SELECT count(*) FROM sqlite_schema').get()
      }
    } catch (err) {
      conn.close()
      if (isBusy(err)) return null
      throw err
    }
    live.add(conn)
    return {
      kept,
      release: () => {
        if (live.delete(conn)) conn.close()
      },
    }
  }
  if (want === 'memory') {
    const exclusive = claim('memory')
    if (exclusive) return exclusive
  }
  const shared = claim('database')
  if (shared) return shared
  throw new HoldsClaimedError(
    `another gateway process keeps the reservations of ${databasePath} in its memory (WORKERS=1); ` +
      'run one gateway per SQLite file (WORKERS=n for several processes), or PostgreSQL for several hosts',
  )
}
