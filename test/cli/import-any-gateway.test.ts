import { createHash, randomBytes } from 'node:crypto'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import pino from 'pino'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDbKinds, type TestDatabase } from '../support/test-databases.ts'
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/start-fake-upstream.ts'
import { buildApp, type BuiltApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config/load-config.ts'
import { systemClock } from '../../src/infra/clock.ts'
import { toBigOrNull, toNum } from '../../src/infra/db/convert-row-values.ts'
import { bootstrapSuperadmin } from '../../src/services/users/bootstrap-superadmin.ts'
import { buildOriginalDatabase, ORIGINAL_CHANNEL_KEY, ORIGINAL_KEYS } from './original-any-gateway-db.ts'
import { runAnyGateway } from './run-any-gateway.ts'

const kinds = await testDbKinds()

interface ImportOutput {
  imported: Record<string, number>
  existing: Record<string, number>
  skipped: { kind: string; id: string; reason: string }[]
  warnings: string[]
  usage_rows_not_imported: number
}

describe.each(kinds)('any-gateway import-any-gateway on %s', { timeout: 300_000 }, (kind) => {
  let tdb: TestDatabase
  let upstream: FakeUpstream
  let env: Record<string, string>
  let original: string
  let first: ImportOutput
  let gateway: BuiltApp
  let base: string

  beforeAll(async () => {
    tdb = await createTestDatabase(kind)
    upstream = await startFakeUpstream()
    original = path.join(tdb.dir, 'original-gateway.db')
    buildOriginalDatabase(original, upstream.url)
    env = {
      DATA_DIR: tdb.dir,
      DATABASE_URL: tdb.url,
      JWT_SECRET: randomBytes(32).toString('base64url'),
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    }
    // The new gateway has started once: its default group and bootstrap superadmin exist.
    await bootstrapSuperadmin(tdb.db.db, systemClock, { dataDir: tdb.dir, createLocalAdmin: true })
    const r = await runAnyGateway(['import-any-gateway', '--from', original, '--json'], env)
    expect(r.status, r.stdout + r.stderr).toBe(0)
    first = r.json<ImportOutput>()
    const { config } = loadConfig(env)
    gateway = await buildApp({ config, db: tdb.db, logger: pino({ level: 'silent' }) })
    await gateway.app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(gateway.app.server.address() as AddressInfo).port}`
  }, 300_000)
  afterAll(async () => {
    await gateway?.close()
    await upstream?.close()
    await tdb?.drop()
  })

  it('imports users, groups, memberships, channels, links, rules, prices, vouchers and keys, and says what it left', () => {
    expect(first.imported).toEqual({
      users: 5,
      groups: 2,
      memberships: 3,
      channels: 4,
      group_channels: 5,
      rate_limits: 2,
      prices: 2,
      group_prices: 1,
      vouchers: 2,
      keys: 7,
    })
    expect(first.existing).toMatchObject({ groups: 1, prices: 1 })
    const skipped = first.skipped.map((s) => `${s.kind}:${s.reason}`)
    expect(skipped).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^users:the break-glass name/),
        expect.stringMatching(/^memberships:no such user/),
        expect.stringMatching(/^channels:"broken": base_url/),
        expect.stringMatching(/^group_channels:channel not imported/),
        expect.stringMatching(/^rate_limits:limit_type/),
        expect.stringMatching(/^prices:"gpt 3.5 turbo" matched by words/),
        expect.stringMatching(/^prices:unit "extra_context_token"/),
      ]),
    )
    expect(first.skipped).toHaveLength(7)
    expect(first.warnings.join('\n')).toMatch(/provider "deepseek" imported as openai/)
    expect(first.warnings.join('\n')).toMatch(/disable_ssl/)
    expect(first.warnings.join('\n')).toMatch(
      /channel "openai-main" \(\w+\): the name is taken here; imported as "openai-main \(2\)"/,
    )
    expect(first.warnings.join('\n')).toMatch(/of the break-glass account: imported frozen and without owner/)
    expect(first.usage_rows_not_imported).toBe(1)
  })

  it('keeps roles and balances, encrypts channel keys, and stores keys only as their SHA-256', async () => {
    const db = tdb.db.db
    const users = Object.fromEntries(
      (await db.selectFrom('users').selectAll().execute()).map((u) => [u.username, u]),
    )
    expect(users.alice).toMatchObject({ role: 'superadmin', auth_source: 'ldap' })
    expect(toBigOrNull(users.alice.quota_nano)).toBe(25_500_000_000n)
    expect(toBigOrNull(users.alice.used_nano)).toBe(4_500_000_000n)
    expect(users.bob.quota_nano).toBeNull()
    expect(users.dave.role).toBe('admin')
    // Stored under the canonical name logins use; no account ever holds the break-glass name.
    expect(users.erin).toBeDefined()
    expect(users.Erin).toBeUndefined()
    expect(users._admin_fallback).toBeUndefined()
    const opening = await db
      .selectFrom('balance_ledger')
      .selectAll()
      .where('username', '=', 'alice')
      .execute()
    expect(opening.map((l) => [l.kind, String(l.amount_nano)])).toEqual([['admin_adjust', '25500000000']])

    const tokens = await db.selectFrom('tokens').selectAll().execute()
    expect(tokens).toHaveLength(7)
    const text = JSON.stringify(tokens, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
    for (const key of Object.values(ORIGINAL_KEYS)) {
      expect(text).not.toContain(key)
      expect(text).toContain(createHash('sha256').update(key).digest('hex'))
    }
    const bob = tokens.find((t) => t.username === 'bob')!
    expect(toBigOrNull(bob.quota_nano)).toBe(10_000_000_000n)
    expect(toNum(bob.expires_at)).toBe(Date.parse('2999-12-31T23:59:59.999Z'))
    expect(tokens.find((t) => t.username === 'alice')!.quota_nano).toBeNull()
    const fallback = tokens.find(
      (t) => t.key_hash === createHash('sha256').update(ORIGINAL_KEYS.fallback).digest('hex'),
    )!
    expect(fallback).toMatchObject({ username: null })
    expect(toNum(fallback.frozen)).toBe(1)
    expect(tokens.find((t) => t.username === 'erin')).toBeDefined()

    const channels = await db.selectFrom('channels').selectAll().orderBy('name').execute()
    expect(channels.map((c) => [c.name, c.provider, JSON.parse(c.models)])).toEqual([
      ['deepseek', 'openai', ['deepseek-chat']],
      ['gemini', 'gemini', ['gemini-2.5-flash']],
      ['openai-main', 'openai', ['gpt-4o-mini', 'gpt-4o']],
      ['openai-main (2)', 'openai', ['gpt-4.1']],
    ])
    for (const c of channels) expect(c.api_key_enc).not.toContain(ORIGINAL_CHANNEL_KEY)
    const vouchers = await db.selectFrom('vouchers').select(['code', 'used_by']).orderBy('code').execute()
    expect(vouchers).toEqual([
      { code: 'ORIGINAL-VOUCHER-ONE', used_by: null },
      { code: 'ORIGINAL-VOUCHER-TWO', used_by: 'alice' },
    ])
  })

  it("the original's keys work through the gateway unchanged; frozen and expired ones stay refused", async () => {
    const chat = (key: string, model: string) =>
      request(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
      })
    upstream.clearRequests()
    const alice = await chat(ORIGINAL_KEYS.alice, 'gpt-4o-mini')
    expect(alice.statusCode, await alice.body.text()).toBe(200)
    expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${ORIGINAL_CHANNEL_KEY}`)
    const erin = await chat(ORIGINAL_KEYS.erin, 'gpt-4o-mini')
    expect(erin.statusCode, await erin.body.text()).toBe(200)
    const bob = await chat(ORIGINAL_KEYS.bob, 'gpt-alias')
    expect(bob.statusCode, await bob.body.text()).toBe(200)
    expect(JSON.parse(upstream.requests.at(-1)!.body)).toMatchObject({ model: 'gpt-4o-mini' })
    const gemini = await request(
      `${base}/v1beta/models/gemini-2.5-flash:generateContent?key=${ORIGINAL_KEYS.bob}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
      },
    )
    expect(gemini.statusCode, await gemini.body.text()).toBe(200)
    for (const key of [ORIGINAL_KEYS.carolFrozen, ORIGINAL_KEYS.daveExpired, ORIGINAL_KEYS.fallback]) {
      const refused = await chat(key, 'gpt-4o-mini')
      await refused.body.text()
      expect([401, 403]).toContain(refused.statusCode)
    }
  })

  it('imports nothing twice when run again', async () => {
    const r = await runAnyGateway(['import-any-gateway', '--from', original, '--json'], env)
    expect(r.status, r.stderr).toBe(0)
    const again = r.json<ImportOutput>()
    expect(Object.values(again.imported).every((n) => n === 0)).toBe(true)
    expect(again.existing).toMatchObject({ users: 5, groups: 3, channels: 4, keys: 7, vouchers: 2 })
    expect(again.warnings.join('\n')).not.toMatch(/name is taken/)
  })
})
