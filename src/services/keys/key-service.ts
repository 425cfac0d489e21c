import type { Kysely, Selectable, Updateable } from 'kysely'
import type { Database, TokensTable } from '../../infra/db/database-types.ts'
import { apiKeyPrefix, generateApiKey, hashApiKey } from '../../infra/crypto/api-key.ts'
import {
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
import type { CreateKeyBody, IssueKeyBody, UpdateKeyBody } from '../../contracts/keys.ts'
import { AppError, notFound } from '../../domain/errors.ts'
import { parseExpiry, type Page } from '../paging.ts'
import { visibleGroupIds } from '../groups/visible-groups.ts'
import type { Role } from '../../contracts/users.ts'

/**
 * Who holds a freeze: the key's owner, or an administrator (anyone else who froze it; a freeze recorded before
 * `frozen_by` existed counts as an administrator's). Only an administrator lifts an administrator's freeze.
 */
function frozenBy(row: Selectable<TokensTable>): 'owner' | 'admin' | null {
  if (!toBool(row.frozen)) return null
  return row.frozen_by !== null && row.frozen_by === row.username ? 'owner' : 'admin'
}

export function serializeKey(row: Selectable<TokensTable>) {
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
    frozen_by: frozenBy(row),
    expires_at: toIso(row.expires_at),
    allowed_models: parseJson<string[] | null>(row.allowed_models, null),
    rpm: toNumOrNull(row.rpm),
    tpm: toNumOrNull(row.tpm),
    max_concurrency: toNumOrNull(row.max_concurrency),
    last_used_at: toIso(row.last_used_at),
    created_at: toIso(row.created_at),
  }
}

export interface KeyDeps {
  db: Kysely<Database>
  clock: Clock
}

/** A user may bind a key only to a group they can see; admins to any existing group. */
async function assertGroupBindable(
  deps: KeyDeps,
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

export async function createKey(deps: KeyDeps, owner: string, role: Role, body: CreateKeyBody) {
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
  return { ...serializeKey(saved), key }
}

/** An administrator's key for a user: any group may be bound (the administrator decides), the user must exist. */
export async function issueKey(deps: KeyDeps, body: IssueKeyBody) {
  const { username, ...key } = body
  const owner = await deps.db
    .selectFrom('users')
    .select('username')
    .where('username', '=', username)
    .executeTakeFirst()
  if (!owner) throw notFound('User')
  return createKey(deps, username, 'admin', key)
}

export async function listKeys(deps: KeyDeps, filter: { username?: string; q?: string }, page: Page) {
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
  return { data: rows.map(serializeKey), total: toNum(count.n) }
}

/** Another user's key is reported as absent, never as forbidden, so ids cannot be probed. */
export async function getOwnedKey(deps: KeyDeps, id: string, owner: string | null) {
  let q = deps.db.selectFrom('tokens').selectAll().where('id', '=', id)
  if (owner !== null) q = q.where('username', '=', owner)
  const row = await q.executeTakeFirst()
  if (!row) throw notFound('Key')
  return row
}

export async function updateKey(
  deps: KeyDeps,
  id: string,
  owner: string | null,
  role: Role,
  body: UpdateKeyBody,
) {
  const row = await getOwnedKey(deps, id, owner)
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
  return serializeKey(await getOwnedKey(deps, id, owner))
}

/** Who asks for a freeze change: the key's owner (their own keys only) or an administrator (any key). */
export interface FreezeActor {
  username: string
  admin: boolean
}

/**
 * Freezes or unfreezes a key and records who froze it, each in one conditional statement, so a concurrent admin
 * freeze cannot be undone by an owner's unfreeze racing it. An owner's freeze never replaces an administrator's,
 * an administrator's replaces the owner's, and the owner lifting an administrator's freeze gets 403
 * `key_frozen_by_admin`.
 */
export async function setKeyFrozen(
  deps: KeyDeps,
  id: string,
  who: FreezeActor | string | null,
  frozen: boolean,
) {
  // Older callers pass the owner's name, or null for an administrator they do not name.
  const actor: FreezeActor =
    who === null
      ? { username: 'administrator', admin: true }
      : typeof who === 'string'
        ? { username: who, admin: false }
        : who
  const owner = actor.admin ? null : actor.username
  await getOwnedKey(deps, id, owner)
  let q = deps.db.updateTable('tokens').where('id', '=', id)
  if (frozen && actor.admin) q = q.set({ frozen: 1, frozen_by: actor.username })
  else if (frozen)
    q = q.set((eb) => ({
      frozen: 1,
      frozen_by: eb.case().when('frozen', '=', 1).then(eb.ref('frozen_by')).else(actor.username).end(),
    }))
  else q = q.set({ frozen: 0, frozen_by: null })
  if (owner !== null) {
    q = q.where('username', '=', owner)
    if (!frozen) q = q.where((eb) => eb.or([eb('frozen', '=', 0), eb('frozen_by', '=', owner)]))
  }
  const r = await q.executeTakeFirst()
  if (toNum(r.numUpdatedRows) === 0 && owner !== null && !frozen) {
    throw new AppError(
      'key_frozen_by_admin',
      'An administrator froze this key; only an administrator can unfreeze it',
    )
  }
  return serializeKey(await getOwnedKey(deps, id, owner))
}

export async function deleteKey(
  deps: KeyDeps,
  id: string,
  owner: string | null,
): Promise<Selectable<TokensTable>> {
  const row = await getOwnedKey(deps, id, owner)
  await deps.db.deleteFrom('tokens').where('id', '=', id).execute()
  return row
}
