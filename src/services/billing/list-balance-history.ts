import type { Kysely, Selectable } from 'kysely'
import type { BalanceLedgerTable, Database } from '../../infra/db/database-types.ts'
import { nanoToUsd, toBig, toBigOrNull, toIso } from '../../infra/db/convert-row-values.ts'
import { selectPage } from '../../infra/db/select-page.ts'
import { paged, resolvePage } from '../paging.ts'
import type { PageQuery } from '../../contracts/common.ts'

function serializeEntry(row: Selectable<BalanceLedgerTable>) {
  return {
    id: row.id,
    created_at: toIso(row.created_at) ?? '',
    kind: row.kind,
    change_usd: nanoToUsd(toBig(row.amount_nano)) ?? 0,
    balance_after_usd: nanoToUsd(toBigOrNull(row.balance_after_nano)),
    note: row.note,
    request_id: row.request_id,
  }
}

/**
 * A user's balance history, read from the ledger (every change of a balance writes one row: settlements,
 * vouchers, top-ups, adjustments), newest first. Ids are time-ordered, so they break ties within a millisecond.
 */
export async function listBalanceHistory(db: Kysely<Database>, username: string, query: PageQuery) {
  const page = resolvePage(query, 20)
  const filtered = db.selectFrom('balance_ledger').where('username', '=', username)
  const ordered = (q: typeof filtered) => q.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc')
  const r = await selectPage(filtered, ordered, page, serializeEntry)
  return paged(r.data, r.total, page)
}
