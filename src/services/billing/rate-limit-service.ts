import type { Kysely, Selectable } from 'kysely'
import type { z } from 'zod'
import type { Database, RateLimitsTable } from '../../infra/db/database-types.ts'
import { toIso, toNum } from '../../infra/db/convert-row-values.ts'
import { newId } from '../../infra/ids.ts'
import type { Clock } from '../../infra/clock.ts'
import { checkRuleValue, type rateLimitBody, type updateRateLimitBody } from '../../contracts/billing.ts'
import { AppError, notFound } from '../../domain/errors.ts'

export function serializeRateLimit(row: Selectable<RateLimitsTable>) {
  return {
    id: row.id,
    group_id: row.group_id,
    window_sec: toNum(row.window_sec),
    limit_type: row.limit_type,
    value: row.value,
    applies_to: row.applies_to,
    created_at: toIso(row.created_at),
  }
}

/** A value that makes no sense for the rule's type, as the route's own validation error (naming `value`). */
function assertRuleValue(limitType: Parameters<typeof checkRuleValue>[0], value: number): void {
  const problem = checkRuleValue(limitType, value)
  if (problem)
    throw new AppError('validation_error', `Invalid body: value: ${problem}`, {
      fields: [{ field: 'value', message: `value: ${problem}` }],
    })
}

export async function listRateLimits(db: Kysely<Database>, groupId?: string) {
  let q = db.selectFrom('rate_limits').selectAll()
  if (groupId) q = q.where('group_id', '=', groupId)
  const rows = await q.orderBy('created_at').orderBy('id').execute()
  return { data: rows.map(serializeRateLimit), total: rows.length }
}

export async function getRateLimit(db: Kysely<Database>, id: string) {
  const row = await db.selectFrom('rate_limits').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('Rate limit')
  return serializeRateLimit(row)
}

export async function createRateLimit(
  db: Kysely<Database>,
  clock: Clock,
  body: z.infer<typeof rateLimitBody>,
) {
  const g = await db.selectFrom('groups').select('id').where('id', '=', body.group_id).executeTakeFirst()
  if (!g) throw notFound('Group')
  assertRuleValue(body.limit_type, body.value)
  const id = newId()
  await db
    .insertInto('rate_limits')
    .values({ id, ...body, created_at: clock.now() })
    .execute()
  return getRateLimit(db, id)
}

export async function updateRateLimit(
  db: Kysely<Database>,
  id: string,
  body: z.infer<typeof updateRateLimitBody>,
) {
  const before = await getRateLimit(db, id)
  assertRuleValue(body.limit_type ?? before.limit_type, body.value ?? before.value)
  if (Object.keys(body).length) await db.updateTable('rate_limits').set(body).where('id', '=', id).execute()
  return getRateLimit(db, id)
}

export async function deleteRateLimit(db: Kysely<Database>, id: string) {
  const before = await getRateLimit(db, id)
  await db.deleteFrom('rate_limits').where('id', '=', id).execute()
  return before
}
