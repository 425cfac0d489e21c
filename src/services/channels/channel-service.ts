import type { Kysely, Selectable, Updateable } from 'kysely'
import type { ChannelsTable, Database } from '../../infra/db/database-types.ts'
import { boolToInt, parseJson, toBool, toIso, toNum, toNumOrNull } from '../../infra/db/convert-row-values.ts'
import { decryptSecret, encryptSecret, maskSecret } from '../../infra/crypto/secret-box.ts'
import { newId } from '../../infra/ids.ts'
import type { Clock } from '../../infra/clock.ts'
import type { CreateChannelBody, UpdateChannelBody } from '../../contracts/channels.ts'
import { AppError, conflict, notFound } from '../../domain/errors.ts'
import type { Page } from '../paging.ts'
import { selectPage } from '../../infra/db/select-page.ts'
import type { ChannelTarget } from './channel-upstream.ts'
import { assertAllowedUpstream, resolveWithSystem } from './check-upstream-address.ts'
import { keyDestinationChange } from './compare-key-destination.ts'

export interface ChannelDeps {
  db: Kysely<Database>
  clock: Clock
  encryptionKey: Buffer
  /** Save-time address check (check-upstream-address.ts): 400 naming `field` when refused or unresolvable. */
  checkAddress?: (url: string, field: string) => Promise<void>
}

export function serializeChannel(row: Selectable<ChannelsTable>, now: number) {
  const cooldown = toNumOrNull(row.cooldown_until)
  return {
    id: row.id,
    name: row.name,
    provider: row.provider,
    base_url: row.base_url,
    api_key: row.api_key_hint,
    weight: toNum(row.weight),
    enabled: toBool(row.enabled),
    models: parseJson<string[]>(row.models, []),
    model_mapping: parseJson<Record<string, string>>(row.model_mapping, {}),
    extra_headers: Object.keys(parseJson<Record<string, string>>(row.extra_headers, {})),
    connect_timeout_ms: toNumOrNull(row.connect_timeout_ms),
    first_byte_timeout_ms: toNumOrNull(row.first_byte_timeout_ms),
    idle_timeout_ms: toNumOrNull(row.idle_timeout_ms),
    proxy_url: row.proxy_url,
    status: cooldown !== null && cooldown > now ? 'cooling_down' : row.status,
    last_error: row.last_error,
    cooldown_until: toIso(cooldown),
    tags: parseJson<string[]>(row.tags, []),
    responses_api: toBool(row.responses_api),
    response_ms: toNumOrNull(row.response_ms),
    tested_at: toIso(toNumOrNull(row.tested_at)),
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
  }
}

export async function getChannelRow(deps: ChannelDeps, id: string) {
  const row = await deps.db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('Channel')
  return row
}

export function channelTarget(deps: ChannelDeps, row: Selectable<ChannelsTable>): ChannelTarget {
  return {
    provider: row.provider,
    baseUrl: row.base_url,
    apiKey: decryptSecret(deps.encryptionKey, row.api_key_enc),
    extraHeaders: parseJson<Record<string, string>>(row.extra_headers, {}),
    proxyUrl: row.proxy_url,
    connectTimeoutMs: toNumOrNull(row.connect_timeout_ms),
  }
}

/**
 * The groups linking each channel: a channel routes only for keys of a group that links it, so the Channels page
 * shows them and warns about a channel no group reaches (docs/channels.md).
 */
async function groupsOf(deps: ChannelDeps, ids: string[]) {
  const out = new Map<string, { id: string; name: string }[]>()
  if (ids.length === 0) return out
  const links = await deps.db
    .selectFrom('group_channels as gc')
    .innerJoin('groups as g', 'g.id', 'gc.group_id')
    .select(['gc.channel_id', 'g.id', 'g.name'])
    .where('gc.channel_id', 'in', ids)
    .orderBy('g.name')
    .execute()
  for (const l of links) out.set(l.channel_id, [...(out.get(l.channel_id) ?? []), { id: l.id, name: l.name }])
  return out
}

export async function listChannels(deps: ChannelDeps, page: Page) {
  const { data: rows, total } = await selectPage(
    deps.db.selectFrom('channels'),
    (q) => q.selectAll().orderBy('created_at', 'desc').orderBy('id'),
    page,
    (row) => row,
  )
  const now = deps.clock.now()
  const groups = await groupsOf(
    deps,
    rows.map((r) => r.id),
  )
  return {
    data: rows.map((r) => ({ ...serializeChannel(r, now), groups: groups.get(r.id) ?? [] })),
    total,
  }
}

/**
 * Save-time check of the addresses in a create or update body (DNS: kept out of any transaction, which on SQLite
 * would hold the one connection while the resolver answers).
 */
export async function checkChannelAddresses(deps: ChannelDeps, body: UpdateChannelBody): Promise<void> {
  const check = deps.checkAddress ?? ((url, field) => assertAllowedUpstream(url, field, resolveWithSystem))
  if (body.base_url !== undefined) await check(body.base_url, 'base_url')
  if (body.proxy_url) await check(body.proxy_url, 'proxy_url')
}

export async function createChannel(deps: ChannelDeps, body: CreateChannelBody) {
  await checkChannelAddresses(deps, body)
  return insertChannel(deps, body)
}

/** Two channels of one name cannot be told apart in groups, logs and tests: 409 (case and spaces ignored). */
async function assertNameFree(deps: ChannelDeps, name: string, exceptId?: string) {
  let q = deps.db
    .selectFrom('channels')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.trim().toLowerCase()))
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId)
  if (await q.executeTakeFirst()) throw conflict(`A channel named "${name.trim()}" already exists`)
}

/** The database part of `createChannel`, for a caller that has run `checkChannelAddresses` itself. */
export async function insertChannel(deps: ChannelDeps, body: CreateChannelBody) {
  await assertNameFree(deps, body.name)
  const now = deps.clock.now()
  const id = newId()
  await deps.db
    .insertInto('channels')
    .values({
      id,
      name: body.name,
      provider: body.provider,
      base_url: body.base_url.replace(/\/+$/, ''),
      api_key_enc: encryptSecret(deps.encryptionKey, body.api_key),
      api_key_hint: maskSecret(body.api_key),
      weight: body.weight ?? 1,
      enabled: boolToInt(body.enabled ?? true),
      models: JSON.stringify(body.models ?? []),
      model_mapping: JSON.stringify(body.model_mapping ?? {}),
      extra_headers: JSON.stringify(body.extra_headers ?? {}),
      connect_timeout_ms: body.connect_timeout_ms ?? null,
      first_byte_timeout_ms: body.first_byte_timeout_ms ?? null,
      idle_timeout_ms: body.idle_timeout_ms ?? null,
      proxy_url: body.proxy_url ?? null,
      tags: JSON.stringify(body.tags ?? []),
      responses_api: boolToInt(body.responses_api ?? true),
      status: 'unknown',
      last_error: null,
      cooldown_until: null,
      created_at: now,
      updated_at: now,
    })
    .execute()
  return serializeChannel(await getChannelRow(deps, id), now)
}

/**
 * Changes a channel. A change of where its key is sent (another base URL origin, another proxy, other extra headers)
 * needs the key again in the same request: otherwise anyone holding an admin session could read the stored provider
 * key by pointing the channel at a host of theirs. The returned `destination` is for the admin audit (hosts and
 * header names only, never the key or header values).
 */
export async function updateChannel(deps: ChannelDeps, id: string, body: UpdateChannelBody) {
  await checkChannelAddresses(deps, body)
  return changeChannel(deps, id, body)
}

/** The database part of `updateChannel`, for a caller that has run `checkChannelAddresses` itself. */
export async function changeChannel(deps: ChannelDeps, id: string, body: UpdateChannelBody) {
  const before = await getChannelRow(deps, id)
  const destination = keyDestinationChange(before, body)
  if (destination.requiresKey.length > 0 && body.api_key === undefined) {
    const fields = destination.requiresKey.join(', ')
    const message = `api_key: required when changing ${fields} (where the channel's key is sent); send the key again`
    throw new AppError('validation_error', message, { fields: [{ field: 'api_key', message }] })
  }
  if (body.name !== undefined) await assertNameFree(deps, body.name, id)
  const set: Updateable<ChannelsTable> = { updated_at: deps.clock.now() }
  if (body.name !== undefined) set.name = body.name
  if (body.tags !== undefined) set.tags = JSON.stringify(body.tags)
  if (body.provider !== undefined) set.provider = body.provider
  if (body.base_url !== undefined) set.base_url = body.base_url.replace(/\/+$/, '')
  if (body.api_key !== undefined) {
    set.api_key_enc = encryptSecret(deps.encryptionKey, body.api_key)
    set.api_key_hint = maskSecret(body.api_key)
  }
  if (body.weight !== undefined) set.weight = body.weight
  if (body.enabled !== undefined) set.enabled = boolToInt(body.enabled)
  if (body.models !== undefined) set.models = JSON.stringify(body.models)
  if (body.model_mapping !== undefined) set.model_mapping = JSON.stringify(body.model_mapping)
  if (body.extra_headers !== undefined) set.extra_headers = JSON.stringify(body.extra_headers)
  if (body.connect_timeout_ms !== undefined) set.connect_timeout_ms = body.connect_timeout_ms
  if (body.first_byte_timeout_ms !== undefined) set.first_byte_timeout_ms = body.first_byte_timeout_ms
  if (body.idle_timeout_ms !== undefined) set.idle_timeout_ms = body.idle_timeout_ms
  if (body.proxy_url !== undefined) set.proxy_url = body.proxy_url
  if (body.responses_api !== undefined) set.responses_api = boolToInt(body.responses_api)
  await deps.db.updateTable('channels').set(set).where('id', '=', id).execute()
  return {
    channel: serializeChannel(await getChannelRow(deps, id), deps.clock.now()),
    destination: destination.summary,
  }
}

export async function deleteChannel(deps: ChannelDeps, id: string) {
  const row = await getChannelRow(deps, id)
  await deps.db.deleteFrom('channels').where('id', '=', id).execute()
  return row
}

export async function saveFetchedModels(deps: ChannelDeps, id: string, models: string[]) {
  await deps.db
    .updateTable('channels')
    .set({ models: JSON.stringify(models), updated_at: deps.clock.now() })
    .where('id', '=', id)
    .execute()
}

/** A test's outcome is the channel's health: a failed one is unhealthy with its reason, never left untested. */
export async function recordProbe(
  deps: ChannelDeps,
  id: string,
  result: { ok: boolean; message: string; latency_ms: number },
) {
  await deps.db
    .updateTable('channels')
    .set({
      status: result.ok ? 'healthy' : 'unhealthy',
      last_error: result.ok ? null : result.message.slice(0, 300),
      response_ms: result.latency_ms,
      tested_at: deps.clock.now(),
    })
    .where('id', '=', id)
    .execute()
}

/** Enables or disables several channels; returns the ids that exist (the others are ignored). */
export async function setChannelsEnabled(deps: ChannelDeps, ids: string[], enabled: boolean) {
  const found = await deps.db.selectFrom('channels').select('id').where('id', 'in', ids).execute()
  const existing = found.map((r) => r.id)
  if (existing.length > 0)
    await deps.db
      .updateTable('channels')
      .set({ enabled: boolToInt(enabled), updated_at: deps.clock.now() })
      .where('id', 'in', existing)
      .execute()
  return existing
}
