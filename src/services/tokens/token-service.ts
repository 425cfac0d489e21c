import type { Kysely, Selectable, Updateable } from 'kysely'
import type { Database, TokensTable } from '../../infra/db/database-types.ts'
import { apiKeyPrefix, generateApiKey, hashApiKey } from '../../infra/crypto/api-key.ts'
import {
  boolToInt,
  nanoToUsd,
  parseJson,
  toBig,
  toBigOrNull,
  toBool,
  toIso,
  toNum,
  toNumOrNull,
  usdToNano,
} from '../../infra/db/convert-row-values.ts'
import { newId } from '../../infra/ids.ts'
import type { Clock } from '../../infra/clock.ts'
import type { CreateTokenBody, UpdateTokenBody } from '../../contracts/tokens.ts'
import { AppError, notFound } from '../../domain/errors.ts'
import { parseExpiry, type Page } from '../paging.ts'
import { visibleGroupIds } from '../groups/visible-groups.ts'
import type { Role } from '../../contracts/users.ts'

export function serializeToken(row: Selectable<TokensTable>) {
  const quota = toBigOrNull(row.quota_nano)
  return {
    id: row.id,
    name: row.name,
    key_prefix: row.key_prefix,
    username: row.username,
    group_id: row.group_id,
    quota_usd: quota === null || quota === 0n ? null : nanoToUsd(quota),
    used_usd: nanoToUsd(toBig(row.used_nano)),
    frozen: toBool(row.frozen),
    expires_at: toIso(row.expires_at),
    allowed_models: parseJson<string[] | null>(row.allowed_models, null),
    rpm: toNumOrNull(row.rpm),
    tpm: toNumOrNull(row.tpm),
    max_concurrency: toNumOrNull(row.max_concurrency),
    last_used_at: toIso(row.last_used_at),
    created_at: toIso(row.created_at),
  }
}

export interface TokenDeps {
  db: Kysely<Database>
  clock: Clock
}

/** A user may bind a key only to a group they can see; admins to any existing group. */
async function assertGroupBindable(
  deps: TokenDeps,
  groupId: string,
  username: string,
  role: Role,
): Promise<void> {
  const exists = await deps.db.selectFrom('groups').select('id').where('id', '=', groupId).executeTakeFirst()
  if (role !== 'user') {
    if (!exists) throw notFound('Group')
    return
  }
  const visible = await visibleGroupIds(deps.db, username)
  if (!exists || !visible.includes(groupId))
    throw new AppError('forbidden', 'You cannot bind a key to this group')
}

export async function createToken(deps: TokenDeps, owner: string, role: Role, body: CreateTokenBody) {
  if (body.group_id) await assertGroupBindable(deps, body.group_id, owner, role)
  const key = generateApiKey()
  const row = {
    id: newId(),
    name: body.name,
    key_hash: hashApiKey(key),
    key_prefix: apiKeyPrefix(key),
    username: owner,
    group_id: body.group_id ?? null,
    quota_nano: body.quota_usd ? usdToNano(body.quota_usd) : null,
    used_nano: 0,
    reserved_nano: 0,
    frozen: 0,
    expires_at: parseExpiry(body.expires_at),
    allowed_models: body.allowed_models ? JSON.stringify(body.allowed_models) : null,
    rpm: body.rpm ?? null,
    tpm: body.tpm ?? null,
    max_concurrency: body.max_concurrency ?? null,
    last_used_at: null,
    created_at: deps.clock.now(),
  }
  await deps.db.insertInto('tokens').values(row).execute()
  const saved = await deps.db
    .selectFrom('tokens')
    .selectAll()
    .where('id', '=', row.id)
    .executeTakeFirstOrThrow()
  // The only response that ever carries the plaintext key.
  return { ...serializeToken(saved), key }
}

export async function listTokens(deps: TokenDeps, filter: { username?: string; q?: string }, page: Page) {
  let query = deps.db.selectFrom('tokens')
  if (filter.username) query = query.where('username', '=', filter.username)
  if (filter.q) query = query.where('name', 'like', `%${filter.q}%`)
  const [rows, count] = await Promise.all([
    query
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
  ])
  return { data: rows.map(serializeToken), total: toNum(count.n) }
}

/** Another user's key is reported as absent, never as forbidden, so ids cannot be probed. */
export async function getOwnedToken(deps: TokenDeps, id: string, owner: string | null) {
  let q = deps.db.selectFrom('tokens').selectAll().where('id', '=', id)
  if (owner !== null) q = q.where('username', '=', owner)
  const row = await q.executeTakeFirst()
  if (!row) throw notFound('Token')
  return row
}

export async function updateToken(
  deps: TokenDeps,
  id: string,
  owner: string | null,
  role: Role,
  body: UpdateTokenBody,
) {
  const row = await getOwnedToken(deps, id, owner)
  if (body.group_id) await assertGroupBindable(deps, body.group_id, row.username ?? '', role)
  const set: Updateable<TokensTable> = {}
  if (body.name !== undefined) set.name = body.name
  if (body.group_id !== undefined) set.group_id = body.group_id
  if (body.quota_usd !== undefined) set.quota_nano = body.quota_usd ? usdToNano(body.quota_usd) : null
  if (body.expires_at !== undefined) set.expires_at = parseExpiry(body.expires_at)
  if (body.allowed_models !== undefined)
    set.allowed_models = body.allowed_models ? JSON.stringify(body.allowed_models) : null
  if (body.rpm !== undefined) set.rpm = body.rpm
  if (body.tpm !== undefined) set.tpm = body.tpm
  if (body.max_concurrency !== undefined) set.max_concurrency = body.max_concurrency
  if (Object.keys(set).length > 0) await deps.db.updateTable('tokens').set(set).where('id', '=', id).execute()
  return serializeToken(await getOwnedToken(deps, id, owner))
}

export async function setTokenFrozen(deps: TokenDeps, id: string, owner: string | null, frozen: boolean) {
  await getOwnedToken(deps, id, owner)
  await deps.db
    .updateTable('tokens')
    .set({ frozen: boolToInt(frozen) })
    .where('id', '=', id)
    .execute()
  return serializeToken(await getOwnedToken(deps, id, owner))
}

export async function deleteToken(
  deps: TokenDeps,
  id: string,
  owner: string | null,
): Promise<Selectable<TokensTable>> {
  const row = await getOwnedToken(deps, id, owner)
  await deps.db.deleteFrom('tokens').where('id', '=', id).execute()
  return row
}
