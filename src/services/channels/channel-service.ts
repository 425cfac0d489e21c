import type { Kysely, Selectable, Updateable } from 'kysely'
import type { ChannelsTable, Database } from '../../infra/db/database-types.ts'
import { boolToInt, parseJson, toBool, toIso, toNum, toNumOrNull } from '../../infra/db/convert-row-values.ts'
import { decryptSecret, encryptSecret, maskSecret } from '../../infra/crypto/secret-box.ts'
import { newId } from '../../infra/ids.ts'
import type { Clock } from '../../infra/clock.ts'
import type { CreateChannelBody, UpdateChannelBody } from '../../contracts/channels.ts'
import { AppError, notFound } from '../../domain/errors.ts'
import type { Page } from '../paging.ts'
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

export async function listChannels(deps: ChannelDeps, page: Page) {
  const [rows, count] = await Promise.all([
    deps.db
      .selectFrom('channels')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    deps.db
      .selectFrom('channels')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow(),
  ])
  const now = deps.clock.now()
  return { data: rows.map((r) => serializeChannel(r, now)), total: toNum(count.n) }
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

/** The database part of `createChannel`, for a caller that has run `checkChannelAddresses` itself. */
export async function insertChannel(deps: ChannelDeps, body: CreateChannelBody) {
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
  const set: Updateable<ChannelsTable> = { updated_at: deps.clock.now() }
  if (body.name !== undefined) set.name = body.name
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

export async function recordProbe(deps: ChannelDeps, id: string, ok: boolean, message: string) {
  await deps.db
    .updateTable('channels')
    .set({ status: ok ? 'healthy' : 'unhealthy', last_error: ok ? null : message.slice(0, 300) })
    .where('id', '=', id)
    .execute()
}
