import { PostgresAdapter, type Kysely, type Selectable, type Updateable } from 'kysely'
import type { Database, UsersTable } from '../../infra/db/database-types.ts'
import {
  boolToInt,
  nanoToUsd,
  toBig,
  toBigOrNull,
  toBool,
  toIso,
  toNum,
  usdToNano,
} from '../../infra/db/convert-row-values.ts'
import { hashPassword } from '../../infra/crypto/password-hash.ts'
import { newUserRow } from './new-user-row.ts'
import { recordBalanceChange, recordOpeningBalance } from '../../billing/record-balance-change.ts'
import { selectPage } from '../../infra/db/select-page.ts'
import {
  assertUsernameFree,
  canonicalNewUsername,
  isUniqueViolation,
  usernameTaken,
} from '../auth/check-new-username.ts'
import { changeEndsSessions, endSessions } from '../auth/session-version.ts'
import {
  lastSuperadmin,
  leavesAnotherSuperadmin,
  lockActiveSuperadmins,
  removesSuperadmin,
} from './keep-last-superadmin.ts'
import { runInTransaction } from '../run-in-transaction.ts'
import type { Clock } from '../../infra/clock.ts'
import type { CreateUserBody, Role, UpdateUserBody } from '../../contracts/users.ts'
import { AppError, forbidden, notFound } from '../../domain/errors.ts'
import type { Page } from '../paging.ts'

export interface UserDeps {
  db: Kysely<Database>
  clock: Clock
}

/** Never includes the password hash. */
export function serializeUser(row: Selectable<UsersTable>) {
  return {
    id: row.id,
    username: row.username,
    display_name: row.display_name,
    auth_source: row.auth_source,
    role: row.role,
    quota_usd: nanoToUsd(toBigOrNull(row.quota_nano)),
    used_usd: nanoToUsd(toBig(row.used_nano)),
    disabled: toBool(row.disabled),
    last_login_at: toIso(row.last_login_at),
    created_at: toIso(row.created_at),
  }
}

export async function getUserRow(deps: UserDeps, username: string) {
  const row = await deps.db
    .selectFrom('users')
    .selectAll()
    .where('username', '=', username)
    .executeTakeFirst()
  if (!row) throw notFound('User')
  return row
}

export async function listUsers(deps: UserDeps, filter: { q?: string }, page: Page) {
  let q = deps.db.selectFrom('users')
  if (filter.q) q = q.where('username', 'like', `%${filter.q}%`)
  const ordered = (f: typeof q) => f.selectAll().orderBy('created_at').orderBy('username')
  return selectPage(q, ordered, page, serializeUser)
}

/** Only a superadmin may create, change, disable or delete anyone whose role is (or becomes) above `user`. */
export function assertMayManage(actorRole: Role, targetRole: Role, newRole?: Role): void {
  if (actorRole === 'superadmin') return
  if (targetRole !== 'user' || (newRole !== undefined && newRole !== 'user')) {
    throw forbidden('Only a superadmin can manage administrators')
  }
}

/**
 * A password's hash for `createLocalUser` / `updateUser`, made before the transaction they may run in: on SQLite
 * a transaction holds the one connection for as long as the hash takes.
 */
export async function hashGivenPassword(password: string | undefined): Promise<string | undefined> {
  return password === undefined ? undefined : hashPassword(password)
}

export async function createLocalUser(
  deps: UserDeps,
  actorRole: Role,
  body: CreateUserBody,
  passwordHash?: string,
) {
  const role = body.role ?? 'user'
  assertMayManage(actorRole, 'user', role)
  // One canonical name per account, never the break-glass name nor a look-alike of an existing name.
  const username = canonicalNewUsername(body.username)
  await assertUsernameFree(deps.db, username)
  const now = deps.clock.now()
  const quotaNano = body.quota_usd === null ? null : usdToNano(body.quota_usd ?? 0)
  // Hashed before the transaction: on SQLite a transaction holds the one connection while it waits.
  const hash = passwordHash ?? (await hashPassword(body.password))
  await runInTransaction(deps.db, async (trx) => {
    await trx
      .insertInto('users')
      .values(
        newUserRow({
          username,
          displayName: body.display_name ?? null,
          authSource: 'local',
          passwordHash: hash,
          role,
          quotaNano,
          now,
        }),
      )
      .execute()
    await recordOpeningBalance(trx, { username, quotaNano, at: now, note: 'opening balance' })
  }).catch((err: unknown) => {
    throw isUniqueViolation(err) ? usernameTaken(username) : err
  })
  return serializeUser(await getUserRow(deps, username))
}

export async function updateUser(
  deps: UserDeps,
  actor: { username: string; role: Role },
  username: string,
  body: UpdateUserBody,
  hashedPassword?: string,
) {
  const row = await getUserRow(deps, username)
  assertMayManage(actor.role, row.role, body.role)
  if (body.password !== undefined && row.auth_source !== 'local') {
    throw new AppError('validation_error', 'password: only local accounts have a password here')
  }
  const now = deps.clock.now()
  // Hashed before the transaction: on SQLite a transaction holds the one connection while it waits.
  const passwordHash = hashedPassword ?? (await hashGivenPassword(body.password))
  const removes = removesSuperadmin(row, body)
  await runInTransaction(deps.db, async (trx) => {
    if (removes) await lockActiveSuperadmins(trx)
    // The balance as this transaction replaces it, not as read before it: a settlement landing in between would
    // otherwise be missing from the ledger's sum (docs/security.md, #28).
    const before = body.quota_usd !== undefined ? await readBalanceForUpdate(trx, username) : null
    const set: Updateable<UsersTable> = { updated_at: now }
    if (body.display_name !== undefined) set.display_name = body.display_name
    if (passwordHash !== undefined) set.password_hash = passwordHash
    if (body.disabled !== undefined) set.disabled = boolToInt(body.disabled)
    if (body.role !== undefined) set.role = body.role
    if (body.quota_usd !== undefined)
      set.quota_nano = body.quota_usd === null ? null : usdToNano(body.quota_usd)
    let update = trx.updateTable('users').set(set).where('username', '=', username)
    if (removes) update = update.where(leavesAnotherSuperadmin(username))
    const r = await update.executeTakeFirst()
    if (removes && toNum(r.numUpdatedRows) === 0) throw lastSuperadmin()
    // A reset password, another role or a disabled account ends the sessions issued before.
    if (changeEndsSessions(row, body)) await endSessions(trx, username)
    if (body.quota_usd !== undefined) {
      const after = body.quota_usd === null ? null : usdToNano(body.quota_usd)
      await recordBalanceChange(trx, {
        username,
        kind: 'admin_adjust',
        amountNano: after === null || before === null ? 0n : after - before,
        balanceAfterNano: after,
        at: now,
      })
    }
  })
  return { before: serializeUser(row), after: serializeUser(await getUserRow(deps, username)) }
}

export async function setUserRole(deps: UserDeps, actor: { username: string }, username: string, role: Role) {
  const row = await getUserRow(deps, username)
  const removes = removesSuperadmin(row, { role })
  await runInTransaction(deps.db, async (trx) => {
    if (removes) await lockActiveSuperadmins(trx)
    let update = trx
      .updateTable('users')
      .set({ role, updated_at: deps.clock.now() })
      .where('username', '=', username)
    if (removes) update = update.where(leavesAnotherSuperadmin(username))
    const r = await update.executeTakeFirst()
    if (removes && toNum(r.numUpdatedRows) === 0) throw lastSuperadmin()
    if (changeEndsSessions(row, { role })) await endSessions(trx, username)
  })
  return {
    before: serializeUser(row),
    after: serializeUser(await getUserRow(deps, username)),
    by: actor.username,
  }
}

export async function deleteUser(deps: UserDeps, actor: { username: string; role: Role }, username: string) {
  const row = await getUserRow(deps, username)
  assertMayManage(actor.role, row.role)
  if (row.username === actor.username) throw new AppError('conflict', 'You cannot delete yourself')
  const removes = removesSuperadmin(row, { deleted: true })
  await runInTransaction(deps.db, async (trx) => {
    if (removes) await lockActiveSuperadmins(trx)
    let del = trx.deleteFrom('users').where('username', '=', username)
    if (removes) del = del.where(leavesAnotherSuperadmin(username))
    const r = await del.executeTakeFirst()
    if (removes && toNum(r.numDeletedRows) === 0) throw lastSuperadmin()
  })
  return row
}

export async function addMembership(deps: UserDeps, username: string, groupId: string) {
  await getUserRow(deps, username)
  const group = await deps.db.selectFrom('groups').select('id').where('id', '=', groupId).executeTakeFirst()
  if (!group) throw notFound('Group')
  await deps.db
    .insertInto('group_members')
    .values({ username, group_id: groupId, created_at: deps.clock.now() })
    .onConflict((oc) => oc.columns(['username', 'group_id']).doNothing())
    .execute()
  return { username, group_id: groupId, status: 'ok' }
}

export async function removeMembership(deps: UserDeps, username: string, groupId: string) {
  const r = await deps.db
    .deleteFrom('group_members')
    .where('username', '=', username)
    .where('group_id', '=', groupId)
    .executeTakeFirst()
  if (toNum(r.numDeletedRows) === 0) throw notFound('Membership')
}

export async function listMemberships(deps: UserDeps, username: string) {
  await getUserRow(deps, username)
  const rows = await deps.db
    .selectFrom('group_members')
    .innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select(['groups.id', 'groups.name', 'groups.priority', 'groups.all_visible'])
    .where('group_members.username', '=', username)
    .orderBy('groups.priority', 'desc')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    priority: toNum(r.priority),
    all_visible: toBool(r.all_visible),
  }))
}

/** The user's balance, its row locked until the transaction ends (PostgreSQL; SQLite's writers are serial). */
async function readBalanceForUpdate(trx: Kysely<Database>, username: string): Promise<bigint | null> {
  let q = trx.selectFrom('users').select('quota_nano').where('username', '=', username)
  if (trx.getExecutor().adapter instanceof PostgresAdapter) q = q.forUpdate()
  const row = await q.executeTakeFirstOrThrow()
  return toBigOrNull(row.quota_nano)
}
