import type { Kysely, Selectable } from 'kysely'
import type { z } from 'zod'
import type { Database, GroupModelPricesTable, ModelPricesTable } from '../../infra/db/database-types.ts'
import { toBig, toIso, toNum, toNumOrNull, usdToNano } from '../../infra/db/convert-row-values.ts'
import { selectPage } from '../../infra/db/select-page.ts'
import { newId } from '../../infra/ids.ts'
import type { Clock } from '../../infra/clock.ts'
import type { groupPriceBody, priceBody, updatePriceBody } from '../../contracts/billing.ts'
import { conflict, notFound } from '../../domain/errors.ts'
import type { Page } from '../paging.ts'

export interface PriceDeps {
  db: Kysely<Database>
  clock: Clock
}

/** Stored as nano-USD per 1M tokens (or per call), which keeps list prices such as $0.075/1M exact. */
export function serializePrice(row: Selectable<ModelPricesTable> | Selectable<GroupModelPricesTable>) {
  return {
    id: row.id,
    ...('group_id' in row ? { group_id: row.group_id } : {}),
    model_name: row.model_name,
    unit: row.unit,
    price_per_unit: Number(toBig(row.price_nano)) / 1e9,
    above_input_tokens: toNum(row.above_input_tokens),
    vendor: row.vendor,
    context_length: toNumOrNull(row.context_length),
    created_at: toIso(row.created_at),
  }
}

type PriceBody = z.infer<typeof priceBody>
type GroupPriceBody = z.infer<typeof groupPriceBody>
type PriceUpdate = z.infer<typeof updatePriceBody>

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string }
  return (
    e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint/.test(e.message ?? '')
  )
}

export async function listPrices(
  deps: PriceDeps,
  filter: { group_id?: string; model?: string },
  page: Page,
  grouped: boolean,
) {
  if (grouped) {
    let q = deps.db.selectFrom('group_model_prices')
    if (filter.group_id) q = q.where('group_id', '=', filter.group_id)
    if (filter.model) q = q.where('model_name', 'like', `%${filter.model}%`)
    const ordered = (f: typeof q) => f.selectAll().orderBy('model_name').orderBy('unit')
    return selectPage(q, ordered, page, serializePrice)
  }
  let q = deps.db.selectFrom('model_prices')
  if (filter.model) q = q.where('model_name', 'like', `%${filter.model}%`)
  const ordered = (f: typeof q) => f.selectAll().orderBy('model_name').orderBy('unit')
  return selectPage(q, ordered, page, serializePrice)
}

export async function createPrice(deps: PriceDeps, body: PriceBody | GroupPriceBody) {
  const id = newId()
  const base = {
    id,
    model_name: body.model_name,
    unit: body.unit,
    price_nano: usdToNano(body.price_per_unit),
    above_input_tokens: body.above_input_tokens ?? 0,
    vendor: body.vendor ?? null,
    context_length: body.context_length ?? null,
    created_at: deps.clock.now(),
  }
  try {
    if ('group_id' in body) {
      const g = await deps.db
        .selectFrom('groups')
        .select('id')
        .where('id', '=', body.group_id)
        .executeTakeFirst()
      if (!g) throw notFound('Group')
      await deps.db
        .insertInto('group_model_prices')
        .values({ ...base, group_id: body.group_id })
        .execute()
      return serializePrice(
        await deps.db
          .selectFrom('group_model_prices')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirstOrThrow(),
      )
    }
    await deps.db.insertInto('model_prices').values(base).execute()
    return serializePrice(
      await deps.db.selectFrom('model_prices').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
    )
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`A price for ${body.model_name} / ${body.unit} already exists`)
    throw err
  }
}

export async function updatePrice(deps: PriceDeps, id: string, body: PriceUpdate, grouped: boolean) {
  const table = grouped ? 'group_model_prices' : 'model_prices'
  const set: Record<string, unknown> = {}
  if (body.model_name !== undefined) set.model_name = body.model_name
  if (body.unit !== undefined) set.unit = body.unit
  if (body.price_per_unit !== undefined) set.price_nano = usdToNano(body.price_per_unit)
  if (body.above_input_tokens !== undefined) set.above_input_tokens = body.above_input_tokens
  if (body.vendor !== undefined) set.vendor = body.vendor
  if (body.context_length !== undefined) set.context_length = body.context_length
  const existing = await deps.db.selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst()
  if (!existing) throw notFound('Price')
  try {
    if (Object.keys(set).length) await deps.db.updateTable(table).set(set).where('id', '=', id).execute()
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('A price for that model and unit already exists')
    throw err
  }
  return serializePrice(
    await deps.db.selectFrom(table).selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
  )
}

export async function deletePrice(deps: PriceDeps, id: string, grouped: boolean) {
  const table = grouped ? 'group_model_prices' : 'model_prices'
  const r = await deps.db.deleteFrom(table).where('id', '=', id).executeTakeFirst()
  if (toNum(r.numDeletedRows) === 0) throw notFound('Price')
}

export async function publicPrices(deps: PriceDeps) {
  const rows = await deps.db
    .selectFrom('model_prices')
    .selectAll()
    .orderBy('model_name')
    .orderBy('unit')
    .execute()
  return { data: rows.map(serializePrice) }
}
