import type SQLite from 'better-sqlite3'
import type { Kysely } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import { runRawSqliteNow, withRawSqlite } from '../infra/db/raw-sqlite.ts'
import { RESERVED, type ReservationRequest, type ReservationResult } from './reservation-statements.ts'

/** What one admitted request holds, and against whom. */
interface Hold {
  username: string | null
  keyId: string
  userAmount: bigint
  keyAmount: bigint
}

/**
 * The user's and the key's money as committed, as one row of columns in MONEY_SQL's order (a raw row: building an
 * object with seven named fields for every request cost more than the read itself; docs/performance.md). The
 * `found` columns are 0 when there is no such row.
 */
type MoneyRow = [
  keyFound: bigint,
  keyQuota: bigint | number | null,
  keyUsed: bigint | number | null,
  keyReserved: bigint | number | null,
  userFound: bigint,
  userQuota: bigint | number | null,
  userReserved: bigint | number | null,
]

/**
 * Both rows in one statement, so one read transaction (one take of the WAL's read lock) and no BEGIN or COMMIT
 * of its own: on the request path that is about half of what a transaction of two SELECTs costs.
 */
const MONEY_SQL =
  'SELECT t.id IS NOT NULL AS key_found, t.quota_nano AS key_quota, t.used_nano AS key_used, ' +
  't.reserved_nano AS key_reserved, u.username IS NOT NULL AS user_found, u.quota_nano AS user_quota, ' +
  'u.reserved_nano AS user_reserved ' +
  'FROM (SELECT 1) AS one LEFT JOIN tokens t ON t.id = ? LEFT JOIN users u ON u.username = ?'

type Decide = (request: ReservationRequest) => ReservationResult

/** An integer column as a bigint; a REAL someone wrote by hand comes back as a number. */
function big(v: bigint | number | null): bigint | null {
  if (v === null || typeof v === 'bigint') return v
  return BigInt(Math.trunc(v))
}

function addTo(map: Map<string, bigint>, id: string, amount: bigint): void {
  map.set(id, (map.get(id) ?? 0n) + amount)
}

function takeFrom(map: Map<string, bigint>, id: string, amount: bigint): void {
  const left = (map.get(id) ?? 0n) - amount
  if (left === 0n) map.delete(id)
  else map.set(id, left)
}

export interface MemoryHoldsOptions {
  /**
   * True while settlements wait for the database (settle-usage.ts): each admission then first commits a write that
   * changes nothing (the key's row), so it fails exactly when the database refuses writes — as the reservation
   * row's commit would — instead of admitting requests whose charges could only wait in memory and the journal.
   */
  writesInDoubt?: () => boolean
}

/**
 * Reservations kept in this process's memory (docs/architecture.md, "Reservations in memory"), for a gateway that
 * is the only process reserving against its SQLite file (one process, WORKERS=1; claim-sqlite-holds.ts makes sure).
 *
 * The decision is the one the conditional updates of reserve-funds.ts make — the user's balance after what it holds
 * covers the amount (so a negative balance admits nothing), the key's cap (if any) after what it used and holds
 * covers its amount — read from the rows as committed, plus what this process holds in memory. Reading both rows
 * and recording the hold happen in one synchronous step with no await in between, on the one thread that decides
 * every reservation of this file: no other admission can come between the check and the hold. A crash drops the
 * holds with the requests that held them, so nothing is left to sweep. What it saves is the commit the database
 * path pays on every quiet request before the provider is called (docs/performance.md).
 *
 * Rows written by the database path (`reserved_nano`, left by an earlier run before the start-up sweep released
 * them) still count, so both kinds of hold are respected.
 */
export function createMemoryHolds(db: Kysely<Database>, opts: MemoryHoldsOptions = {}) {
  const writesInDoubt = opts.writesInDoubt ?? (() => false)
  const byUser = new Map<string, bigint>()
  const byKey = new Map<string, bigint>()
  const byRequest = new Map<string, Hold>()
  let made: { sqlite: SQLite.Database; decide: Decide } | null = null

  function decideWith(money: SQLite.Statement, probe: SQLite.Statement): Decide {
    return (r) => {
      if (byRequest.has(r.requestId)) throw new Error(`request ${r.requestId} already holds funds`)
      if (writesInDoubt()) probe.run(r.keyId)
      const [keyFound, keyQuota, keyUsed, keyReserved, userFound, userQuota, userReserved] = money.get(
        r.keyId,
        r.username,
      ) as MoneyRow
      if (r.username) {
        if (!userFound) return { ok: false, reason: 'balance' }
        const quota = big(userQuota)
        if (quota !== null) {
          const left = quota - (big(userReserved) ?? 0n) - (byUser.get(r.username) ?? 0n)
          if (left < r.userAmount) return { ok: false, reason: 'balance' }
        }
      }
      if (!keyFound) return { ok: false, reason: 'key_cap' }
      const cap = big(keyQuota)
      if (cap !== null && cap > 0n) {
        const left = cap - (big(keyUsed) ?? 0n) - (big(keyReserved) ?? 0n) - (byKey.get(r.keyId) ?? 0n)
        if (left < r.keyAmount) return { ok: false, reason: 'key_cap' }
      }
      if (r.username) addTo(byUser, r.username, r.userAmount)
      addTo(byKey, r.keyId, r.keyAmount)
      byRequest.set(r.requestId, {
        username: r.username,
        keyId: r.keyId,
        userAmount: r.userAmount,
        keyAmount: r.keyAmount,
      })
      return RESERVED
    }
  }

  function decideFor(sqlite: SQLite.Database): Decide {
    if (made?.sqlite !== sqlite) {
      const money = sqlite.prepare(MONEY_SQL).safeIntegers(true).raw(true)
      const probe = sqlite.prepare('UPDATE tokens SET reserved_nano = reserved_nano WHERE id = ?')
      made = { sqlite, decide: decideWith(money, probe) }
    }
    return made.decide
  }

  return {
    /** Holds the request's amounts if the user's balance and the key's cap cover them. */
    reserve: async (request: ReservationRequest): Promise<ReservationResult> => {
      const decide = (sqlite: SQLite.Database) => decideFor(sqlite)(request)
      // At once when the connection is free (the usual case); behind an open transaction (a settlement's) when not.
      const now = runRawSqliteNow(db, decide)
      if (now) return now.value
      const raw = now === null ? await withRawSqlite(db, decide) : undefined
      if (!raw) throw new Error('reservations in memory need the SQLite database')
      return raw.value
    },
    /**
     * Gives back what a request held, once its settlement is committed (or was already): before the commit the
     * request would count neither as a hold nor as a charge. False when it held nothing (already given back).
     */
    release: (requestId: string): boolean => {
      const h = byRequest.get(requestId)
      if (!h) return false
      byRequest.delete(requestId)
      if (h.username) takeFrom(byUser, h.username, h.userAmount)
      takeFrom(byKey, h.keyId, h.keyAmount)
      return true
    },
    /** Open holds: how many, and the amounts held against one user and one key (tests, metrics). */
    open: (): number => byRequest.size,
    heldByUser: (username: string): bigint => byUser.get(username) ?? 0n,
    heldByKey: (keyId: string): bigint => byKey.get(keyId) ?? 0n,
  }
}
export type MemoryHolds = ReturnType<typeof createMemoryHolds>
