import { pageQuery } from '../../contracts/common.ts'
import { createGroupBody, updateGroupBody } from '../../contracts/groups.ts'
import { param, route } from '../define-route.ts'
import { listPage, whole } from '../../services/paging.ts'
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
import { groupChannel, groupView, linkResult, listOf } from '../../contracts/responses.ts'
import { serviceDeps } from '../app-deps.ts'

const channelLinkAudit = (action: string) => ({
  action,
  target: param('id'),
  summary: (_: unknown, { params }: { params: Record<string, string> }) => ({
    channel_id: params.channel_id,
  }),
})

export const adminGroupRoutes = [
  route({
    method: 'GET',
    url: '/admin/groups',
    response: listOf(groupView),
    auth: 'admin',
    tag: 'groups',
    summary: 'Groups by priority',
    query: pageQuery,
    handler: ({ deps, query }) => listPage(query, 100, (page) => listGroups(serviceDeps(deps), page)),
  }),
  route({
    method: 'POST',
    url: '/admin/groups',
    response: groupView,
    auth: 'admin',
    tag: 'groups',
    summary: 'Create a group',
    body: createGroupBody,
    status: 201,
    change: ({ deps, body }, db) => createGroup({ ...serviceDeps(deps), db }, body),
    audit: { action: 'group.create', target: (g) => g.id, summary: (g) => g },
    invalidates: { groups: (g) => g.id },
  }),
  route({
    method: 'GET',
    url: '/admin/groups/:id',
    response: groupView,
    auth: 'admin',
    tag: 'groups',
    summary: 'One group',
    handler: async ({ deps, params }) => serializeGroup(await getGroupRow(serviceDeps(deps), params.id)),
  }),
  route({
    method: 'PATCH',
    url: '/admin/groups/:id',
    response: groupView,
    auth: 'admin',
    tag: 'groups',
    summary: 'Change priority, multiplier, visibility or description',
    body: updateGroupBody,
    change: ({ deps, body, params }, db) => updateGroup({ ...serviceDeps(deps), db }, params.id, body),
    audit: { action: 'group.update', target: (g) => g.id, summary: (_, { body }) => body },
    invalidates: { groups: (g) => g.id },
  }),
  route({
    method: 'DELETE',
    url: '/admin/groups/:id',
    auth: 'admin',
    tag: 'groups',
    summary: 'Delete a group (refused with 409 while keys are bound to it)',
    status: 204,
    change: ({ deps, params }, db) => deleteGroup({ ...serviceDeps(deps), db }, params.id),
    audit: {
      action: 'group.delete',
      target: param('id'),
      summary: (row) => ({ name: row.name }),
    },
    invalidates: { groups: param('id') },
  }),
  route({
    method: 'GET',
    url: '/admin/groups/:id/channels',
    response: listOf(groupChannel),
    auth: 'admin',
    tag: 'groups',
    summary: "The group's channels",
    handler: async ({ deps, params }) => whole(await listGroupChannels(serviceDeps(deps), params.id)),
  }),
  route({
    method: 'POST',
    url: '/admin/groups/:id/channels/:channel_id',
    response: linkResult,
    auth: 'admin',
    tag: 'groups',
    summary: 'Link a channel to the group (idempotent)',
    change: ({ deps, params }, db) => linkChannel({ ...serviceDeps(deps), db }, params.id, params.channel_id),
    audit: channelLinkAudit('group.link_channel'),
    invalidates: { groups: param('id') },
  }),
  route({
    method: 'DELETE',
    url: '/admin/groups/:id/channels/:channel_id',
    auth: 'admin',
    tag: 'groups',
    summary: 'Unlink a channel from the group',
    status: 204,
    change: ({ deps, params }, db) =>
      unlinkChannel({ ...serviceDeps(deps), db }, params.id, params.channel_id),
    audit: channelLinkAudit('group.unlink_channel'),
    invalidates: { groups: param('id') },
  }),
]
