import type { Kysely } from 'kysely'
import { ZodError } from 'zod'
import { createChannelBody, type CreateChannelBody } from '../contracts/channels.ts'
import { createGroupBody } from '../contracts/groups.ts'
import { checkRuleValue, groupPriceBody, priceBody, rateLimitBody } from '../contracts/billing.ts'
import { AppError } from '../domain/errors.ts'
import type { Clock } from '../infra/clock.ts'
import { apiKeyPrefix, hashApiKey, looksLikeApiKey } from '../infra/crypto/api-key.ts'
import type { Database } from '../infra/db/database-types.ts'
import { usdToNano } from '../infra/db/convert-row-values.ts'
import { newId } from '../infra/ids.ts'
import { createChannel } from '../services/channels/channel-service.ts'
import { createGroup, linkChannel } from '../services/groups/group-service.ts'
import { createPrice } from '../services/billing/price-service.ts'
import { createRateLimit } from '../services/billing/rate-limit-service.ts'
import { parseExpiry } from '../services/paging.ts'
import { addMembership } from '../services/users/user-service.ts'
import type { OriginalData, OriginalPrice } from './read-original-database.ts'
import { newImportReport, type ImportKind, type ImportReport } from './import-report.ts'
import { importOriginalUsers } from './import-original-users.ts'
import { isReservedUsername } from '../domain/auth/canonical-username.ts'
import { PROTOCOL_IDS } from '../protocol/protocol-adapter.ts'
import { isImportedChannelName, nameImportedChannel } from './name-imported-channel.ts'

/** The original's price units; `extra_context_token` was stored but never billed, so it is left out. */
const UNITS: Record<string, string> = {
  input_token: 'input_token',
  output_token: 'output_token',
  cache_read_token: 'cache_read_token',
  cache_write_token: 'cache_write_token',
  request: 'request',
}

function reasonOf(err: unknown): string {
  if (err instanceof ZodError) return err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
  if (err instanceof AppError) return err.message
  throw err
}

/**
 * Writes what the original's database holds (read by read-original-database.ts) through this gateway's own
 * services, in the caller's transaction: groups, users and their roles and balances, memberships, channels
 * (keys encrypted), channel links, rate-limit rules, prices, group prices, vouchers, and the API keys, which the
 * original stored in plaintext and which are stored here only as their SHA-256, so clients keep working unchanged.
 * Existing rows win (same group name, username, voucher code or key), so running it twice imports nothing twice.
 */
export async function importOriginalData(
  db: Kysely<Database>,
  clock: Clock,
  encryptionKey: Buffer,
  data: OriginalData,
): Promise<ImportReport> {
  const report = newImportReport()
  const skip = (kind: ImportKind, id: string, reason: string) => report.skipped.push({ kind, id, reason })
  // A link (a membership, a group's channel) already there is counted as existing, else added.
  const importLink = async (
    kind: 'memberships' | 'group_channels',
    present: { executeTakeFirst: () => Promise<unknown> },
    add: () => Promise<unknown>,
  ) => {
    if (await present.executeTakeFirst()) {
      report.existing[kind]++
      return
    }
    await add()
    report.imported[kind]++
  }
  // Services stamp rows with `clock.now()`: the original's creation time is kept where it is known.
  const at = (ms: number | null): Clock => ({ now: () => ms ?? clock.now() })

  // Groups, by name.
  const groupIds = new Map<string, string>()
  for (const g of data.groups) {
    const found = await db.selectFrom('groups').select('id').where('name', '=', g.name).executeTakeFirst()
    if (found) {
      groupIds.set(g.id, found.id)
      report.existing.groups++
      continue
    }
    try {
      const body = createGroupBody.parse({
        name: g.name,
        priority: g.priority,
        multiplier: g.multiplier,
        all_visible: g.all_visible,
      })
      const created = await createGroup({ db, clock: at(g.created_at) }, body)
      groupIds.set(g.id, created.id)
      report.imported.groups++
    } catch (err) {
      skip('groups', g.id, reasonOf(err))
    }
  }

  // Users, under the canonical names logins use here: original name → stored name.
  const names = await importOriginalUsers(db, clock, data, report)

  for (const m of data.memberships) {
    const groupId = groupIds.get(m.group_id)
    const username = names.get(m.username)
    if (!groupId || !username) {
      skip('memberships', `${m.username}/${m.group_id}`, groupId ? 'no such user' : 'no such group')
      continue
    }
    await importLink(
      'memberships',
      db
        .selectFrom('group_members')
        .select('username')
        .where((eb) => eb.and({ username, group_id: groupId })),
      () => addMembership({ db, clock }, username, groupId),
    )
  }

  // Channels: the original's plaintext keys are encrypted at rest by createChannel.
  const channelIds = new Map<string, string>()
  for (const c of data.channels) {
    const baseUrl = c.base_url.replace(/\/+$/, '')
    // Imported before, maybe under a numbered name; each of this gateway's channels stands for one original channel.
    const claimed = new Set(channelIds.values())
    const found = (
      await db.selectFrom('channels').select(['id', 'name']).where('base_url', '=', baseUrl).execute()
    ).find((ch) => !claimed.has(ch.id) && isImportedChannelName(ch.name, c.name))
    if (found) {
      channelIds.set(c.id, found.id)
      report.existing.channels++
      continue
    }
    let provider = c.provider.toLowerCase()
    if (!(PROTOCOL_IDS as readonly string[]).includes(provider)) {
      report.warnings.push(
        `channel "${c.name}": provider "${c.provider}" imported as openai (the original treated unknown providers as OpenAI-compatible)`,
      )
      provider = 'openai'
    }
    if (c.disable_ssl) {
      report.warnings.push(
        `channel "${c.name}": disable_ssl is not supported; its TLS certificate is verified now`,
      )
    }
    const name = await nameImportedChannel(db, c.name)
    let body: CreateChannelBody
    try {
      body = createChannelBody.parse({
        name,
        provider,
        base_url: baseUrl,
        api_key: c.api_key,
        weight: Math.max(0, c.weight),
        enabled: c.enabled,
        models: c.models,
        model_mapping: c.model_mapping,
        proxy_url: c.proxy_url,
      })
      const created = await createChannel({ db, clock: at(c.created_at), encryptionKey }, body)
      channelIds.set(c.id, created.id)
      report.imported.channels++
      if (name !== c.name.trim())
        report.warnings.push(`channel "${c.name}" (${c.id}): the name is taken here; imported as "${name}"`)
    } catch (err) {
      skip('channels', c.id, `"${c.name}": ${reasonOf(err)}`)
    }
  }
  for (const link of data.groupChannels) {
    const groupId = groupIds.get(link.group_id)
    const channelId = channelIds.get(link.channel_id)
    if (!groupId || !channelId) {
      skip(
        'group_channels',
        `${link.group_id}/${link.channel_id}`,
        groupId ? 'channel not imported' : 'no such group',
      )
      continue
    }
    await importLink(
      'group_channels',
      db
        .selectFrom('group_channels')
        .select('group_id')
        .where((eb) => eb.and({ group_id: groupId, channel_id: channelId })),
      () => linkChannel({ db, clock }, groupId, channelId),
    )
  }

  for (const r of data.rateLimits) {
    const groupId = groupIds.get(r.group_id)
    if (!groupId) {
      skip('rate_limits', r.id, 'no such group')
      continue
    }
    // The original turned a rule off with a value of 0 or less; here 0 is off.
    const value = Math.max(0, r.value)
    try {
      const body = rateLimitBody.parse({
        group_id: groupId,
        window_sec: r.window_sec,
        limit_type: r.limit_type,
        value,
      })
      const invalid = checkRuleValue(body.limit_type, body.value)
      if (invalid) throw new AppError('validation_error', invalid)
      const same = await db
        .selectFrom('rate_limits')
        .select('id')
        .where('group_id', '=', groupId)
        .where('window_sec', '=', body.window_sec)
        .where('limit_type', '=', body.limit_type)
        .where('value', '=', body.value)
        .executeTakeFirst()
      if (same) {
        report.existing.rate_limits++
        continue
      }
      await createRateLimit(db, clock, body)
      report.imported.rate_limits++
    } catch (err) {
      skip('rate_limits', r.id, reasonOf(err))
    }
  }

  const importPrice = async (p: OriginalPrice, groupId: string | null) => {
    const kind: ImportKind = groupId ? 'group_prices' : 'prices'
    const unit = UNITS[p.unit]
    if (!unit) return skip(kind, p.id, `unit "${p.unit}" is not billed`)
    if (/\s/.test(p.model_name.trim())) {
      return skip(
        kind,
        p.id,
        `"${p.model_name}" matched by words in the original; prices here match a model name exactly or by a * glob`,
      )
    }
    const fields = {
      model_name: p.model_name.trim(),
      unit,
      price_per_unit: p.price_per_unit,
      ...(groupId ? {} : { vendor: p.vendor, context_length: p.context_length }),
    }
    try {
      const body = groupId ? groupPriceBody.parse({ ...fields, group_id: groupId }) : priceBody.parse(fields)
      const table = groupId ? 'group_model_prices' : 'model_prices'
      let q = db
        .selectFrom(table)
        .select('id')
        .where('model_name', '=', body.model_name)
        .where('unit', '=', body.unit)
        .where('above_input_tokens', '=', 0)
      if (groupId) q = q.where('group_id' as never, '=', groupId as never)
      if (await q.executeTakeFirst()) {
        report.existing[kind]++
        return
      }
      await createPrice({ db, clock: at(p.created_at) }, body)
      report.imported[kind]++
    } catch (err) {
      skip(kind, p.id, reasonOf(err))
    }
  }
  for (const p of data.prices) await importPrice(p, null)
  for (const p of data.groupPrices) {
    const groupId = groupIds.get(p.group_id)
    if (groupId) await importPrice(p, groupId)
    else skip('group_prices', p.id, 'no such group')
  }
  if (report.imported.prices + report.imported.group_prices > 0) {
    report.warnings.push(
      'prices: the original matched a price whose name is part of the model name (gpt-4 priced gpt-4o-mini); ' +
        'here a name matches exactly or by a * glob (gpt-4*): check the Prices page',
    )
  }

  for (const v of data.vouchers) {
    if (await db.selectFrom('vouchers').select('id').where('code', '=', v.code).executeTakeFirst()) {
      report.existing.vouchers++
      continue
    }
    const expires = v.expires_at === null ? null : parseExpiry(v.expires_at)
    if (!(v.amount_usd > 0) || (expires !== null && Number.isNaN(expires))) {
      skip(
        'vouchers',
        v.code.slice(0, 4) + '…',
        !(v.amount_usd > 0) ? 'amount is not positive' : 'unreadable expiry',
      )
      continue
    }
    await db
      .insertInto('vouchers')
      .values({
        id: newId(),
        code: v.code,
        amount_nano: usdToNano(v.amount_usd),
        expires_at: expires,
        used_by: v.used ? ((v.used_by && names.get(v.used_by)) ?? v.used_by ?? '(unknown)') : null,
        used_at: v.used ? (v.used_at ?? v.created_at ?? clock.now()) : null,
        created_by: 'import:any_gateway',
        created_at: v.created_at ?? clock.now(),
      })
      .execute()
    report.imported.vouchers++
  }

  // Keys: stored as their SHA-256 only; the plaintext is never written here.
  for (const t of data.tokens) {
    const hash = hashApiKey(t.key)
    if (await db.selectFrom('tokens').select('id').where('key_hash', '=', hash).executeTakeFirst()) {
      report.existing.keys++
      continue
    }
    let owner: string | null = null
    let frozen = t.frozen
    if (t.username && isReservedUsername(t.username)) {
      // The break-glass account owns nothing here: the key is kept, but frozen until an administrator decides.
      report.warnings.push(
        `key "${t.name}" (${t.id}) of the break-glass account: imported frozen and without owner; unfreeze or delete it`,
      )
      frozen = true
    } else if (t.username) {
      owner = names.get(t.username) ?? null
      if (!owner) {
        skip('keys', t.id, `owner "${t.username}" was not imported`)
        continue
      }
    }
    if (!looksLikeApiKey(t.key)) {
      report.warnings.push(`key "${t.name}" (${t.id}): not of the sk-… form, so no client can use it here`)
    }
    let groupId: string | null = null
    if (t.group_id) {
      groupId = groupIds.get(t.group_id) ?? null
      if (!groupId)
        report.warnings.push(
          `key "${t.name}" (${t.id}): bound to a group that does not exist; imported unbound`,
        )
    }
    let expires = t.expires_at === null ? null : parseExpiry(t.expires_at)
    if (expires !== null && Number.isNaN(expires)) {
      report.warnings.push(`key "${t.name}" (${t.id}): unreadable expiry "${t.expires_at}"; imported frozen`)
      expires = null
      frozen = true
    }
    await db
      .insertInto('tokens')
      .values({
        id: newId(),
        name: t.name || 'imported key',
        key_hash: hash,
        key_prefix: apiKeyPrefix(t.key),
        username: owner,
        group_id: groupId,
        // The original's 0 (or less) meant no cap.
        quota_nano: t.quota_usd > 0 ? usdToNano(t.quota_usd) : null,
        used_nano: usdToNano(Math.max(0, t.used_usd)),
        reserved_nano: 0,
        frozen: frozen ? 1 : 0,
        expires_at: expires,
        allowed_models: null,
        rpm: null,
        tpm: null,
        max_concurrency: null,
        last_used_at: null,
        created_at: t.created_at ?? clock.now(),
      })
      .execute()
    report.imported.keys++
  }
  return report
}
