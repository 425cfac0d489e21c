import type { Kysely } from 'kysely'
import type { Database } from '../../infra/db/database-types.ts'
import { toBig, usdToNano } from '../../infra/db/convert-row-values.ts'
import { newId } from '../../infra/ids.ts'
import { runInTransaction } from '../run-in-transaction.ts'
import type { Clock } from '../../infra/clock.ts'
import { LIST_PRICE_CATALOGUE, type ListPriceEntry } from '../../domain/pricing/list-price-catalogue.ts'

/**
 * Imports the built-in list prices into the global price table. Existing rows for the same model, unit and tier
 * are updated only with `overwrite`, so prices an admin negotiated are kept by default.
 */
export async function importListPrices(
  db: Kysely<Database>,
  clock: Clock,
  overwrite: boolean,
  catalogue: readonly ListPriceEntry[] = LIST_PRICE_CATALOGUE,
): Promise<{ created: number; updated: number; skipped: number }> {
  let created = 0
  let updated = 0
  let skipped = 0
  await runInTransaction(db, async (trx) => {
    for (const e of catalogue) {
      const above = e.above_input_tokens ?? 0
      const price = usdToNano(e.price_per_unit)
      const existing = await trx
        .selectFrom('model_prices')
        .select(['id', 'price_nano'])
        .where('model_name', '=', e.model_name)
        .where('unit', '=', e.unit)
        .where('above_input_tokens', '=', above)
        .executeTakeFirst()
      if (!existing) {
        await trx
          .insertInto('model_prices')
          .values({
            id: newId(),
            model_name: e.model_name,
            unit: e.unit,
            price_nano: price,
            above_input_tokens: above,
            vendor: e.vendor,
            context_length: e.context_length ?? null,
            created_at: clock.now(),
          })
          .execute()
        created++
      } else if (overwrite && toBig(existing.price_nano) !== price) {
        await trx
          .updateTable('model_prices')
          .set({ price_nano: price, vendor: e.vendor })
          .where('id', '=', existing.id)
          .execute()
        updated++
      } else skipped++
    }
  })
  return { created, updated, skipped }
}
