import { z } from 'zod'
import { pageQuery } from '../../contracts/common.ts'
import { bulkChannelsBody, createChannelBody, updateChannelBody } from '../../contracts/channels.ts'
import { route } from '../define-route.ts'
import { paged, resolvePage } from '../../services/paging.ts'
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
    handler: async ({ deps, query }) => {
      const page = resolvePage(query, 100)
      const r = await listChannels(channelDeps(deps), page)
      return paged(r.data, r.total, page)
    },
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
    handler: async ({ deps, body, principal, ip }) => {
      const cd = channelDeps(deps)
      await checkChannelAddresses(cd, body)
      const ch = await deps.audit.change(
        (db) => insertChannel({ ...cd, db }, body),
        (ch) => ({
          actor: principal.username,
          action: 'channel.create',
          target: ch.id,
          summary: { ...ch },
          ip,
        }),
      )
      deps.invalidate('channels', ch.id)
      return ch
    },
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
    handler: async ({ deps, body, params, principal, ip }) => {
      const cd = channelDeps(deps)
      await checkChannelAddresses(cd, body)
      const { channel: ch } = await deps.audit.change(
        (db) => changeChannel({ ...cd, db }, params.id, body),
        ({ destination }) => ({
          actor: principal.username,
          action: 'channel.update',
          target: params.id,
          // Old and new hosts when the key now goes somewhere else; field names only, never the key.
          summary: { changed: Object.keys(body), ...(destination ? { destination } : {}) },
          ip,
        }),
      )
      deps.invalidate('channels', ch.id)
      return ch
    },
  }),
  route({
    method: 'DELETE',
    url: '/admin/channels/:id',
    auth: 'admin',
    tag: 'channels',
    summary: 'Delete a channel (its group links go with it)',
    status: 204,
    handler: async ({ deps, params, principal, ip }) => {
      await deps.audit.change(
        (db) => deleteChannel({ ...channelDeps(deps), db }, params.id),
        (row) => ({
          actor: principal.username,
          action: 'channel.delete',
          target: params.id,
          summary: { name: row.name },
          ip,
        }),
      )
      deps.invalidate('channels', params.id)
    },
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
    handler: async ({ deps, params, body, principal, ip }) => {
      const cd = channelDeps(deps)
      // The same probe as the CLI's `testChannel`; recorded here with its audit row in one transaction.
      const result = await probeChannel(cd, deps.channelUpstream, params.id, body?.model)
      await deps.audit.change(
        (db) => recordProbe({ ...cd, db }, params.id, result),
        () => ({
          actor: principal.username,
          action: 'channel.test',
          target: params.id,
          summary: { ok: result.ok, status: result.status },
          ip,
        }),
      )
      deps.invalidate('channels', params.id)
      return result
    },
  }),
  route({
    method: 'POST',
    url: '/admin/channels/bulk-enable',
    response: bulkResult,
    auth: 'admin',
    tag: 'channels',
    summary: 'Enable or disable several channels at once',
    body: bulkChannelsBody,
    handler: async ({ deps, body, principal, ip }) => {
      const ids = await deps.audit.change(
        (db) => setChannelsEnabled({ ...channelDeps(deps), db }, body.ids, body.enabled),
        (ids) => ({
          actor: principal.username,
          action: body.enabled ? 'channel.bulk_enable' : 'channel.bulk_disable',
          target: null,
          summary: { ids },
          ip,
        }),
      )
      for (const id of ids) deps.invalidate('channels', id)
      return { ok: true, count: ids.length, ids }
    },
  }),
]
