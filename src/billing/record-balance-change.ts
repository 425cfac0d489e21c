import type { Kysely } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import { newId } from '../infra/ids.ts'

/** A change of a user's balance that no request caused: a voucher redeemed, an admin's adjustment or top-up. */
export interface BalanceChange {
  username: string
  kind: 'voucher' | 'admin_adjust' | 'top_up'
  /** What the balance gained (negative: lost); 0 for an unlimited balance, which no amount changes. */
  amountNano: bigint
  /** The balance right after; null while it is unlimited. */
  balanceAfterNano: bigint | null
  at: number
  /** The administrator's reason for a top-up. */
  note?: string | null
}

/**
 * The ledger row of a balance change, written on the same database handle (a transaction) as the change itself, so
 * the ledger always sums to the balance (docs/architecture.md, "settlement"; reconcile checks it).
 */
export async function recordBalanceChange(db: Kysely<Database>, c: BalanceChange): Promise<void> {
  await db
    .insertInto('balance_ledger')
    .values({
      id: newId(),
      username: c.username,
      token_id: null,
      request_id: null,
      kind: c.kind,
      amount_nano: c.amountNano,
      balance_after_nano: c.balanceAfterNano,
      created_at: c.at,
      note: c.note ?? null,
    })
    .execute()
}

/**
 * A new user's opening balance as a ledger row (SPEC §6: every balance change is one), so the ledger sums to the
 * balance from the first row on. An unlimited or empty balance changes nothing and writes none.
 */
export async function recordOpeningBalance(
  db: Kysely<Database>,
  o: { username: string; quotaNano: bigint | null; at: number; note?: string | null },
): Promise<void> {
  if (o.quotaNano === null || o.quotaNano === 0n) return
  await recordBalanceChange(db, {
    username: o.username,
    kind: 'admin_adjust',
    amountNano: o.quotaNano,
    balanceAfterNano: o.quotaNano,
    at: o.at,
    note: o.note,
  })
}
