import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'

export interface LostReservationOptions {
  /** Releases one reservation in a transaction; resolves whether there was one (idempotent). */
  release: (requestId: string) => Promise<boolean>
  /**
   * How long after a failure a reservation the gateway gave up on could still be committed by the database (the
   * statement bound, DATABASE_QUERY_TIMEOUT_MS, and a margin): one release runs after it, whatever came before.
   */
  lateCommitMs: number
  baseDelayMs?: number
  maxDelayMs?: number
  now?: () => number
}

/** What the releases have done, for /ready and the future metrics. */
export const lostReservationStats = { pending: 0, released: 0 }

/**
 * A reservation whose answer was lost (the link dropped or the statement timed out after it was sent) may or may
 * not have been written; the request was refused with 503 and will never settle. Holding its estimate until the
 * next start's sweep would lock the user's money out, so its release is retried until it runs, and run once more
 * after the late-commit window (docs/security.md, "database faults"). Releasing a reservation that was never
 * written changes nothing.
 */
export function createLostReservationRelease(options: LostReservationOptions): (requestId: string) => void {
  const baseDelayMs = options.baseDelayMs ?? 250
  const maxDelayMs = options.maxDelayMs ?? 30_000
  const now = options.now ?? Date.now
  const pending = new Set<string>()

  function attempt(requestId: string, failedAt: number, failures: number, delayMs: number): void {
    const timer = setTimeout(() => {
      const startedAt = now()
      options.release(requestId).then(
        (released) => {
          if (released) lostReservationStats.released++
          const windowLeft = failedAt + options.lateCommitMs - startedAt
          if (windowLeft <= 0) {
            pending.delete(requestId)
            lostReservationStats.pending--
            return
          }
          attempt(requestId, failedAt, 0, windowLeft)
        },
        () => attempt(requestId, failedAt, failures + 1, Math.min(maxDelayMs, baseDelayMs * 2 ** failures)),
      )
    }, delayMs)
    // A stopping process does not wait for these: the next start's sweep releases what is left.
    timer.unref()
  }

  return (requestId) => {
    if (pending.has(requestId)) return
    pending.add(requestId)
    lostReservationStats.pending++
    attempt(requestId, now(), 0, baseDelayMs)
  }
}

/** The release through the database's own transaction. */
export function releaseInTransaction(
  db: Kysely<Database>,
  releaseReservation: (trx: Transaction<Database>, requestId: string) => Promise<boolean>,
): (requestId: string) => Promise<boolean> {
  return (requestId) => db.transaction().execute((trx) => releaseReservation(trx, requestId))
}
