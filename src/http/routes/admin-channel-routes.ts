import { z } from 'zod'
import { pageQuery } from '../../contracts/common.ts'
import { bulkChannelsBody, createChannelBody, updateChannelBody } from '../../contracts/channels.ts'
import { param, route } from '../define-route.ts'
import { listPage } from '../../services/paging.ts'
import {
  changeChannel,
  channelTarget,
  checkChannelAddresses,
  deleteChannel,
  getChannelRow,
  insertChannel,
  listChannels,
  recordProbe,
  saveFetchedModels,
  serializeChannel,
  setChannelsEnabled,
} from '../../services/channels/channel-service.ts'
import { probeChannel } from '../../services/channels/test-channel.ts'
import type { AppDeps } from '../app-deps.ts'
import { bulkResult, channelView, fetchedModels, listOf, probeResult } from '../../contracts/responses.ts'

const channelDeps = (deps: AppDeps) => ({
  db: deps.db.db,
  clock: deps.clock,
  encryptionKey: deps.config.ENCRYPTION_KEY,
  checkAddress: deps.channelUpstream.checkAddress,
})
const byId = param('id')
const testBody = z.strictObject({ model: z.string().min(1).max(200).optional() }).optional()
/** Fetch-models may keep only the chosen ones (`keep`); without it the upstream's whole list replaces the channel's. */
const fetchBody = z
  .strictObject({
    keep: z.array(z.string().trim().min(1).max(200)).max(5000).optional(),
    preview: z.boolean().optional(),
  })
  .optional()

export const adminChannelRoutes = [
  route({
    method: 'GET',
    url: '/admin/channels',
    response: listOf(channelView),
    auth: 'admin',
    tag: 'channels',
    summary: 'Channels (keys masked)',
    query: pageQuery,
    handler: ({ deps, query }) => listPage(query, 100, (page) => listChannels(channelDeps(deps), page)),
  }),
  route({
    method: 'POST',
    url: '/admin/channels',
    response: channelView,
    auth: 'admin',
    tag: 'channels',
    summary: 'Create a channel; its key is encrypted at rest',
    body: createChannelBody,
    status: 201,
    prepare: ({ deps, body }) => checkChannelAddresses(channelDeps(deps), body),
    change: ({ deps, body }, db) => insertChannel({ ...channelDeps(deps), db }, body),
    audit: { action: 'channel.create', target: (ch) => ch.id, summary: (ch) => ({ ...ch }) },
    invalidates: { channels: (ch) => ch.id },
  }),
  route({
    method: 'GET',
    url: '/admin/channels/:id',
    response: channelView,
    auth: 'admin',
    tag: 'channels',
    summary: 'One channel',
    handler: async ({ deps, params }) =>
      serializeChannel(await getChannelRow(channelDeps(deps), params.id), deps.clock.now()),
  }),
  route({
    method: 'PATCH',
    url: '/admin/channels/:id',
    response: channelView,
    auth: 'admin',
    tag: 'channels',
    summary:
      'Change a channel; changing where its key is sent (base URL origin, proxy, extra headers) needs `api_key` again',
    body: updateChannelBody,
    prepare: ({ deps, body }) => checkChannelAddresses(channelDeps(deps), body),
    change: ({ deps, body, params }, db) => changeChannel({ ...channelDeps(deps), db }, params.id, body),
    audit: {
      action: 'channel.update',
      target: byId,
      // Old and new hosts when the key now goes somewhere else; field names only, never the key.
      summary: ({ destination }, { body }) => ({
        changed: Object.keys(body),
        ...(destination ? { destination } : {}),
      }),
    },
    invalidates: { channels: byId },
    reply: ({ channel }) => channel,
  }),
  route({
    method: 'DELETE',
    url: '/admin/channels/:id',
    auth: 'admin',
    tag: 'channels',
    summary: 'Delete a channel (its group links go with it)',
    status: 204,
    change: ({ deps, params }, db) => deleteChannel({ ...channelDeps(deps), db }, params.id),
    audit: { action: 'channel.delete', target: byId, summary: (row) => ({ name: row.name }) },
    invalidates: { channels: byId },
  }),
  route({
    method: 'POST',
    url: '/admin/channels/:id/fetch-models',
    response: fetchedModels,
    auth: 'admin',
    tag: 'channels',
    summary:
      "Replace the channel's model list with the upstream's (`keep`: only those of them); `preview` lists without saving",
    body: fetchBody,
    handler: async ({ deps, params, body, principal, ip }) => {
      const cd = channelDeps(deps)
      const row = await getChannelRow(cd, params.id)
      // The provider call stays outside the transaction; only the write and its audit row are in it.
      const upstream = await deps.channelUpstream.fetchModels(channelTarget(cd, row))
      if (body?.preview) return { ok: true, count: upstream.length, models: upstream }
      const keep = body?.keep ? new Set(body.keep) : null
      const models = keep ? upstream.filter((m) => keep.has(m)) : upstream
      // Declared by hand: a preview changes nothing and writes no audit row.
      await deps.audit.change(
        (db) => saveFetchedModels({ ...cd, db }, params.id, models),
        () => ({
          actor: principal.username,
          action: 'channel.fetch_models',
          target: params.id,
          summary: { count: models.length },
          ip,
        }),
      )
      deps.invalidate('channels', params.id)
      return { ok: true, count: models.length, models }
    },
  }),
  route({
    method: 'POST',
    url: '/admin/channels/:id/test',
    response: probeResult,
    auth: 'admin',
    tag: 'channels',
    summary: 'Send a one-token request through the channel and record its health',
    body: testBody,
    // The same probe as the CLI's `testChannel`, outside the transaction; its record and audit row inside.
    prepare: ({ deps, params, body }) =>
      probeChannel(channelDeps(deps), deps.channelUpstream, params.id, body?.model),
    change: async ({ deps, params, prepared }, db) => {
      await recordProbe({ ...channelDeps(deps), db }, params.id, prepared)
      return prepared
    },
    audit: { action: 'channel.test', target: byId, summary: (r) => ({ ok: r.ok, status: r.status }) },
    invalidates: { channels: byId },
  }),
  route({
    method: 'POST',
    url: '/admin/channels/bulk-enable',
    response: bulkResult,
    auth: 'admin',
    tag: 'channels',
    summary: 'Enable or disable several channels at once',
    body: bulkChannelsBody,
    change: ({ deps, body }, db) => setChannelsEnabled({ ...channelDeps(deps), db }, body.ids, body.enabled),
    audit: {
      action: (_, { body }) => (body.enabled ? 'channel.bulk_enable' : 'channel.bulk_disable'),
      summary: (ids) => ({ ids }),
    },
    invalidates: { channels: true },
    reply: (ids) => ({ ok: true, count: ids.length, ids }),
  }),
]
