import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../infra/db/database-types.ts'
import { toBig } from '../../infra/db/convert-row-values.ts'

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
export async function reserveFunds(db: Kysely<Database>, r: ReservationRequest): Promise<ReservationResult> {
  try {
    await db.transaction().execute(async (trx) => {
      if (r.username) {
        const held = await trx
          .updateTable('users')
          .set((eb) => ({ reserved_nano: eb('reserved_nano', '+', r.userAmount) }))
          .where('username', '=', r.username)
          .where((eb) =>
            eb.or([
              eb('quota_nano', 'is', null),
              eb(eb('quota_nano', '-', eb.ref('reserved_nano')), '>=', r.userAmount),
            ]),
          )
          .executeTakeFirst()
        if (Number(held.numUpdatedRows) !== 1) throw new RefusedReservation('balance')
      }
      const capHeld = await trx
        .updateTable('tokens')
        .set((eb) => ({ reserved_nano: eb('reserved_nano', '+', r.tokenAmount) }))
        .where('id', '=', r.tokenId)
        .where((eb) =>
          eb.or([
            eb('quota_nano', 'is', null),
            eb('quota_nano', '<=', 0),
            eb(
              eb(eb('quota_nano', '-', eb.ref('used_nano')), '-', eb.ref('reserved_nano')),
              '>=',
              r.tokenAmount,
            ),
          ]),
        )
        .executeTakeFirst()
      if (Number(capHeld.numUpdatedRows) !== 1) throw new RefusedReservation('key_cap')
      await trx
        .insertInto('reservations')
        .values({
          request_id: r.requestId,
          username: r.username,
          token_id: r.tokenId,
          user_amount_nano: r.userAmount,
          token_amount_nano: r.tokenAmount,
          created_at: r.now,
        })
        .execute()
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

/** Releases a reservation inside a settlement transaction; returns false when it was already released. */
export async function releaseReservation(trx: Transaction<Database>, requestId: string): Promise<boolean> {
  const row = await trx
    .deleteFrom('reservations')
    .where('request_id', '=', requestId)
    .returningAll()
    .executeTakeFirst()
  if (!row) return false
  if (row.username) {
    await trx
      .updateTable('users')
      .set((eb) => ({ reserved_nano: eb('reserved_nano', '-', toBig(row.user_amount_nano)) }))
      .where('username', '=', row.username)
      .execute()
  }
  if (row.token_id) {
    await trx
      .updateTable('tokens')
      .set((eb) => ({ reserved_nano: eb('reserved_nano', '-', toBig(row.token_amount_nano)) }))
      .where('id', '=', row.token_id)
      .execute()
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
