import type { Kysely, Selectable, Updateable } from 'kysely'
import type { Database, GroupsTable } from '../../infra/db/database-types.ts'
import { boolToInt, toBool, toIso, toNum } from '../../infra/db/convert-row-values.ts'
import { newId } from '../../infra/ids.ts'
import type { Clock } from '../../infra/clock.ts'
import type { CreateGroupBody, UpdateGroupBody } from '../../contracts/groups.ts'
import { conflict, notFound } from '../../domain/errors.ts'
import type { Page } from '../paging.ts'
import { selectPage } from '../../infra/db/select-page.ts'

export interface GroupDeps {
  db: Kysely<Database>
  clock: Clock
}

export function serializeGroup(row: Selectable<GroupsTable>) {
  return {
    id: row.id,
    name: row.name,
    priority: toNum(row.priority),
    multiplier: row.multiplier,
    all_visible: toBool(row.all_visible),
    description: row.description,
    created_at: toIso(row.created_at),
  }
}

export async function getGroupRow(deps: GroupDeps, id: string) {
  const row = await deps.db.selectFrom('groups').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('Group')
  return row
}

export function listGroups(deps: GroupDeps, page: Page) {
  return selectPage(
    deps.db.selectFrom('groups'),
    (q) => q.selectAll().orderBy('priority', 'desc').orderBy('name'),
    page,
    serializeGroup,
  )
}

/** Group names are unique: a second group of the same name is a conflict. */
async function assertGroupNameFree(deps: GroupDeps, name: string): Promise<void> {
  const taken = await deps.db.selectFrom('groups').select('id').where('name', '=', name).executeTakeFirst()
  if (taken) throw conflict(`A group named "${name}" already exists`)
}

export async function createGroup(deps: GroupDeps, body: CreateGroupBody) {
  await assertGroupNameFree(deps, body.name)
  const id = newId()
  await deps.db
    .insertInto('groups')
    .values({
      id,
      name: body.name,
      priority: body.priority ?? 1,
      multiplier: body.multiplier ?? 1,
      all_visible: boolToInt(body.all_visible ?? false),
      description: body.description ?? null,
      created_at: deps.clock.now(),
    })
    .execute()
  return serializeGroup(await getGroupRow(deps, id))
}

export async function updateGroup(deps: GroupDeps, id: string, body: UpdateGroupBody) {
  const current = await getGroupRow(deps, id)
  const set: Updateable<GroupsTable> = {}
  if (body.name !== undefined && body.name !== current.name) {
    await assertGroupNameFree(deps, body.name)
    set.name = body.name
  }
  if (body.priority !== undefined) set.priority = body.priority
  if (body.multiplier !== undefined) set.multiplier = body.multiplier
  if (body.all_visible !== undefined) set.all_visible = boolToInt(body.all_visible)
  if (body.description !== undefined) set.description = body.description
  if (Object.keys(set).length) await deps.db.updateTable('groups').set(set).where('id', '=', id).execute()
  return serializeGroup(await getGroupRow(deps, id))
}

/** Keys bound to the group would silently change routing and billing, so deletion is refused while any exist. */
export async function deleteGroup(deps: GroupDeps, id: string) {
  const row = await getGroupRow(deps, id)
  const bound = await deps.db
    .selectFrom('tokens')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('group_id', '=', id)
    .executeTakeFirstOrThrow()
  if (toNum(bound.n) > 0)
    throw conflict(`${toNum(bound.n)} API key(s) are bound to this group; rebind them first`)
  await deps.db.deleteFrom('groups').where('id', '=', id).execute()
  return row
}

export async function linkChannel(deps: GroupDeps, groupId: string, channelId: string) {
  await getGroupRow(deps, groupId)
  const ch = await deps.db.selectFrom('channels').select('id').where('id', '=', channelId).executeTakeFirst()
  if (!ch) throw notFound('Channel')
  await deps.db
    .insertInto('group_channels')
    .values({ group_id: groupId, channel_id: channelId, created_at: deps.clock.now() })
    .onConflict((oc) => oc.columns(['group_id', 'channel_id']).doNothing())
    .execute()
  return { group_id: groupId, channel_id: channelId, status: 'ok' }
}

export async function unlinkChannel(deps: GroupDeps, groupId: string, channelId: string) {
  const res = await deps.db
    .deleteFrom('group_channels')
    .where('group_id', '=', groupId)
    .where('channel_id', '=', channelId)
    .executeTakeFirst()
  if (toNum(res.numDeletedRows) === 0) throw notFound('Link')
}

export async function listGroupChannels(deps: GroupDeps, groupId: string) {
  await getGroupRow(deps, groupId)
  const rows = await deps.db
    .selectFrom('group_channels')
    .innerJoin('channels', 'channels.id', 'group_channels.channel_id')
    .select([
      'channels.id',
      'channels.name',
      'channels.provider',
      'channels.base_url',
      'channels.enabled',
      'channels.weight',
    ])
    .where('group_channels.group_id', '=', groupId)
    .orderBy('channels.name')
    .execute()
  return rows.map((r) => ({ ...r, enabled: toBool(r.enabled), weight: toNum(r.weight) }))
}

export async function listUserGroups(deps: GroupDeps, username: string, all: boolean) {
  let q = deps.db.selectFrom('groups').selectAll()
  if (!all) {
    q = q.where((eb) =>
      eb.or([
        eb('all_visible', '=', 1),
        eb('id', 'in', eb.selectFrom('group_members').select('group_id').where('username', '=', username)),
      ]),
    )
  }
  const rows = await q.orderBy('priority', 'desc').orderBy('name').execute()
  return rows.map(serializeGroup)
}
