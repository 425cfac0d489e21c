/**
 * The statements of reservations (docs/architecture.md, "Reservation"), shared by the asynchronous path
 * (reserve-funds.ts) and the synchronous SQLite one (write-reservations-sqlite.ts).
 */
import { compileStatement } from '../infra/db/compiled-statement.ts'
import { compileChunkedStatement } from '../infra/db/compile-chunked-statement.ts'

export interface ReservationRequest {
  requestId: string
  username: string | null
  keyId: string
  /** Held against the user's balance; 0 when a package covers the request. */
  userAmount: bigint
  /** Held against the key's cap. */
  keyAmount: bigint
  now: number
  /** The gateway process that holds it (set by the writer; release-lost-reservations.ts, the sweep). */
  instanceId?: string | null
}

export type ReservationResult = { ok: true } | { ok: false; reason: 'balance' | 'key_cap' }

/** Shared by every admitted request: results are only read. */
export const RESERVED: ReservationResult = Object.freeze({ ok: true })

/** Holds the user's amount only while what is left after the open reservations covers it. */
export const holdUserFunds = compileStatement(['username', 'amount'], (db, p) =>
  db
    .updateTable('users')
    .set((eb) => ({ reserved_nano: eb('reserved_nano', '+', p.amount) }))
    .where('username', '=', p.username)
    .where((eb) =>
      eb.or([
        eb('quota_nano', 'is', null),
        eb(eb('quota_nano', '-', eb.ref('reserved_nano')), '>=', p.amount),
      ]),
    ),
)

/** Holds the key's amount only while its cap (if any) covers it after what it used and holds. */
export const holdKeyFunds = compileStatement(['keyId', 'amount'], (db, p) =>
  db
    .updateTable('tokens')
    .set((eb) => ({ reserved_nano: eb('reserved_nano', '+', p.amount) }))
    .where('id', '=', p.keyId)
    .where((eb) =>
      eb.or([
        eb('quota_nano', 'is', null),
        eb('quota_nano', '<=', 0),
        eb(eb(eb('quota_nano', '-', eb.ref('used_nano')), '-', eb.ref('reserved_nano')), '>=', p.amount),
      ]),
    ),
)

export const deleteReservation = compileStatement(['requestId'], (db, p) =>
  db.deleteFrom('reservations').where('request_id', '=', p.requestId).returningAll(),
)

export const releaseUserFunds = compileStatement(['username', 'amount'], (db, p) =>
  db
    .updateTable('users')
    .set((eb) => ({ reserved_nano: eb('reserved_nano', '-', p.amount) }))
    .where('username', '=', p.username),
)

export const releaseKeyFunds = compileStatement(['keyId', 'amount'], (db, p) =>
  db
    .updateTable('tokens')
    .set((eb) => ({ reserved_nano: eb('reserved_nano', '-', p.amount) }))
    .where('id', '=', p.keyId),
)

const RESERVATION_KEYS = [
  'requestId',
  'username',
  'keyId',
  'userAmount',
  'keyAmount',
  'now',
  'instanceId',
] as const

/** One reservations row from a statement's parameter stand-ins (both insert statements share it). */
function reservationRow(params: Record<(typeof RESERVATION_KEYS)[number], never>) {
  return {
    request_id: params.requestId,
    username: params.username,
    token_id: params.keyId,
    user_amount_nano: params.userAmount,
    token_amount_nano: params.keyAmount,
    created_at: params.now,
    instance_id: params.instanceId,
  }
}

export const insertReservations = compileChunkedStatement(RESERVATION_KEYS, (db, rows) =>
  db.insertInto('reservations').values(rows.map(reservationRow)),
)

/** Thrown inside a savepoint or transaction to roll back holds when the whole batch does not fit at once. */
export class BatchDoesNotFit extends Error {}
