import type SQLite from 'better-sqlite3'
import type { Kysely } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import { bindValues, type CompiledStatement } from '../infra/db/compiled-statement.ts'
import type { ChunkedStatement } from '../infra/db/compile-chunked-statement.ts'
import {
  BatchDoesNotFit,
  holdKeyFunds,
  holdUserFunds,
  insertReservations,
  releaseUserFunds,
  RESERVED,
  type ReservationRequest,
  type ReservationResult,
} from './reservation-statements.ts'

/** Runs a compiled statement on the raw SQLite handle; the number of rows it changed. */
function runRaw<K extends string>(
  sqlite: SQLite.Database,
  db: Kysely<Database>,
  statement: CompiledStatement<K, unknown>,
  params: Readonly<Record<K, unknown>>,
): number {
  const shape = statement.shapeFor(db)
  if (!shape) throw new Error('compiled statement unavailable for raw execution')
  return sqlite.prepare(shape.sql).run(bindValues(shape, params)).changes
}

/** Runs each chunk of a chunked statement on the raw SQLite handle. */
function runChunksRaw<K extends string>(
  sqlite: SQLite.Database,
  db: Kysely<Database>,
  statement: ChunkedStatement<K, unknown>,
  rows: readonly Readonly<Partial<Record<K, unknown>>>[],
): void {
  const chunks = statement.chunksFor(db, rows)
  if (!chunks) throw new Error('compiled statement unavailable for raw execution')
  for (const chunk of chunks) sqlite.prepare(chunk.sql).run(chunk.values)
}

/**
 * SQLite, a whole batch at once: each user and each key holds the sum of its requests' amounts, users then keys,
 * each sorted (the order PostgreSQL locks them in). Throws BatchDoesNotFit when one of them does not cover its sum
 * — deciding one by one in arrival order would then refuse some request; when all do, it would have admitted
 * every one (amounts are never negative, so every running sum is covered too). Two statements for a busy gateway's
 * batch of one user and one key, instead of two per request.
 */
function holdBatchSync(
  sqlite: SQLite.Database,
  db: Kysely<Database>,
  batch: readonly ReservationRequest[],
): void {
  const users = new Map<string, bigint>()
  const keys = new Map<string, bigint>()
  for (const r of batch) {
    if (r.username) users.set(r.username, (users.get(r.username) ?? 0n) + r.userAmount)
    keys.set(r.keyId, (keys.get(r.keyId) ?? 0n) + r.keyAmount)
  }
  for (const username of users.size > 1 ? [...users.keys()].sort() : users.keys()) {
    if (runRaw(sqlite, db, holdUserFunds, { username, amount: users.get(username) }) !== 1)
      throw new BatchDoesNotFit()
  }
  for (const keyId of keys.size > 1 ? [...keys.keys()].sort() : keys.keys()) {
    if (runRaw(sqlite, db, holdKeyFunds, { keyId, amount: keys.get(keyId) }) !== 1)
      throw new BatchDoesNotFit()
  }
}

/**
 * SQLite: the same decisions as writeReservations, as one synchronous transaction on the raw connection (see
 * withRawSqlite) — on an idle gateway each request pays for this on its way in, and five awaited Kysely queries
 * cost several times what the statements do. A batch of several is first held all at once (holdBatchSync, in a
 * savepoint: `holdAll`), and only decided one by one when that does not fit; the rows go in one multi-row insert.
 */
function writeReservationsSync(
  sqlite: SQLite.Database,
  db: Kysely<Database>,
  batch: readonly ReservationRequest[],
  holdAll: (batch: readonly ReservationRequest[]) => void,
): ReservationResult[] {
  if (batch.length > 1) {
    let fits = true
    try {
      holdAll(batch)
    } catch (error) {
      if (!(error instanceof BatchDoesNotFit)) throw error
      fits = false
    }
    if (fits) {
      runChunksRaw(sqlite, db, insertReservations, batch)
      return batch.map(() => RESERVED)
    }
  }
  const results: ReservationResult[] = []
  const admitted: ReservationRequest[] = []
  for (const r of batch) {
    if (
      r.username &&
      runRaw(sqlite, db, holdUserFunds, { username: r.username, amount: r.userAmount }) !== 1
    ) {
      results.push({ ok: false, reason: 'balance' })
      continue
    }
    if (runRaw(sqlite, db, holdKeyFunds, { keyId: r.keyId, amount: r.keyAmount }) !== 1) {
      if (r.username) runRaw(sqlite, db, releaseUserFunds, { username: r.username, amount: r.userAmount })
      results.push({ ok: false, reason: 'key_cap' })
      continue
    }
    results.push(RESERVED)
    admitted.push(r)
  }
  if (admitted.length > 0) runChunksRaw(sqlite, db, insertReservations, admitted)
  return results
}

type SyncReservations = (batch: readonly ReservationRequest[]) => ReservationResult[]

/**
 * writeReservationsSync wrapped in a better-sqlite3 transaction, made once per connection and writer: building the
 * wrapper costs about half as much as the three statements of a reservation, and a quiet gateway builds one per
 * request. `holdAll` runs inside it, so better-sqlite3 makes it a savepoint: its throw undoes only its holds.
 */
export function syncTransactionCache(db: Kysely<Database>): (sqlite: SQLite.Database) => SyncReservations {
  let made: { sqlite: SQLite.Database; run: SyncReservations } | null = null
  return (sqlite) => {
    if (made?.sqlite !== sqlite) {
      const holdAll = sqlite.transaction((batch: readonly ReservationRequest[]) =>
        holdBatchSync(sqlite, db, batch),
      )
      // IMMEDIATE, like every SQLite write transaction here (immediate-sqlite-dialect.ts): the write lock is taken
      // at BEGIN, where the busy timeout waits for another process.
      const tx = sqlite.transaction((batch: readonly ReservationRequest[]) =>
        writeReservationsSync(sqlite, db, batch, holdAll),
      )
      made = { sqlite, run: (batch) => tx.immediate(batch) as ReservationResult[] }
    }
    return made.run
  }
}
