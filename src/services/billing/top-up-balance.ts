import type { Kysely } from 'kysely'
import type { Database } from '../../infra/db/database-types.ts'
import type { Clock } from '../../infra/clock.ts'
import type { TopUpBody } from '../../contracts/billing.ts'
import { nanoToUsd, toBig, usdToNano } from '../../infra/db/convert-row-values.ts'
import { recordBalanceChange } from '../../billing/record-balance-change.ts'
import { runInTransaction } from '../run-in-transaction.ts'
import { AppError } from '../../domain/errors.ts'
import { assertMayManage, getUserRow } from '../users/user-service.ts'
import type { Role } from '../../contracts/users.ts'

/**
 * Adds an administrator's top-up to a user's balance (never sets it: a settlement or a second top-up landing at
 * the same moment keeps its share). The addition is one `quota_nano = quota_nano + amount` statement, so two
 * top-ups released together both count on either database, and the ledger row with the balance it produced is
 * written in the same transaction (docs/architecture.md, "settlement"). An unlimited balance is refused: adding
 * to it would change nothing and still look like a credit in the history (docs/dashboard.md, "Account").
 */
export async function topUpBalance(
  deps: { db: Kysely<Database>; clock: Clock },
  actorRole: Role,
  username: string,
  body: TopUpBody,
) {
  assertMayManage(actorRole, (await getUserRow(deps, username)).role)
  const amount = usdToNano(body.amount_usd)
  const note = body.note ? body.note : null
  const now = deps.clock.now()
  return runInTransaction(deps.db, async (trx) => {
    const row = await trx
      .updateTable('users')
      .set((eb) => ({ quota_nano: eb('quota_nano', '+', amount), updated_at: now }))
      .where('username', '=', username)
      .where('quota_nano', 'is not', null)
      .returning(['quota_nano'])
      .executeTakeFirst()
    if (!row) {
      await getUserRow({ db: trx, clock: deps.clock }, username)
      throw new AppError('conflict', 'The balance is unlimited; set a limit before topping it up')
    }
    const after = toBig(row.quota_nano)
    await recordBalanceChange(trx, {
      username,
      kind: 'top_up',
      amountNano: amount,
      balanceAfterNano: after,
      at: now,
      note,
    })
    return { username, amount_usd: nanoToUsd(amount) ?? 0, balance_usd: nanoToUsd(after) ?? 0, note }
  })
}
