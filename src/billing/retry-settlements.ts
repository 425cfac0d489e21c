import type { Settlement } from './settlement.ts'
import { isDuplicateKeyError } from '../infra/db/classify-database-error.ts'
import { settlementStats } from './settlement-stats.ts'
import type { SettlementJournal } from './settlement-journal.ts'
import { errorMessage } from '../domain/errors.ts'

export interface RetryLogger {
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
  info(obj: object, msg: string): void
}

export interface SettlementRetryOptions {
  /** One attempt at writing a settlement (the group commit: retries gather into batches as live ones do). */
  write: (settlement: Settlement) => Promise<unknown>
  /** Where waiting settlements are kept on disk until they land; none: in memory only. */
  journal?: SettlementJournal
  logger?: RetryLogger
  /** First wait before a retry, doubled after each failed round up to `maxDelayMs`. */
  baseDelayMs?: number
  maxDelayMs?: number
}

/**
 * Settlements the database refused, retried until they land: rounds of retries with exponential backoff (and
 * jitter, so gateways sharing a database do not retry in step). A retry that finds its usage row already written
 * has landed (an earlier attempt committed, its answer was lost). Exactly once holds because the usage row's request
 * id is unique and written in the same transaction as the rest of the settlement.
 */
export function createSettlementRetry(options: SettlementRetryOptions) {
  const baseDelayMs = options.baseDelayMs ?? 250
  const maxDelayMs = options.maxDelayMs ?? 30_000
  const pending = new Map<string, { s: Settlement; attempts: number }>()
  let timer: NodeJS.Timeout | null = null
  let failedRounds = 0
  let round: Promise<void> | null = null
  let stopped = false

  function schedule(): void {
    if (timer || round || stopped || pending.size === 0) return
    const delay =
      Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(failedRounds, 20)) * (0.8 + Math.random() * 0.4)
    timer = setTimeout(() => {
      timer = null
      void runRound()
    }, delay)
    // Pending settlements never keep a stopping process alive: shutdown flushes them, and the journal keeps them.
    timer.unref()
  }

  function landed(requestId: string): void {
    if (!pending.delete(requestId)) return
    settlementStats.pending--
    settlementStats.recovered++
    if (pending.size === 0) options.journal?.clear()
  }

  function runRound(): Promise<void> {
    if (round) return round
    round = (async () => {
      const items = [...pending.values()]
      const results = await Promise.allSettled(items.map((p) => options.write(p.s)))
      let failed = 0
      let lastError: unknown = null
      results.forEach((r, i) => {
        if (r.status === 'fulfilled' || isDuplicateKeyError(r.reason)) landed(items[i].s.requestId)
        else {
          items[i].attempts++
          failed++
          lastError = r.reason
          settlementStats.failedAttempts++
        }
      })
      if (failed > 0) {
        failedRounds++
        options.logger?.warn(
          { pending: pending.size, failed, round: failedRounds, err: errorMessage(lastError) },
          'settlements still refused by the database; retrying',
        )
      } else {
        if (items.length > 0)
          options.logger?.info({ written: items.length }, 'settlements refused earlier have landed')
        failedRounds = 0
      }
    })().finally(() => {
      round = null
      schedule()
    })
    return round
  }

  /** Writes what the journal holds now (the gateway stops); false, and logged, when the disk refused it. */
  function flushJournal(settlements: number): boolean {
    try {
      options.journal?.flush()
      return true
    } catch (err) {
      options.logger?.error(
        { err: errorMessage(err), settlements },
        'could not keep waiting settlements on disk',
      )
      return false
    }
  }

  function leaveForNextStart(settlement: Settlement): void {
    settlementStats.leftForNextStart++
    // Its write failure, if any, is the flush's: the record only buffers the line.
    options.journal?.record(settlement, () => undefined)
    if (!flushJournal(1)) return
    options.logger?.warn(
      { requestId: settlement.requestId },
      'settlement refused by the database while the gateway stops; it lands at the next start',
    )
  }

  return {
    /** A settlement whose write failed: kept (on disk too) and retried until it lands. */
    add(settlement: Settlement, err: unknown): void {
      settlementStats.failedAttempts++
      if (pending.has(settlement.requestId)) return
      if (stopped) {
        // Refused after the retries stopped (a settlement still in flight at shutdown): no round will come, so it
        // goes straight to disk for the next start, as what still waited at stop() did, and counts as such.
        leaveForNextStart(settlement)
        return
      }
      pending.set(settlement.requestId, { s: settlement, attempts: 1 })
      settlementStats.pending++
      options.journal?.record(settlement, (journalErr) =>
        options.logger?.error(
          { err: errorMessage(journalErr) },
          'could not keep waiting settlements on disk; they are retried from memory only',
        ),
      )
      options.logger?.warn(
        { requestId: settlement.requestId, pending: pending.size, err: errorMessage(err) },
        'settlement refused by the database; it is retried until it lands',
      )
      schedule()
    },
    size: () => pending.size,
    has: (requestId: string) => pending.has(requestId),
    /**
     * Retries every waiting settlement now, and again until all have landed or `timeoutMs` has passed (shutdown).
     * Resolves with how many still wait.
     */
    async flush(timeoutMs: number): Promise<number> {
      const until = Date.now() + timeoutMs
      while (pending.size > 0 && Date.now() < until) {
        if (timer) {
          clearTimeout(timer)
          timer = null
        }
        await runRound()
        if (pending.size > 0) {
          const wait = Math.min(250, until - Date.now())
          if (wait > 0) await new Promise((r) => setTimeout(r, wait))
        }
      }
      return pending.size
    },
    /** No more rounds (the gateway stops); what still waits stays in the journal for the next start. */
    stop(): number {
      stopped = true
      if (timer) clearTimeout(timer)
      timer = null
      const left = pending.size
      if (left > 0) flushJournal(left)
      if (left > 0) {
        settlementStats.pending -= left
        settlementStats.leftForNextStart += left
        pending.clear()
      }
      return left
    },
  }
}
