import type { Kysely, Selectable } from 'kysely'
import type { Database, VouchersTable } from '../../infra/db/database-types.ts'
import { nanoToUsd, toBig, toBigOrNull, toIso, usdToNano } from '../../infra/db/convert-row-values.ts'
import { newId, newVoucherCode } from '../../infra/ids.ts'
import type { Clock } from '../../infra/clock.ts'
import { AppError, notFound } from '../../domain/errors.ts'
import { parseExpiry, type Page } from '../paging.ts'
import { recordBalanceChange } from '../../billing/record-balance-change.ts'
import { selectPage } from '../../infra/db/select-page.ts'

export interface VoucherDeps {
  db: Kysely<Database>
  clock: Clock
}

export function serializeVoucher(row: Selectable<VouchersTable>) {
  return {
    id: row.id,
    code: row.code,
    amount_usd: nanoToUsd(toBig(row.amount_nano)),
    expires_at: toIso(row.expires_at),
    used: row.used_by !== null,
    used_by: row.used_by,
    used_at: toIso(row.used_at),
    created_by: row.created_by,
    created_at: toIso(row.created_at),
  }
}

export async function createVouchers(
  deps: VoucherDeps,
  actor: string,
  body: { amount_usd: number; expires_at?: string | null; count?: number },
) {
  const now = deps.clock.now()
  const rows = Array.from({ length: body.count ?? 1 }, () => ({
    id: newId(),
    code: newVoucherCode(),
    amount_nano: usdToNano(body.amount_usd),
    expires_at: parseExpiry(body.expires_at),
    used_by: null,
    used_at: null,
    created_by: actor,
    created_at: now,
  }))
  await deps.db.insertInto('vouchers').values(rows).execute()
  const vouchers = rows.map((r) => serializeVoucher(r))
  return (body.count ?? 1) === 1 ? vouchers[0] : { count: vouchers.length, vouchers }
}

export async function listVouchers(deps: VoucherDeps, filter: { used?: boolean }, page: Page) {
  let q = deps.db.selectFrom('vouchers')
  if (filter.used === true) q = q.where('used_by', 'is not', null)
  if (filter.used === false) q = q.where('used_by', 'is', null)
  const ordered = (f: typeof q) => f.selectAll().orderBy('created_at', 'desc').orderBy('id')
  return selectPage(q, ordered, page, serializeVoucher)
}

export async function getVoucher(deps: VoucherDeps, id: string) {
  const row = await deps.db.selectFrom('vouchers').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('Voucher')
  return row
}

export async function updateVoucher(
  deps: VoucherDeps,
  id: string,
  body: { amount_usd?: number; expires_at?: string | null },
) {
  const row = await getVoucher(deps, id)
  if (row.used_by !== null) throw new AppError('conflict', 'A redeemed voucher cannot be changed')
  const set: Record<string, unknown> = {}
  if (body.amount_usd !== undefined) set.amount_nano = usdToNano(body.amount_usd)
  if (body.expires_at !== undefined) set.expires_at = parseExpiry(body.expires_at)
  if (Object.keys(set).length)
    await deps.db.updateTable('vouchers').set(set).where('id', '=', id).where('used_by', 'is', null).execute()
  return serializeVoucher(await getVoucher(deps, id))
}

export async function deleteVoucher(deps: VoucherDeps, id: string) {
  const row = await getVoucher(deps, id)
  await deps.db.deleteFrom('vouchers').where('id', '=', id).execute()
  return row
}

/**
 * Single use by construction: the claim is one conditional UPDATE, so of two concurrent redemptions exactly one
 * changes a row. The balance credit and its ledger row commit in the same transaction as the claim.
 */
export async function redeemVoucher(deps: VoucherDeps, username: string, code: string) {
  const now = deps.clock.now()
  return deps.db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('vouchers')
      .set({ used_by: username, used_at: now })
      .where('code', '=', code)
      .where('used_by', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>=', now)]))
      .returning(['amount_nano'])
      .executeTakeFirst()
    if (!claimed) {
      const row = await trx
        .selectFrom('vouchers')
        .select(['used_by', 'expires_at'])
        .where('code', '=', code)
        .executeTakeFirst()
      if (!row) throw new AppError('not_found', 'Voucher code does not exist')
      if (row.used_by !== null) throw new AppError('voucher_used', 'Voucher has already been redeemed')
      throw new AppError('voucher_expired', 'Voucher has expired')
    }
    const amount = toBig(claimed.amount_nano)
    // Unlimited balances (NULL) stay unlimited: adding to NULL leaves NULL.
    const user = await trx
      .updateTable('users')
      .set((eb) => ({ quota_nano: eb('quota_nano', '+', amount), updated_at: now }))
      .where('username', '=', username)
      .returning(['quota_nano'])
      .executeTakeFirst()
    if (!user) throw notFound('User')
    const after = toBigOrNull(user.quota_nano)
    await recordBalanceChange(trx, {
      username,
      kind: 'voucher',
      amountNano: after === null ? 0n : amount,
      balanceAfterNano: after,
      at: now,
    })
    return { ok: true, amount_usd: nanoToUsd(amount), new_quota_usd: nanoToUsd(after) }
  })
}
