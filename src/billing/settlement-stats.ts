/**
 * Process-wide settlement counters, shown in `/ready` and kept as plain numbers so that metrics can read them
 * too. Every gateway instance of the process adds to the same counters.
 */
export const settlementStats = {
  /** Settlement writes that failed (every attempt counts, the first included). */
  failedAttempts: 0,
  /** Settlements written after at least one failed attempt. */
  recovered: 0,
  /** Settlements waiting for their next attempt now. */
  pending: 0,
  /** Settlements still refused when the gateway stopped, left in the data folder for the next start. */
  leftForNextStart: 0,
  /** Settlements of an earlier run written at start. */
  replayed: 0,
}

export type SettlementStats = typeof settlementStats

/** A copy of the counters, for a status answer. */
export function readSettlementStats(): SettlementStats {
  return { ...settlementStats }
}
