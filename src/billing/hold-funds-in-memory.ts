import type SQLite from 'better-sqlite3'
import type { Kysely } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import { withRawSqlite } from '../infra/db/raw-sqlite.ts'
import { RESERVED, type ReservationRequest, type ReservationResult } from './reservation-statements.ts'

/** What one admitted request holds, and against whom. */
interface Hold {
  username: string | null
  keyId: string
  userAmount: bigint
  keyAmount: bigint
}

interface UserRow {
  quota_nano: bigint | null
  reserved_nano: bigint
}

interface KeyRow {
  quota_nano: bigint | null
  used_nano: bigint
  reserved_nano: bigint
}

type Decide = (request: ReservationRequest) => ReservationResult

function addTo(map: Map<string, bigint>, id: string, amount: bigint): void {
  map.set(id, (map.get(id) ?? 0n) + amount)
}

function takeFrom(map: Map<string, bigint>, id: string, amount: bigint): void {
  const left = (map.get(id) ?? 0n) - amount
  if (left === 0n) map.delete(id)
  else map.set(id, left)
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
export function createMemoryHolds(db: Kysely<Database>) {
  const byUser = new Map<string, bigint>()
  const byKey = new Map<string, bigint>()
  const byRequest = new Map<string, Hold>()
  let made: { sqlite: SQLite.Database; decide: Decide } | null = null

  function decideWith(userRow: SQLite.Statement, keyRow: SQLite.Statement): Decide {
    return (r) => {
      if (byRequest.has(r.requestId)) throw new Error(`request ${r.requestId} already holds funds`)
      if (r.username) {
        const u = userRow.get(r.username) as UserRow | undefined
        if (!u) return { ok: false, reason: 'balance' }
        if (u.quota_nano !== null) {
          const left = u.quota_nano - u.reserved_nano - (byUser.get(r.username) ?? 0n)
          if (left < r.userAmount) return { ok: false, reason: 'balance' }
        }
      }
      const k = keyRow.get(r.keyId) as KeyRow | undefined
      if (!k) return { ok: false, reason: 'key_cap' }
      if (k.quota_nano !== null && k.quota_nano > 0n) {
        const left = k.quota_nano - k.used_nano - k.reserved_nano - (byKey.get(r.keyId) ?? 0n)
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

  /** Both rows in one read transaction: one snapshot, one take of the WAL's read lock. */
  function decideFor(sqlite: SQLite.Database): Decide {
    if (made?.sqlite !== sqlite) {
      const userRow = sqlite
        .prepare('SELECT quota_nano, reserved_nano FROM users WHERE username = ?')
        .safeIntegers(true)
      const keyRow = sqlite
        .prepare('SELECT quota_nano, used_nano, reserved_nano FROM tokens WHERE id = ?')
        .safeIntegers(true)
      const tx = sqlite.transaction(decideWith(userRow, keyRow))
      made = { sqlite, decide: (r) => tx.deferred(r) }
    }
    return made.decide
  }

  return {
    /** Holds the request's amounts if the user's balance and the key's cap cover them. */
    reserve: async (request: ReservationRequest): Promise<ReservationResult> => {
      const raw = await withRawSqlite(db, (sqlite) => decideFor(sqlite)(request))
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
