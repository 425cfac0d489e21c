import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDbKinds, type TestDatabase } from '../support/test-databases.ts'
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/start-fake-upstream.ts'
import { verifyPassword } from '../../src/infra/crypto/password-hash.ts'
import { toBigOrNull } from '../../src/infra/db/convert-row-values.ts'
import { createChannel } from '../../src/services/channels/channel-service.ts'
import { systemClock } from '../../src/infra/clock.ts'
import { runAnyGateway } from './run-any-gateway.ts'

const kinds = await testDbKinds()

/** Each command is a process of its own that loads the gateway's modules: seconds each on a busy machine. */
const SLOW = { timeout: 300_000 }

describe('any-gateway: help and usage', SLOW, () => {
  it('lists every command, describes one, and exits 2 when called wrongly', async () => {
    const help = await runAnyGateway(['--help'], {}, { viaNpx: true })
    expect(help.status).toBe(0)
    for (const c of [
      'start',
      'migrate',
      'user create',
      'user set-password',
      'user set-balance',
      'user set-role',
      'key create',
      'key revoke',
      'channel test',
      'reconcile',
      'copy-db',
      'import-any-gateway',
    ]) {
      expect(help.stdout).toContain(`  ${c} `)
    }
    const one = await runAnyGateway(['user', 'set-balance', '--help'], {})
    expect(one.status).toBe(0)
    expect(one.stdout).toContain('Usage: any-gateway user set-balance <username> <usd|unlimited>')
    const unknown = await runAnyGateway(['user', 'explode'], {})
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain('unknown command "user explode"')
    const wrong = await runAnyGateway(['user', 'set-balance', 'bob', '--bogus', '--json'], {})
    expect(wrong.status).toBe(2)
    expect(JSON.parse(wrong.stderr)).toMatchObject({ ok: false, error: { code: 'usage' } })
  })
})

describe.each(kinds)('any-gateway admin commands on %s', SLOW, (kind) => {
  let tdb: TestDatabase
  let env: Record<string, string>
  let upstream: FakeUpstream
  const encryptionKey = randomBytes(32)
  const cli = (args: string[], stdin?: string) => runAnyGateway([...args, '--json'], env, { stdin })

  beforeAll(async () => {
    tdb = await createTestDatabase(kind)
    upstream = await startFakeUpstream()
    env = {
      DATA_DIR: tdb.dir,
      DATABASE_URL: tdb.url,
      JWT_SECRET: randomBytes(32).toString('base64url'),
      ENCRYPTION_KEY: encryptionKey.toString('hex'),
    }
  })
  afterAll(async () => {
    await upstream?.close()
    await tdb?.drop()
  })

  const user = (username: string) =>
    tdb.db.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirstOrThrow()

  it('migrate reports the schema current', async () => {
    const r = await cli(['migrate'])
    expect(r.status, r.stderr).toBe(0)
    expect(r.json()).toMatchObject({ ok: true, database: kind, applied: [] })
    expect(r.json<{ migrations: string[] }>().migrations).toContain('001-initial-schema')
  })

  it('user create, set-password, set-balance and set-role change the user as the admin API does', async () => {
    const created = await cli(
      ['user', 'create', 'bob', '--balance', '5', '--password-stdin'],
      'bob-password-1\n',
    )
    expect(created.status, created.stderr).toBe(0)
    expect(created.json()).toMatchObject({ ok: true, user: { username: 'bob', role: 'user', quota_usd: 5 } })
    expect(created.json()).not.toHaveProperty('password')
    expect(await verifyPassword('bob-password-1', (await user('bob')).password_hash!)).toBe(true)

    const again = await cli(['user', 'create', 'bob', '--password', 'another-password'])
    expect(again.status).toBe(1)
    expect(JSON.parse(again.stderr)).toMatchObject({ ok: false, error: { code: 'conflict' } })

    // No password given: one is generated and shown once.
    const generated = await cli(['user', 'set-password', 'bob'])
    expect(generated.status, generated.stderr).toBe(0)
    const password = generated.json<{ password: string }>().password
    expect(password.length).toBeGreaterThanOrEqual(20)
    expect(await verifyPassword(password, (await user('bob')).password_hash!)).toBe(true)

    // The name as a login would give it: one account whatever the case.
    const balance = await cli(['user', 'set-balance', 'Bob', '12.5'])
    expect(balance.status, balance.stderr).toBe(0)
    expect(balance.json()).toMatchObject({ before_usd: 5, after_usd: 12.5 })
    expect(toBigOrNull((await user('bob')).quota_nano)).toBe(12_500_000_000n)
    const ledger = await tdb.db.db
      .selectFrom('balance_ledger')
      .selectAll()
      .where('username', '=', 'bob')
      .orderBy('created_at')
      .execute()
    // The opening balance of `user create --balance 5`, then the change: the ledger sums to the balance (SPEC §6).
    expect(ledger.map((l) => [l.kind, String(l.amount_nano), String(l.balance_after_nano)])).toEqual([
      ['admin_adjust', '5000000000', '5000000000'],
      ['admin_adjust', '7500000000', '12500000000'],
    ])
    const unlimited = await cli(['user', 'set-balance', 'bob', 'unlimited'])
    expect(unlimited.status, unlimited.stderr).toBe(0)
    expect((await user('bob')).quota_nano).toBeNull()
    expect((await cli(['user', 'set-balance', 'bob', '-3'])).status).toBe(2)

    const role = await cli(['user', 'set-role', 'bob', 'admin'])
    expect(role.status, role.stderr).toBe(0)
    expect((await user('bob')).role).toBe('admin')
    expect((await cli(['user', 'set-role', 'nobody', 'admin'])).status).toBe(1)

    const audit = await tdb.db.db.selectFrom('admin_audit').selectAll().where('target', '=', 'bob').execute()
    expect(audit.map((a) => a.action).sort()).toEqual([
      'user.create',
      'user.set_role',
      'user.update',
      'user.update',
      'user.update',
    ])
    for (const a of audit) {
      expect(a.actor).toMatch(/^cli:/)
      expect(a.summary ?? '').not.toContain('bob-password-1')
      expect(a.summary ?? '').not.toContain(password)
    }
  })

  it('key create prints the key once and stores its hash; key revoke finds it by the key or its id', async () => {
    const groupId = `g-${kind}`
    await tdb.db.db
      .insertInto('groups')
      .values({
        id: groupId,
        name: 'team',
        priority: 1,
        multiplier: 1,
        all_visible: 0,
        description: null,
        created_at: Date.now(),
      })
      .execute()
    const made = await cli([
      'key',
      'create',
      'bob',
      '--name',
      'ci',
      '--group',
      'team',
      '--quota',
      '3',
      '--models',
      'a,b',
    ])
    expect(made.status, made.stderr).toBe(0)
    const key = made.json<{ key: string; id: string }>()
    expect(key.key).toMatch(/^sk-[A-Za-z0-9]{40,}$/)
    const row = await tdb.db.db
      .selectFrom('tokens')
      .selectAll()
      .where('id', '=', key.id)
      .executeTakeFirstOrThrow()
    expect(row.key_hash).toBe(createHash('sha256').update(key.key).digest('hex'))
    expect(row.group_id).toBe(groupId)
    expect(toBigOrNull(row.quota_nano)).toBe(3_000_000_000n)
    expect(JSON.parse(row.allowed_models!)).toEqual(['a', 'b'])
    // The key is in the output of create only; nothing else stores or prints it.
    const revoked = await cli(['key', 'revoke', key.key])
    expect(revoked.status, revoked.stderr).toBe(0)
    expect(revoked.stdout).not.toContain(key.key)
    expect(
      await tdb.db.db.selectFrom('tokens').select('id').where('id', '=', key.id).executeTakeFirst(),
    ).toBeUndefined()
    expect((await cli(['key', 'revoke', key.key])).status).toBe(1)

    const second = (await cli(['key', 'create', 'bob', '--name', 'second'])).json<{ id: string }>()
    const frozen = await cli(['key', 'revoke', second.id, '--freeze'])
    expect(frozen.status, frozen.stderr).toBe(0)
    expect(frozen.json()).toMatchObject({ action: 'frozen', token: { frozen: true } })
    expect((await cli(['key', 'create', 'nobody', '--name', 'x'])).status).toBe(1)
    expect((await cli(['key', 'create', 'bob'])).status).toBe(2)
  })

  it('channel test sends a request through the channel, records its health, and exits 1 when it fails', async () => {
    const deps = { db: tdb.db.db, clock: systemClock, encryptionKey }
    await createChannel(deps, {
      name: 'good',
      provider: 'openai',
      base_url: `${upstream.url}/v1`,
      api_key: 'sk-upstream-cli-canary-1234',
      models: ['gpt-4o-mini'],
    })
    await createChannel(deps, {
      name: 'dead',
      provider: 'openai',
      base_url: 'http://127.0.0.1:9/v1',
      api_key: 'sk-upstream-cli-canary-5678',
      models: ['gpt-4o-mini'],
    })
    upstream.clearRequests()
    const good = await cli(['channel', 'test', 'good'])
    expect(good.status, good.stderr).toBe(0)
    expect(good.json()).toMatchObject({ ok: true, status: 200, model: 'gpt-4o-mini' })
    expect(upstream.requests.at(-1)?.headers.authorization).toBe('Bearer sk-upstream-cli-canary-1234')
    const dead = await cli(['channel', 'test', 'dead'])
    expect(dead.status).toBe(1)
    expect(dead.stdout + dead.stderr).not.toContain('sk-upstream-cli-canary')
    const status = await tdb.db.db.selectFrom('channels').select(['name', 'status']).orderBy('name').execute()
    expect(status).toEqual([
      { name: 'dead', status: 'unhealthy' },
      { name: 'good', status: 'healthy' },
    ])
  })
})
