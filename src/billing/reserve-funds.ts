import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import { toBig } from '../infra/db/convert-row-values.ts'
import { withRawSqlite } from '../infra/db/raw-sqlite.ts'
import { compileChunkedStatement } from '../infra/db/compile-chunked-statement.ts'
import {
  BatchDoesNotFit,
  deleteReservation,
  holdKeyFunds,
  holdUserFunds,
  insertReservations,
  releaseKeyFunds,
  releaseUserFunds,
  type ReservationRequest,
  type ReservationResult,
} from './reservation-statements.ts'
import { syncTransactionCache } from './write-reservations-sqlite.ts'

import { createGroupCommit, untilNextTick } from '../infra/db/create-group-commit.ts'
import { createLostReservationRelease, releaseInTransaction } from './release-lost-reservations.ts'
import { isDatabaseUnavailable } from '../infra/db/database-unavailable-error.ts'

export type { ReservationRequest, ReservationResult } from './reservation-statements.ts'

/**
 * The reservations of one batch, inside a transaction the caller owns, each decided in arrival order against what
 * the ones before it held. A request whose key refuses after its user's hold succeeded gives that hold back at
 * once, so a refused request leaves nothing behind even though the transaction commits for the others.
 */
async function writeReservations(
  trx: Transaction<Database>,
  batch: readonly ReservationRequest[],
): Promise<ReservationResult[]> {
  const results: ReservationResult[] = []
  const admitted: ReservationRequest[] = []
  for (const r of batch) {
    if (r.username) {
      const held = await holdUserFunds(trx, { username: r.username, amount: r.userAmount })
      if (Number(held.numAffectedRows ?? 0n) !== 1) {
        results.push({ ok: false, reason: 'balance' })
        continue
      }
    }
    const capHeld = await holdKeyFunds(trx, { keyId: r.keyId, amount: r.keyAmount })
    if (Number(capHeld.numAffectedRows ?? 0n) !== 1) {
      if (r.username) await releaseUserFunds(trx, { username: r.username, amount: r.userAmount })
      results.push({ ok: false, reason: 'key_cap' })
      continue
    }
    results.push({ ok: true })
    admitted.push(r)
  }
  // The rows are read only by settlement and the start-up sweep, never within this batch: one insert at the end.
  if (admitted.length > 0)
    await insertReservations(
      trx,
      admitted.map((r) => ({ ...r, instanceId: r.instanceId ?? null })),
    )
  return results
}

/**
 * PostgreSQL, one reservation: both conditional holds and the reservation row in one statement, so an idle
 * gateway pays one round trip on the request path instead of five (BEGIN, two UPDATEs, INSERT, COMMIT). The key's
 * hold only happens if the user's did (or there is no user), and the row only if the key's did; a user hold
 * whose key then refuses is given back right after, so at worst a concurrent request of the same user sees
 * less balance for that moment — never more.
 *
 * The statement commits without waiting for the WAL flush (`synchronous_commit` off for this transaction only):
 * a reservation is a transient hold, and if the database crashed within that instant the hold and its row would
 * be lost together, consistently — the settlement then releases nothing and still charges the real cost once.
 * Settlements, which move money, keep durable commits.
 */
async function reserveOnePostgres(
  db: Kysely<Database>,
  request: ReservationRequest,
): Promise<ReservationResult> {
  const user = request.username
  const query = sql<{ user_held: number; token_held: number; relaxed: string }>`
    WITH u AS (
      UPDATE users SET reserved_nano = reserved_nano + ${request.userAmount}::bigint
      WHERE ${user}::text IS NOT NULL AND username = ${user}::text
        AND (quota_nano IS NULL OR quota_nano - reserved_nano >= ${request.userAmount}::bigint)
      RETURNING 1
    ), t AS (
      UPDATE tokens SET reserved_nano = reserved_nano + ${request.keyAmount}::bigint
      WHERE id = ${request.keyId}::text
        AND (quota_nano IS NULL OR quota_nano <= 0
          OR quota_nano - used_nano - reserved_nano >= ${request.keyAmount}::bigint)
        AND (${user}::text IS NULL OR EXISTS (SELECT 1 FROM u))
      RETURNING 1
    ), ins AS (
      INSERT INTO reservations (request_id, username, token_id, user_amount_nano, token_amount_nano, created_at,
        instance_id)
      SELECT ${request.requestId}::text, ${user}::text, ${request.keyId}::text, ${request.userAmount}::bigint,
        ${request.keyAmount}::bigint, ${request.now}::bigint, ${request.instanceId ?? null}::text
      WHERE EXISTS (SELECT 1 FROM t)
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM u)::int AS user_held, (SELECT count(*) FROM ins)::int AS token_held,
      set_config('synchronous_commit', 'off', true) AS relaxed`
  const row = (await query.execute(db)).rows[0]
  if (user && Number(row.user_held) !== 1) return { ok: false, reason: 'balance' }
  if (Number(row.token_held) !== 1) {
    if (user) await releaseUserFunds(db, { username: user, amount: request.userAmount })
    return { ok: false, reason: 'key_cap' }
  }
  return { ok: true }
}

/**
 * PostgreSQL, a whole batch in one statement: each user and each key holds the sum of its requests' amounts, and
 * the reservation rows are written, only if every one of them covers its sum — then deciding them one by one in
 * arrival order would have admitted every request too. Sending each request's two holds as their own statements
 * costs two round trips per request, and with the server on the same busy machine those round trips, not the
 * gateway's CPU, set how many requests per second PostgreSQL admits. Returns false when something does not fit
 * (some hold matched no row); the caller then rolls back and decides the batch one by one.
 */
async function reserveAllPostgres(
  trx: Transaction<Database>,
  batch: readonly ReservationRequest[],
): Promise<boolean> {
  const query = sql<{ users_short: number; tokens_short: number; relaxed: string }>`
    WITH req AS (
      SELECT * FROM unnest(${batch.map((r) => r.requestId)}::text[], ${batch.map((r) => r.username)}::text[],
        ${batch.map((r) => r.keyId)}::text[], ${batch.map((r) => String(r.userAmount))}::bigint[],
        ${batch.map((r) => String(r.keyAmount))}::bigint[], ${batch.map((r) => String(r.now))}::bigint[],
        ${batch.map((r) => r.instanceId ?? null)}::text[])
        AS r(request_id, username, token_id, user_amount, token_amount, created_at, instance_id)
    ), need_u AS (
      SELECT username, sum(user_amount)::bigint AS amount FROM req WHERE username IS NOT NULL GROUP BY username
    ), need_t AS (
      SELECT token_id, sum(token_amount)::bigint AS amount FROM req GROUP BY token_id
    ), u AS (
      UPDATE users SET reserved_nano = users.reserved_nano + need_u.amount FROM need_u
      WHERE users.username = need_u.username
        AND (users.quota_nano IS NULL OR users.quota_nano - users.reserved_nano >= need_u.amount)
      RETURNING 1
    ), t AS (
      UPDATE tokens SET reserved_nano = tokens.reserved_nano + need_t.amount FROM need_t
      WHERE tokens.id = need_t.token_id
        AND (tokens.quota_nano IS NULL OR tokens.quota_nano <= 0
          OR tokens.quota_nano - tokens.used_nano - tokens.reserved_nano >= need_t.amount)
      RETURNING 1
    ), ins AS (
      INSERT INTO reservations (request_id, username, token_id, user_amount_nano, token_amount_nano, created_at,
        instance_id)
      SELECT request_id, username, token_id, user_amount, token_amount, created_at, instance_id FROM req
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM need_u)::int - (SELECT count(*) FROM u)::int AS users_short,
      (SELECT count(*) FROM need_t)::int - (SELECT count(*) FROM t)::int AS tokens_short,
      set_config('synchronous_commit', 'off', true) AS relaxed`
  const row = (await query.execute(trx)).rows[0]
  return Number(row.users_short) === 0 && Number(row.tokens_short) === 0
}

/**
 * PostgreSQL, a batch: all at once when it fits (the usual case: three round trips for the whole batch), else one
 * by one in arrival order in a new transaction, after the first one rolled back.
 */
async function writeReservationsPostgres(
  db: Kysely<Database>,
  batch: readonly ReservationRequest[],
): Promise<ReservationResult[]> {
  try {
    return await db.transaction().execute(async (trx) => {
      if (!(await reserveAllPostgres(trx, batch))) throw new BatchDoesNotFit()
      return batch.map((): ReservationResult => ({ ok: true }))
    })
  } catch (error) {
    if (!(error instanceof BatchDoesNotFit)) throw error
  }
  return db.transaction().execute((trx) => writeReservations(trx, batch))
}

/** Reserves in a transaction of its own. */
async function reserveFundsAlone(
  db: Kysely<Database>,
  request: ReservationRequest,
): Promise<ReservationResult> {
  const [result] = await db.transaction().execute((trx) => writeReservations(trx, [request]))
  return result
}

/**
 * Admission by conditional update, never check-then-act: each UPDATE holds the estimate only if what is left
 * after the open reservations covers it, so N concurrent requests cannot together exceed the balance or cap.
 * A negative balance (a settled overshoot) admits nothing until topped up.
 *
 * Group commit, as for settlements: reservations that arrive in the same tick are decided in one transaction, so
 * a burst pays one commit instead of one each. When the batch fails (say, a duplicate request id), its requests
 * are retried one by one in their own transactions, so a bad one cannot refuse or fail the others. Every caller
 * that should share the batches shares one writer (the gateway makes one, in create-billing.ts).
 */
export function createReservationWriter(db: Kysely<Database>, opts: ReservationWriterOptions = {}) {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  const syncTransactionFor = syncTransactionCache(db)
  const releaseLost = createLostReservationRelease({
    release: releaseInTransaction(db, releaseReservation),
    lateCommitMs: opts.lateCommitMs ?? DEFAULT_LATE_COMMIT_MS,
  })
  const write = createGroupCommit<ReservationRequest, ReservationResult>({
    gather: untilNextTick,
    maxBatch: opts.maxBatch ?? 256,
    // Alone in its tick (a quiet gateway): one round trip beats a transaction of five.
    writeOne: postgres ? (r) => reserveOnePostgres(db, r) : undefined,
    async writeBatch(batch) {
      // SQLite: one synchronous transaction; a throw inside rolls it back whole.
      const raw = await withRawSqlite(db, (sqlite) => syncTransactionFor(sqlite)(batch))
      if (raw) return raw.value
      if (postgres) return writeReservationsPostgres(db, batch)
      return db.transaction().execute((trx) => writeReservations(trx, batch))
    },
    writeAlone: (r) => reserveFundsAlone(db, r),
    // Unreachable or timed out: each item alone would fail the same way, after a wait of its own.
    failsWhole: isDatabaseUnavailable,
  })
  const owner = opts.instanceId ?? null
  const reserve = async (request: ReservationRequest): Promise<ReservationResult> => {
    try {
      return await write(owner === null ? request : { ...request, instanceId: owner })
    } catch (err) {
      // The answer may have been lost after the database wrote the hold: the request is refused, so the hold
      // (if there is one) must not outlive it.
      if (isDatabaseUnavailable(err)) releaseLost(request.requestId)
      throw err
    }
  }
  return { reserve }
}
export type ReservationWriter = ReturnType<typeof createReservationWriter>

export interface ReservationWriterOptions {
  /** See createLostReservationRelease: DATABASE_QUERY_TIMEOUT_MS and a margin. */
  lateCommitMs?: number
  /** Reservations decided in one transaction at most. */
  maxBatch?: number
  /**
   * This gateway process's id in `gateway_instances`: every reservation it writes carries it, so the sweep releases
   * only the holds of processes that stopped (sweepOrphanReservations).
   */
  instanceId?: string
}
const DEFAULT_LATE_COMMIT_MS = 60_000

/** Releases a reservation inside a settlement transaction; returns false when it was already released. */
export async function releaseReservation(trx: Transaction<Database>, requestId: string): Promise<boolean> {
  const { rows } = await deleteReservation(trx, { requestId })
  const row = rows[0]
  if (!row) return false
  if (row.username) {
    await releaseUserFunds(trx, { username: row.username, amount: toBig(row.user_amount_nano) })
  }
  if (row.token_id) {
    await releaseKeyFunds(trx, { keyId: row.token_id, amount: toBig(row.token_amount_nano) })
  }
  return true
}

/** What a settlement gives back: the amounts one reservation held, and against whom. */
export interface HeldFunds {
  username: string | null
  keyId: string | null
  userAmount: bigint
  keyAmount: bigint
}

const deleteReservations = compileChunkedStatement(['requestId'], (db, rows) =>
  db
    .deleteFrom('reservations')
    .where(
      'request_id',
      'in',
      rows.map((p) => p.requestId),
    )
    .returning(['request_id', 'username', 'token_id', 'user_amount_nano', 'token_amount_nano']),
)

/**
 * Deletes the reservations of a batch of settlements, inside their transaction, and returns what each held, by
 * request id; the caller gives the amounts back. A request id without a row (already released, say by the
 * start-up sweep) is missing from the map, so nothing is given back twice.
 */
export async function takeReservations(
  trx: Transaction<Database>,
  requestIds: readonly string[],
): Promise<Map<string, HeldFunds>> {
  const rows = await deleteReservations(
    trx,
    requestIds.map((requestId) => ({ requestId })),
  )
  const held = new Map<string, HeldFunds>()
  for (const row of rows) {
    held.set(row.request_id, {
      username: row.username,
      keyId: row.token_id,
      userAmount: toBig(row.user_amount_nano),
      keyAmount: toBig(row.token_amount_nano),
    })
  }
  return held
}

/** Reservations left by a crash (older than `olderThanMs`) are released at start. */
export async function sweepReservations(db: Kysely<Database>, olderThan: number): Promise<number> {
  const rows = await db
    .selectFrom('reservations')
    .select('request_id')
    .where('created_at', '<', olderThan)
    .execute()
  return releaseEach(db, rows)
}

export interface OrphanSweep {
  /** Now, ms since the epoch. */
  now: number
  /** An instance whose heartbeat is older than this is gone (its process died without deregistering). */
  staleMs: number
  /** Rows without an owner were written by a gateway from before owners were kept: released when older than this. */
  unownedBefore: number
}

/**
 * Releases the holds of gateway processes that are gone (docs/architecture.md, "Several workers and hosts"): an
 * owner missing from `gateway_instances` or whose heartbeat is older than `staleMs`. A live process's holds — another
 * worker's, another host's — are never touched, however old, so it can run at any time, from any process.
 */
export async function sweepOrphanReservations(db: Kysely<Database>, sweep: OrphanSweep): Promise<number> {
  const live = db
    .selectFrom('gateway_instances')
    .select('id')
    .where('heartbeat_at', '>=', sweep.now - sweep.staleMs)
  const rows = await db
    .selectFrom('reservations')
    .select('request_id')
    .where((eb) =>
      eb.or([
        eb.and([eb('instance_id', 'is', null), eb('created_at', '<', sweep.unownedBefore)]),
        eb.and([eb('instance_id', 'is not', null), eb('instance_id', 'not in', live)]),
      ]),
    )
    .execute()
  return releaseEach(db, rows)
}

async function releaseEach(db: Kysely<Database>, rows: { request_id: string }[]): Promise<number> {
  let n = 0
  for (const r of rows) {
    const released = await db.transaction().execute((trx) => releaseReservation(trx, r.request_id))
    if (released) n++
  }
  return n
}
