import { pageQuery } from '../../contracts/common.ts'
import { createGroupBody, updateGroupBody } from '../../contracts/groups.ts'
import { route } from '../define-route.ts'
import { paged, resolvePage } from '../../services/paging.ts'
import {
  createGroup,
  deleteGroup,
  getGroupRow,
  linkChannel,
  listGroupChannels,
  listGroups,
  serializeGroup,
  unlinkChannel,
  updateGroup,
} from '../../services/groups/group-service.ts'
import type { AppDeps } from '../app-deps.ts'

const groupDeps = (deps: AppDeps) => ({ db: deps.db.db, clock: deps.clock })

export const adminGroupRoutes = [
  route({
    method: 'GET',
    url: '/admin/groups',
    auth: 'admin',
    tag: 'groups',
    summary: 'Groups by priority',
    query: pageQuery,
    handler: async ({ deps, query }) => {
      const page = resolvePage(query, 100)
      const r = await listGroups(groupDeps(deps), page)
      return paged(r.data, r.total, page)
    },
  }),
  route({
    method: 'POST',
    url: '/admin/groups',
    auth: 'admin',
    tag: 'groups',
    summary: 'Create a group',
    body: createGroupBody,
    status: 201,
    handler: async ({ deps, body, principal, ip }) => {
      const g = await deps.audit.change(
        (db) => createGroup({ ...groupDeps(deps), db }, body),
        (g) => ({ actor: principal.username, action: 'group.create', target: g.id, summary: g, ip }),
      )
      deps.invalidate('groups', g.id)
      return g
    },
  }),
  route({
    method: 'GET',
    url: '/admin/groups/:id',
    auth: 'admin',
    tag: 'groups',
    summary: 'One group',
    handler: async ({ deps, params }) => serializeGroup(await getGroupRow(groupDeps(deps), params.id)),
  }),
  route({
    method: 'PATCH',
    url: '/admin/groups/:id',
    auth: 'admin',
    tag: 'groups',
    summary: 'Change priority, multiplier, visibility or description',
    body: updateGroupBody,
    handler: async ({ deps, body, params, principal, ip }) => {
      const g = await deps.audit.change(
        (db) => updateGroup({ ...groupDeps(deps), db }, params.id, body),
        (g) => ({ actor: principal.username, action: 'group.update', target: g.id, summary: body, ip }),
      )
      deps.invalidate('groups', g.id)
      return g
    },
  }),
  route({
    method: 'DELETE',
    url: '/admin/groups/:id',
    auth: 'admin',
    tag: 'groups',
    summary: 'Delete a group (refused with 409 while keys are bound to it)',
    status: 204,
    handler: async ({ deps, params, principal, ip }) => {
      await deps.audit.change(
        (db) => deleteGroup({ ...groupDeps(deps), db }, params.id),
        (row) => ({
          actor: principal.username,
          action: 'group.delete',
          target: params.id,
          summary: { name: row.name },
          ip,
        }),
      )
      deps.invalidate('groups', params.id)
    },
  }),
  route({
    method: 'GET',
    url: '/admin/groups/:id/channels',
    auth: 'admin',
    tag: 'groups',
    summary: "The group's channels",
    handler: async ({ deps, params }) => {
      const data = await listGroupChannels(groupDeps(deps), params.id)
      return { data, total: data.length }
    },
  }),
  route({
    method: 'POST',
    url: '/admin/groups/:id/channels/:channel_id',
    auth: 'admin',
    tag: 'groups',
    summary: 'Link a channel to the group (idempotent)',
    handler: async ({ deps, params, principal, ip }) => {
      const r = await deps.audit.change(
        (db) => linkChannel({ ...groupDeps(deps), db }, params.id, params.channel_id),
        () => ({
          actor: principal.username,
          action: 'group.link_channel',
          target: params.id,
          summary: { channel_id: params.channel_id },
          ip,
        }),
      )
      deps.invalidate('groups', params.id)
      return r
    },
  }),
  route({
    method: 'DELETE',
    url: '/admin/groups/:id/channels/:channel_id',
    auth: 'admin',
    tag: 'groups',
    summary: 'Unlink a channel from the group',
    status: 204,
    handler: async ({ deps, params, principal, ip }) => {
      await deps.audit.change(
        (db) => unlinkChannel({ ...groupDeps(deps), db }, params.id, params.channel_id),
        () => ({
          actor: principal.username,
          action: 'group.unlink_channel',
          target: params.id,
          summary: { channel_id: params.channel_id },
          ip,
        }),
      )
      deps.invalidate('groups', params.id)
    },
  }),
]
