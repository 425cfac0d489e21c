import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../infra/db/database-types.ts'
import { toBig } from '../../infra/db/convert-row-values.ts'
import { compileStatement } from '../../infra/db/compiled-statement.ts'

export interface ReservationRequest {
  requestId: string
  username: string | null
  tokenId: string
  /** Held against the user's balance; 0 when a package covers the request. */
  userAmount: bigint
  /** Held against the key's cap. */
  tokenAmount: bigint
  now: number
}

export type ReservationResult = { ok: true } | { ok: false; reason: 'balance' | 'key_cap' }

/**
 * Admission by conditional update, never check-then-act: each UPDATE holds the estimate only if what is left
 * after the open reservations covers it, so N concurrent requests cannot together exceed the balance or cap.
 * A negative balance (a settled overshoot) admits nothing until topped up.
 */
/** Holds the user's amount only while what is left after the open reservations covers it. */
const holdUserFunds = compileStatement(['username', 'amount'], (db, p) =>
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
const holdTokenFunds = compileStatement(['tokenId', 'amount'], (db, p) =>
  db
    .updateTable('tokens')
    .set((eb) => ({ reserved_nano: eb('reserved_nano', '+', p.amount) }))
    .where('id', '=', p.tokenId)
    .where((eb) =>
      eb.or([
        eb('quota_nano', 'is', null),
        eb('quota_nano', '<=', 0),
        eb(eb(eb('quota_nano', '-', eb.ref('used_nano')), '-', eb.ref('reserved_nano')), '>=', p.amount),
      ]),
    ),
)

const insertReservation = compileStatement(
  ['requestId', 'username', 'tokenId', 'userAmount', 'tokenAmount', 'now'],
  (db, p) =>
    db.insertInto('reservations').values({
      request_id: p.requestId,
      username: p.username,
      token_id: p.tokenId,
      user_amount_nano: p.userAmount,
      token_amount_nano: p.tokenAmount,
      created_at: p.now,
    }),
)

/**
 * Admission by conditional update, never check-then-act: each UPDATE holds the estimate only if what is left
 * after the open reservations covers it, so N concurrent requests cannot together exceed the balance or cap.
 * A negative balance (a settled overshoot) admits nothing until topped up.
 */
export async function reserveFunds(db: Kysely<Database>, r: ReservationRequest): Promise<ReservationResult> {
  try {
    await db.transaction().execute(async (trx) => {
      if (r.username) {
        const held = await holdUserFunds(trx, { username: r.username, amount: r.userAmount })
        if (Number(held.numAffectedRows ?? 0n) !== 1) throw new RefusedReservation('balance')
      }
      const capHeld = await holdTokenFunds(trx, { tokenId: r.tokenId, amount: r.tokenAmount })
      if (Number(capHeld.numAffectedRows ?? 0n) !== 1) throw new RefusedReservation('key_cap')
      await insertReservation(trx, {
        requestId: r.requestId,
        username: r.username,
        tokenId: r.tokenId,
        userAmount: r.userAmount,
        tokenAmount: r.tokenAmount,
        now: r.now,
      })
    })
    return { ok: true }
  } catch (err) {
    // Throwing inside the transaction rolls it back: a refused reservation leaves nothing behind.
    if (err instanceof RefusedReservation) return { ok: false, reason: err.reason }
    throw err
  }
}

class RefusedReservation extends Error {
  constructor(readonly reason: 'balance' | 'key_cap') {
    super(reason)
  }
}

const deleteReservation = compileStatement(['requestId'], (db, p) =>
  db.deleteFrom('reservations').where('request_id', '=', p.requestId).returningAll(),
)

const releaseUserFunds = compileStatement(['username', 'amount'], (db, p) =>
  db
    .updateTable('users')
    .set((eb) => ({ reserved_nano: eb('reserved_nano', '-', p.amount) }))
    .where('username', '=', p.username),
)

const releaseTokenFunds = compileStatement(['tokenId', 'amount'], (db, p) =>
  db
    .updateTable('tokens')
    .set((eb) => ({ reserved_nano: eb('reserved_nano', '-', p.amount) }))
    .where('id', '=', p.tokenId),
)

/** Releases a reservation inside a settlement transaction; returns false when it was already released. */
export async function releaseReservation(trx: Transaction<Database>, requestId: string): Promise<boolean> {
  const { rows } = await deleteReservation(trx, { requestId })
  const row = rows[0]
  if (!row) return false
  if (row.username) {
    await releaseUserFunds(trx, { username: row.username, amount: toBig(row.user_amount_nano) })
  }
  if (row.token_id) {
    await releaseTokenFunds(trx, { tokenId: row.token_id, amount: toBig(row.token_amount_nano) })
  }
  return true
}

/** Reservations left by a crash (older than `olderThanMs`) are released at start. */
export async function sweepReservations(db: Kysely<Database>, olderThan: number): Promise<number> {
  const rows = await db
    .selectFrom('reservations')
    .select('request_id')
    .where('created_at', '<', olderThan)
    .execute()
  let n = 0
  for (const r of rows) {
    const released = await db.transaction().execute((trx) => releaseReservation(trx, r.request_id))
    if (released) n++
  }
  return n
}
