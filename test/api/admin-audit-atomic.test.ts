import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProxyFixture, type ProxyFixture } from '../support/proxy-fixture.ts'
import { bearer } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { toNum } from '../../src/infra/db/convert-row-values.ts'

const kinds = await testDbKinds()

type Method = 'POST' | 'PATCH' | 'PUT' | 'DELETE'

interface Step {
  method: Method
  /** The route as registered, to check that every admin mutation has a step. */
  route: string
  url: () => string
  body?: () => unknown
  /** Keeps what later steps need (ids). */
  keep?: (json: Record<string, unknown>) => void
}

describe.each(kinds)('issue 15 defect 12: an admin change and its audit row commit together (%s)', (kind) => {
  let f: ProxyFixture
  const s: Record<string, string> = {}

  beforeAll(async () => {
    f = await startProxyFixture(kind)
  })
  afterAll(async () => f?.close())

  async function auditRows(): Promise<number> {
    const r = await f.t.tdb.db.db
      .selectFrom('admin_audit')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
    return toNum(r.n)
  }

  const send = (method: Method, url: string, payload?: unknown) =>
    f.t.inject({ method, url, headers: bearer(f.adminJwt), payload: payload as object })

  const price = (p: string, extra: Record<string, unknown> = {}): Step[] => [
    {
      method: 'POST',
      route: p,
      url: () => p,
      body: () => ({ model_name: `audit-${p}`, unit: 'input_token', price_per_unit: 1, ...extra }),
      keep: (j) => (s[p] = j.id as string),
    },
    { method: 'PATCH', route: `${p}/:id`, url: () => `${p}/${s[p]}`, body: () => ({ price_per_unit: 2 }) },
    { method: 'DELETE', route: `${p}/:id`, url: () => `${p}/${s[p]}` },
  ]

  /** One successful call of every admin mutation, in an order that gives each the ids it needs. */
  const steps = (): Step[] => [
    {
      method: 'POST',
      route: '/admin/groups',
      url: () => '/admin/groups',
      body: () => ({ name: 'audit-group', priority: 1 }),
      keep: (j) => (s.group = j.id as string),
    },
    {
      method: 'PATCH',
      route: '/admin/groups/:id',
      url: () => `/admin/groups/${s.group}`,
      body: () => ({ priority: 2 }),
    },
    {
      method: 'POST',
      route: '/admin/channels',
      url: () => '/admin/channels',
      body: () => ({
        name: 'audit-channel',
        provider: 'openai',
        base_url: `${f.upstream.url}/v1`,
        api_key: 'sk-audit-channel-key-4Rt7',
        models: ['gpt-4o-mini'],
      }),
      keep: (j) => (s.channel = j.id as string),
    },
    {
      method: 'PATCH',
      route: '/admin/channels/:id',
      url: () => `/admin/channels/${s.channel}`,
      body: () => ({ weight: 2 }),
    },
    {
      method: 'POST',
      route: '/admin/channels/:id/fetch-models',
      url: () => `/admin/channels/${s.channel}/fetch-models`,
    },
    {
      method: 'POST',
      route: '/admin/channels/:id/test',
      url: () => `/admin/channels/${s.channel}/test`,
      body: () => ({}),
    },
    {
      method: 'POST',
      route: '/admin/channels/bulk-enable',
      url: () => '/admin/channels/bulk-enable',
      body: () => ({ ids: [s.channel], enabled: true }),
    },
    {
      method: 'POST',
      route: '/admin/groups/:id/channels/:channel_id',
      url: () => `/admin/groups/${s.group}/channels/${s.channel}`,
    },
    {
      method: 'DELETE',
      route: '/admin/groups/:id/channels/:channel_id',
      url: () => `/admin/groups/${s.group}/channels/${s.channel}`,
    },
    {
      method: 'POST',
      route: '/admin/users',
      url: () => '/admin/users',
      body: () => ({ username: 'audit-user', password: 'audit-password-1', quota_usd: 1 }),
    },
    {
      method: 'PATCH',
      route: '/admin/users/:username',
      url: () => '/admin/users/audit-user',
      body: () => ({ quota_usd: 5 }),
    },
    {
      method: 'POST',
      route: '/admin/tokens',
      url: () => '/admin/tokens',
      body: () => ({ username: 'audit-user', name: 'audit-issued-key' }),
    },
    {
      method: 'POST',
      route: '/admin/users/:username/top-up',
      url: () => '/admin/users/audit-user/top-up',
      body: () => ({ amount_usd: 2.5, note: 'audit top-up' }),
    },
    {
      method: 'PUT',
      route: '/admin/users/:username/role',
      url: () => '/admin/users/audit-user/role',
      body: () => ({ role: 'admin' }),
    },
    {
      method: 'PATCH',
      route: '/admin/users/:username/role',
      url: () => '/admin/users/audit-user/role',
      body: () => ({ role: 'user' }),
    },
    {
      method: 'POST',
      route: '/admin/users/promote',
      url: () => '/admin/users/promote',
      body: () => ({ username: 'audit-user', role: 'admin' }),
    },
    ...(['/admin/users', '/admin/users-list'] as const).flatMap((p): Step[] => [
      {
        method: 'POST',
        route: `${p}/:username/groups/:group_id`,
        url: () => `${p}/audit-user/groups/${s.group}`,
      },
      {
        method: 'DELETE',
        route: `${p}/:username/groups/:group_id`,
        url: () => `${p}/audit-user/groups/${s.group}`,
      },
    ]),
    {
      method: 'POST',
      route: '/admin/rate-limits',
      url: () => '/admin/rate-limits',
      body: () => ({ group_id: s.group, window_sec: 60, limit_type: 'request_limit', value: 10 }),
      keep: (j) => (s.rule = j.id as string),
    },
    {
      method: 'PATCH',
      route: '/admin/rate-limits/:id',
      url: () => `/admin/rate-limits/${s.rule}`,
      body: () => ({ value: 20 }),
    },
    { method: 'DELETE', route: '/admin/rate-limits/:id', url: () => `/admin/rate-limits/${s.rule}` },
    {
      method: 'POST',
      route: '/admin/prices/import-catalogue',
      url: () => '/admin/prices/import-catalogue',
      body: () => ({}),
    },
    ...price('/admin/prices'),
    ...price('/admin/model-prices'),
    ...price('/admin/group-prices', { group_id: '' }),
    ...price('/admin/group-model-prices', { group_id: '' }),
    {
      method: 'POST',
      route: '/admin/vouchers',
      url: () => '/admin/vouchers',
      body: () => ({ amount_usd: 1 }),
      keep: (j) => (s.voucher = j.id as string),
    },
    {
      method: 'PATCH',
      route: '/admin/vouchers/:id',
      url: () => `/admin/vouchers/${s.voucher}`,
      body: () => ({ amount_usd: 2 }),
    },
    { method: 'DELETE', route: '/admin/vouchers/:id', url: () => `/admin/vouchers/${s.voucher}` },
    { method: 'POST', route: '/admin/tokens/:id/freeze', url: () => `/admin/tokens/${s.token}/freeze` },
    { method: 'PATCH', route: '/admin/tokens/:id/freeze', url: () => `/admin/tokens/${s.token}/freeze` },
    { method: 'DELETE', route: '/admin/tokens/:id', url: () => `/admin/tokens/${s.token}` },
    { method: 'DELETE', route: '/admin/users/:username', url: () => '/admin/users/audit-user' },
    { method: 'DELETE', route: '/admin/channels/:id', url: () => `/admin/channels/${s.channel}` },
    { method: 'DELETE', route: '/admin/groups/:id', url: () => `/admin/groups/${s.group}` },
  ]

  it('every admin mutation writes exactly one audit row', async () => {
    const list = steps()
    // Every mutating admin route has a step: a new one without an audit row fails here.
    const mutations = f.t.routes
      .filter((r) => r.method !== 'GET' && (r.auth === 'admin' || r.auth === 'superadmin'))
      .map((r) => `${r.method} ${r.url}`)
    expect(new Set(list.map((x) => `${x.method} ${x.route}`))).toEqual(new Set(mutations))

    const key = await f.t.inject({
      method: 'POST',
      url: '/user/tokens',
      headers: bearer(f.userJwt),
      payload: { name: 'audit-key' },
    })
    s.token = (key.json() as { id: string }).id
    for (const step of list) {
      const payload = step.body?.()
      if (payload && typeof payload === 'object' && 'group_id' in payload)
        (payload as { group_id: string }).group_id = s.group
      const before = await auditRows()
      const res = await send(step.method, step.url(), payload)
      expect(res.statusCode, `${step.method} ${step.url()}: ${res.body}`).toBeLessThan(300)
      if (res.body) step.keep?.(res.json() as Record<string, unknown>)
      expect(await auditRows(), `${step.method} ${step.route}`).toBe(before + 1)
    }
  })

  it('a failing audit write undoes the change: nothing is committed without its record', async () => {
    const user = await send('POST', '/admin/users', {
      username: 'rollback-user',
      password: 'rollback-pw-1',
      quota_usd: 3,
    })
    expect(user.statusCode).toBe(201)
    const key = await f.t.inject({
      method: 'POST',
      url: '/user/tokens',
      headers: bearer(f.userJwt),
      payload: { name: 'rollback-key' },
    })
    const keyId = (key.json() as { id: string }).id
    const snapshot = async () => {
      const db = f.t.tdb.db.db
      return {
        groups: (await db.selectFrom('groups').select('name').orderBy('name').execute()).map((r) => r.name),
        channels: await db
          .selectFrom('channels')
          .select(['id', 'weight', 'base_url'])
          .orderBy('id')
          .execute(),
        user: await db
          .selectFrom('users')
          .select(['role', 'quota_nano', 'disabled'])
          .where('username', '=', 'rollback-user')
          .executeTakeFirst(),
        ledger: toNum(
          (
            await db
              .selectFrom('balance_ledger')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        ),
        token: await db
          .selectFrom('tokens')
          .select(['frozen', 'frozen_by'])
          .where('id', '=', keyId)
          .executeTakeFirst(),
        vouchers: toNum(
          (
            await db
              .selectFrom('vouchers')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        ),
        prices: toNum(
          (
            await db
              .selectFrom('model_prices')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        ),
      }
    }
    const before = await snapshot()

    // The audit table goes away: every audit write now fails.
    await sql`ALTER TABLE admin_audit RENAME TO admin_audit_gone`.execute(f.t.tdb.db.db)
    try {
      const attempts: [Method, string, unknown?][] = [
        ['POST', '/admin/groups', { name: 'never-created' }],
        ['PATCH', `/admin/channels/${f.channels.openai}`, { weight: 77 }],
        ['PATCH', '/admin/users/rollback-user', { quota_usd: 99, disabled: true }],
        ['PUT', '/admin/users/rollback-user/role', { role: 'admin' }],
        ['DELETE', '/admin/users/rollback-user'],
        ['POST', `/admin/tokens/${keyId}/freeze`],
        ['DELETE', `/admin/tokens/${keyId}`],
        ['POST', '/admin/vouchers', { amount_usd: 5, count: 3 }],
        ['POST', '/admin/prices', { model_name: 'never-priced', unit: 'input_token', price_per_unit: 1 }],
      ]
      for (const [method, url, payload] of attempts) {
        const res = await send(method, url, payload)
        expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(500)
      }
    } finally {
      await sql`ALTER TABLE admin_audit_gone RENAME TO admin_audit`.execute(f.t.tdb.db.db)
    }
    expect(await snapshot()).toEqual(before)
  })
})
