import type { Kysely } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import type { Clock } from '../infra/clock.ts'
import type { RateLimiter } from '../infra/rate-limit/rate-limiter-types.ts'
import { admitFunds, type AdmissionFacts, type AdmissionResult } from './admit-funds.ts'
import { createReservationWriter, sweepReservations } from './reserve-funds.ts'
import { createSettlementWriter } from './settle-usage.ts'
import { settleRequest, type SettleDeps, type SettlementFacts } from './settle-request.ts'
import type { Settlement } from './settlement.ts'
import type { RetryLogger } from './retry-settlements.ts'
import { createMemoryHolds } from './hold-funds-in-memory.ts'
import type { HoldsKept } from '../infra/db/claim-sqlite-holds.ts'

export interface BillingDeps {
  db: Kysely<Database>
  clock: Clock
  limiter: RateLimiter
  prices: SettleDeps['prices']
  logger: RetryLogger
  /** The data folder, where settlements the database refuses wait until they land (settlement-journal.ts). */
  journalDir?: string
  /** How long a reservation whose answer was lost may still be committed (release-lost-reservations.ts). */
  lateCommitMs?: number
  /** This process's id in `gateway_instances`; its reservations carry it (reserve-funds.ts, the orphan sweep). */
  instanceId?: string
  /**
   * Where holds are kept: `database` (reservation rows, every process sharing the database sees them) or
   * `memory` (hold-funds-in-memory.ts; only for the one process reserving against a SQLite file, which
   * claim-sqlite-holds.ts establishes).
   */
  holdsKept?: HoldsKept
}

/**
 * Money, behind two calls (docs/architecture.md, "reservation" and "settlement"): `admit` decides a request on its
 * facts — rate limits, packages, the hold of its estimate — and `settle` charges what it used once it finished.
 * Both take plain values, never the proxy's types, and return what they decided; the caller records it. The writers
 * (database, clock, journal) come in here, one reservation and one settlement writer per gateway, so requests
 * that arrive together share their commits.
 */
export function createBilling(deps: BillingDeps) {
  // Settlements waiting for the database make holds in memory check that it takes writes (hold-funds-in-memory.ts).
  let settlementsPending = (): number => 0
  const holds =
    deps.holdsKept === 'memory'
      ? createMemoryHolds(deps.db, { writesInDoubt: () => settlementsPending() > 0 })
      : null
  const reservations =
    holds ??
    createReservationWriter(deps.db, {
      lateCommitMs: deps.lateCommitMs,
      instanceId: deps.instanceId,
    })
  const settlements = createSettlementWriter(deps.db, {
    journalDir: deps.journalDir,
    logger: deps.logger,
    releaseHold: holds?.release,
  })
  settlementsPending = settlements.pending
  const settleDeps: SettleDeps = { ...deps, settlements }
  return {
    admit: (facts: AdmissionFacts): Promise<AdmissionResult> =>
      admitFunds({ limiter: deps.limiter, reserve: reservations.reserve }, facts),
    /** Holds kept in this process's memory, or null when they are reservation rows. */
    memoryHolds: holds,
    settle: (facts: SettlementFacts): Promise<Settlement> => settleRequest(settleDeps, facts),
    /** Settlements waiting for the database: written at start, flushed at shutdown (settle-usage.ts). */
    settlements,
    /** Releases reservations created before `olderThan` (ms since the epoch) whose request never settled. */
    sweep: (olderThan: number): Promise<number> => sweepReservations(deps.db, olderThan),
  }
}
export type Billing = ReturnType<typeof createBilling>
