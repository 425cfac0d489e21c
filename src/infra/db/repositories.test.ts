import { readdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../../test/support/test-databases.ts'
import { migrate } from './create-db.ts'
import { toBig, toNum } from './convert-row-values.ts'
import { systemClock } from '../clock.ts'
import { newId } from '../ids.ts'
import {
  createGroup,
  deleteGroup,
  linkChannel,
  listGroupChannels,
  listGroups,
  updateGroup,
} from '../../services/groups/group-service.ts'
import {
  channelTarget,
  createChannel,
  deleteChannel,
  listChannels,
  updateChannel,
} from '../../services/channels/channel-service.ts'
import { createKey, deleteKey, listKeys, updateKey } from '../../services/keys/key-service.ts'
import {
  addMembership,
  createLocalUser,
  deleteUser,
  listMemberships,
  updateUser,
} from '../../services/users/user-service.ts'
import { createPrice, listPrices, updatePrice } from '../../services/billing/price-service.ts'
import { createVouchers, listVouchers, redeemVoucher } from '../../services/billing/voucher-service.ts'
import { createRateLimit, listRateLimits } from '../../services/billing/rate-limit-service.ts'
import { visibleGroupIds } from '../../services/groups/visible-groups.ts'
import { AppError } from '../../domain/errors.ts'
import { randomBytes } from 'node:crypto'

const kinds = await testDbKinds()
const page = (n = 100) => ({ limit: n, offset: 0, page: 1, page_size: n })

async function rejects(p: Promise<unknown>, code: string) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(AppError)
  expect((err as AppError).code).toBe(code)
}

describe.each(kinds)('repositories on %s', (kind) => {
  let tdb: TestDatabase
  const encryptionKey = randomBytes(32)
  const deps = () => ({ db: tdb.db.db, clock: systemClock, encryptionKey })

  beforeAll(async () => {
    tdb = await createTestDatabase(kind)
  })
  afterAll(async () => tdb?.drop())

  it('applies migrations once and is idempotent on a second run', async () => {
    await migrate(tdb.db)
    const r = await sql<{ n: number }>`select count(*) as n from kysely_migration`.execute(tdb.db.db)
    // One row per migration file, whoever adds the next one.
    const names = readdirSync(new URL('./migrations/', import.meta.url))
    const files = names.filter((f) => /^\d{3}-.*\.ts$/.test(f) && !f.endsWith('.test.ts'))
    expect(toNum(r.rows[0].n)).toBe(files.length)
  })

  it('stores users with unlimited (null) and limited balances, and records balance changes in the ledger', async () => {
    const u = await createLocalUser(deps(), 'superadmin', {
      username: 'rita',
      password: 'password-123',
      quota_usd: 12.345678901,
    })
    expect(u.quota_usd).toBe(12.345678901)
    expect(u).not.toHaveProperty('password_hash')
    const unlimited = await updateUser(deps(), { username: 'x', role: 'superadmin' }, 'rita', {
      quota_usd: null,
    })
    expect(unlimited.after.quota_usd).toBeNull()
    await updateUser(deps(), { username: 'x', role: 'superadmin' }, 'rita', { quota_usd: 3 })
    const ledger = await tdb.db.db
      .selectFrom('balance_ledger')
      .selectAll()
      .where('username', '=', 'rita')
      .orderBy('created_at')
      .execute()
    // The opening balance, the change to unlimited and the change to $3 (SPEC §6: every balance change is a row).
    expect(ledger.map((l) => l.kind)).toEqual(['admin_adjust', 'admin_adjust', 'admin_adjust'])
    const opening = ledger.filter((l) => l.note === 'opening balance')
    expect(opening.map((l) => [toBig(l.amount_nano), toBig(l.balance_after_nano)])).toEqual([
      [12_345_678_901n, 12_345_678_901n],
    ])
    expect(ledger.map((l) => (l.balance_after_nano === null ? null : toBig(l.balance_after_nano)))).toContain(
      3_000_000_000n,
    )
    await rejects(
      createLocalUser(deps(), 'superadmin', { username: 'rita', password: 'password-123' }),
      'conflict',
    )
  })

  it('keeps money exact above 2^53 nano-USD in rows and in sums', async () => {
    const big = 2n ** 53n + 12_345n
    const now = Date.now()
    for (const id of ['r1', 'r2', 'r3']) {
      await tdb.db.db
        .insertInto('usage_logs')
        .values({
          request_id: id,
          token_id: null,
          username: 'rita',
          channel_id: null,
          group_id: null,
          protocol: 'openai',
          endpoint: 'chat/completions',
          model: 'm',
          upstream_model: 'm',
          input_tokens: 1,
          output_tokens: 2,
          cache_read_tokens: 0,
          cache_write_tokens: 0,
          reasoning_tokens: 0,
          cost_nano: big,
          covered_by_package: 0,
          usage_source: 'reported',
          status: 200,
          error_code: null,
          is_stream: 0,
          duration_ms: 5,
          ttft_ms: null,
          created_at: now,
        })
        .execute()
    }
    const row = await tdb.db.db
      .selectFrom('usage_logs')
      .select('cost_nano')
      .where('request_id', '=', 'r1')
      .executeTakeFirstOrThrow()
    expect(toBig(row.cost_nano)).toBe(big)
    const sum = await tdb.db.db
      .selectFrom('usage_logs')
      .select((eb) => eb.fn.sum<string>('cost_nano').as('s'))
      .executeTakeFirstOrThrow()
    expect(toBig(sum.s)).toBe(big * 3n)
    await expect(
      tdb.db.db
        .insertInto('usage_logs')
        .values({
          request_id: 'r1',
          token_id: null,
          username: 'rita',
          channel_id: null,
          group_id: null,
          protocol: 'openai',
          endpoint: 'x',
          model: null,
          upstream_model: null,
          input_tokens: 0,
          output_tokens: 0,
          cache_read_tokens: 0,
          cache_write_tokens: 0,
          reasoning_tokens: 0,
          cost_nano: 0,
          covered_by_package: 0,
          usage_source: 'reported',
          status: 200,
          error_code: null,
          is_stream: 0,
          duration_ms: 0,
          ttft_ms: null,
          created_at: now,
        })
        .execute(),
    ).rejects.toThrow()
  })

  it('manages groups, channels, links and memberships; deleting cascades or is refused with a conflict', async () => {
    const g1 = await createGroup(deps(), { name: 'g1', priority: 5, multiplier: 1.5 })
    const g2 = await createGroup(deps(), { name: 'g2', priority: 9, all_visible: true })
    await rejects(createGroup(deps(), { name: 'g1' }), 'conflict')
    expect((await listGroups(deps(), page())).data.map((g) => g.name)).toEqual(['g2', 'g1'])
    expect((await updateGroup(deps(), g1.id, { multiplier: 2 })).multiplier).toBe(2)

    const ch = await createChannel(deps(), {
      name: 'c1',
      provider: 'anthropic',
      base_url: 'http://127.0.0.1:1/v1/',
      api_key: 'sk-ant-secret-value-1234',
      models: ['claude-x'],
      model_mapping: { alias: 'claude-x' },
    })
    expect(ch.base_url).toBe('http://127.0.0.1:1/v1')
    expect(ch.api_key).toBe('sk-…1234')
    const stored = await tdb.db.db
      .selectFrom('channels')
      .selectAll()
      .where('id', '=', ch.id)
      .executeTakeFirstOrThrow()
    expect(stored.api_key_enc).not.toContain('secret-value')
    expect(channelTarget(deps(), stored).apiKey).toBe('sk-ant-secret-value-1234')
    expect((await updateChannel(deps(), ch.id, { weight: 7, enabled: false })).channel.weight).toBe(7)
    expect((await listChannels(deps(), page())).total).toBe(1)

    await linkChannel(deps(), g1.id, ch.id)
    await linkChannel(deps(), g1.id, ch.id)
    expect(await listGroupChannels(deps(), g1.id)).toHaveLength(1)
    await addMembership(deps(), 'rita', g1.id)
    expect((await listMemberships(deps(), 'rita')).map((g) => g.name)).toEqual(['g1'])
    expect((await visibleGroupIds(tdb.db.db, 'rita')).sort()).toEqual([g1.id, g2.id].sort())
    expect(await visibleGroupIds(tdb.db.db, 'nobody')).toEqual([g2.id])

    const tok = await createKey(deps(), 'rita', 'user', {
      name: 'k',
      group_id: g1.id,
      quota_usd: 5,
      expires_at: '2030-01-31',
    })
    expect(tok.expires_at).toBe('2030-01-31T23:59:59.999Z')
    expect(tok.quota_usd).toBe(5)
    await rejects(deleteGroup(deps(), g1.id), 'conflict')
    await updateKey(deps(), tok.id, 'rita', 'user', { group_id: null, allowed_models: ['a', 'b'], rpm: 10 })
    await deleteGroup(deps(), g1.id)
    expect(await tdb.db.db.selectFrom('group_channels').selectAll().execute()).toHaveLength(0)
    expect(await tdb.db.db.selectFrom('group_members').selectAll().execute()).toHaveLength(0)

    await deleteChannel(deps(), ch.id)
    expect((await listChannels(deps(), page())).total).toBe(0)

    // Deleting a user removes their keys with them.
    await deleteUser(deps(), { username: 'someone', role: 'superadmin' }, 'rita')
    expect((await listKeys(deps(), { username: 'rita' }, page())).total).toBe(0)
    await rejects(deleteKey(deps(), tok.id, null), 'not_found')
  })

  it('stores prices in nano-USD per 1M tokens exactly and refuses duplicates', async () => {
    const p = await createPrice(deps(), { model_name: 'gpt-x', unit: 'input_token', price_per_unit: 0.075 })
    expect(p.price_per_unit).toBe(0.075)
    const row = await tdb.db.db
      .selectFrom('model_prices')
      .select('price_nano')
      .where('id', '=', p.id)
      .executeTakeFirstOrThrow()
    expect(toBig(row.price_nano)).toBe(75_000_000n)
    await rejects(
      createPrice(deps(), { model_name: 'gpt-x', unit: 'input_token', price_per_unit: 1 }),
      'conflict',
    )
    await createPrice(deps(), {
      model_name: 'gpt-x',
      unit: 'input_token',
      price_per_unit: 0.15,
      above_input_tokens: 200_000,
    })
    expect((await updatePrice(deps(), p.id, { price_per_unit: 2.5 }, false)).price_per_unit).toBe(2.5)
    expect((await listPrices(deps(), { model: 'gpt' }, page(), false)).total).toBe(2)
    const g = await createGroup(deps(), { name: 'priced' })
    await createPrice(deps(), {
      group_id: g.id,
      model_name: 'gpt-*',
      unit: 'output_token',
      price_per_unit: 10,
    })
    expect((await listPrices(deps(), { group_id: g.id }, page(), true)).total).toBe(1)
    await createRateLimit(tdb.db.db, systemClock, {
      group_id: g.id,
      window_sec: 60,
      limit_type: 'request_limit',
      value: 10,
    })
    expect((await listRateLimits(tdb.db.db, g.id)).total).toBe(1)
  })

  it('redeems a voucher once and lists used and unused vouchers', async () => {
    await createLocalUser(deps(), 'superadmin', { username: 'val', password: 'password-123', quota_usd: 0 })
    const v = (await createVouchers(deps(), 'admin', { amount_usd: 0.5 })) as { code: string }
    expect((await redeemVoucher(deps(), 'val', v.code)).new_quota_usd).toBe(0.5)
    await rejects(redeemVoucher(deps(), 'val', v.code), 'voucher_used')
    expect((await listVouchers(deps(), { used: true }, page())).total).toBe(1)
    expect((await listVouchers(deps(), { used: false }, page())).total).toBe(0)
  })

  it('stores timestamps as numbers, so range filters compare time, not text', async () => {
    const id = newId()
    await tdb.db.db
      .insertInto('admin_audit')
      .values({
        id,
        actor: 'a',
        action: 'x',
        target: null,
        summary: null,
        ip: null,
        created_at: 1_700_000_000_000,
      })
      .execute()
    const found = await tdb.db.db
      .selectFrom('admin_audit')
      .select('id')
      .where('created_at', '>=', 999_999_999_999)
      .where('created_at', '<', 1_700_000_000_001)
      .execute()
    expect(found.map((r) => r.id)).toContain(id)
  })
})

describe.each(kinds)('list-price catalogue import on %s', (kind) => {
  it('creates every catalogue row once, keeps edited prices unless asked to overwrite', async () => {
    const { importListPrices } = await import('../../services/billing/import-list-prices.ts')
    const { LIST_PRICE_CATALOGUE } = await import('../../domain/pricing/list-price-catalogue.ts')
    const tdb = await createTestDatabase(kind)
    try {
      const first = await importListPrices(tdb.db.db, systemClock, false)
      expect(first).toEqual({ created: LIST_PRICE_CATALOGUE.length, updated: 0, skipped: 0 })
      const e = LIST_PRICE_CATALOGUE[0]
      await tdb.db.db
        .updateTable('model_prices')
        .set({ price_nano: 1 })
        .where('model_name', '=', e.model_name)
        .where('unit', '=', e.unit)
        .execute()
      expect(await importListPrices(tdb.db.db, systemClock, false)).toEqual({
        created: 0,
        updated: 0,
        skipped: LIST_PRICE_CATALOGUE.length,
      })
      expect(await importListPrices(tdb.db.db, systemClock, true)).toEqual({
        created: 0,
        updated: 1,
        skipped: LIST_PRICE_CATALOGUE.length - 1,
      })
    } finally {
      await tdb.drop()
    }
  })
})
