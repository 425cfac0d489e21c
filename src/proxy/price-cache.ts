import type { Kysely } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import { toBig, toNum } from '../infra/db/convert-row-values.ts'
import { createPriceIndex, type PriceIndex } from '../domain/pricing/find-model-prices.ts'
import { isPriceUnit, type PriceRow } from '../domain/pricing/price-table.ts'

/** The price index, rebuilt from the database after a price change (and every `refreshMs` for other processes). */
export function createPriceCache(db: Kysely<Database>, refreshMs = 5000) {
  let index: PriceIndex | null = null
  let loadedAt = 0
  let generation = 0
  let builtGen = -1
  let loading: Promise<PriceIndex> | null = null

  async function load(): Promise<PriceIndex> {
    const [global, grouped] = await Promise.all([
      db.selectFrom('model_prices').selectAll().execute(),
      db.selectFrom('group_model_prices').selectAll().execute(),
    ])
    const toRow = (row: (typeof global)[number] & { group_id?: string }): PriceRow | null =>
      isPriceUnit(row.unit)
        ? {
            model_name: row.model_name,
            unit: row.unit,
            price_nano: toBig(row.price_nano),
            above_input_tokens: toNum(row.above_input_tokens),
            group_id: row.group_id,
          }
        : null
    return createPriceIndex(
      global.map(toRow).filter((r): r is PriceRow => r !== null),
      grouped.map(toRow).filter((r): r is PriceRow => r !== null),
    )
  }

  return {
    async get(now: number): Promise<PriceIndex> {
      if (index && builtGen === generation && now - loadedAt < refreshMs) return index
      if (!loading) {
        const gen = generation
        loading = load()
          .then((i) => {
            index = i
            builtGen = gen
            loadedAt = now
            return i
          })
          .finally(() => {
            loading = null
          })
        // While a stale index is served nobody awaits the refresh: a failed one (database away) must not become an
        // unhandled rejection; the next call tries again, and a caller without an index still sees the error.
        loading.catch(() => {})
      }
      return index && builtGen === generation ? index : loading
    },
    invalidate(): void {
      generation++
    },
  }
}
export type PriceCache = ReturnType<typeof createPriceCache>
