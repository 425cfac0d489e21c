import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'

interface Case {
  name: string
  method: 'POST' | 'PATCH' | 'PUT'
  url: string
  body: string
  contentType?: string
  status: number
  mentions?: string
}

describe('bad input is refused with a 4xx that names the problem, and nothing is written', () => {
  let t: TestApp
  let admin: string
  let user: string

  beforeAll(async () => {
    t = await buildTestApp('sqlite')
    await t.createUser('sue', 'super-password', 'superadmin')
    await t.createUser('ursula', 'user-password')
    admin = await t.login('sue', 'super-password')
    user = await t.login('ursula', 'user-password')
  })
  afterAll(async () => t?.close())

  const ch = { name: 'c', provider: 'openai', base_url: 'http://127.0.0.1:1/v1', api_key: 'k-123456789' }
  const cases: Case[] = [
    {
      name: 'malformed JSON',
      method: 'POST',
      url: '/admin/channels',
      body: '{"name": "x",',
      status: 400,
      mentions: 'JSON',
    },
    {
      name: 'JSON that is not an object',
      method: 'POST',
      url: '/admin/groups',
      body: '[1,2,3]',
      status: 400,
      mentions: 'body',
    },
    { name: 'empty body', method: 'POST', url: '/admin/groups', body: '', status: 400 },
    {
      name: 'wrong type',
      method: 'POST',
      url: '/admin/groups',
      body: JSON.stringify({ name: 'g', priority: 'high' }),
      status: 400,
      mentions: 'priority',
    },
    {
      name: 'unknown field',
      method: 'POST',
      url: '/admin/groups',
      body: JSON.stringify({ name: 'g', colour: 'red' }),
      status: 400,
      mentions: 'colour',
    },
    {
      name: 'unknown nested provider',
      method: 'POST',
      url: '/admin/channels',
      body: JSON.stringify({ ...ch, provider: 'azure' }),
      status: 400,
      mentions: 'provider',
    },
    {
      name: 'negative money',
      method: 'POST',
      url: '/admin/vouchers',
      body: JSON.stringify({ amount_usd: -5 }),
      status: 400,
      mentions: 'amount_usd',
    },
    {
      name: 'huge money',
      method: 'POST',
      url: '/admin/vouchers',
      body: JSON.stringify({ amount_usd: 1e300 }),
      status: 400,
      mentions: 'amount_usd',
    },
    {
      name: 'huge count',
      method: 'POST',
      url: '/admin/vouchers',
      body: JSON.stringify({ amount_usd: 1, count: 1e9 }),
      status: 400,
      mentions: 'count',
    },
    {
      name: 'fractional weight',
      method: 'POST',
      url: '/admin/channels',
      body: JSON.stringify({ ...ch, weight: 1.5 }),
      status: 400,
      mentions: 'weight',
    },
    {
      name: 'credentials in base_url',
      method: 'POST',
      url: '/admin/channels',
      body: JSON.stringify({ ...ch, base_url: 'http://u:p@127.0.0.1/v1' }),
      status: 400,
      mentions: 'base_url',
    },
    {
      name: 'metadata address',
      method: 'POST',
      url: '/admin/channels',
      body: JSON.stringify({ ...ch, base_url: 'http://169.254.169.254/v1' }),
      status: 400,
      mentions: 'base_url',
    },
    {
      name: 'file URL',
      method: 'POST',
      url: '/admin/channels',
      body: JSON.stringify({ ...ch, base_url: 'file:///etc/passwd' }),
      status: 400,
      mentions: 'base_url',
    },
    {
      name: 'bad limit type',
      method: 'POST',
      url: '/admin/rate-limits',
      body: JSON.stringify({ group_id: 'x', window_sec: 60, limit_type: 'bogus', value: 1 }),
      status: 400,
      mentions: 'limit_type',
    },
    {
      name: 'zero window',
      method: 'POST',
      url: '/admin/rate-limits',
      body: JSON.stringify({ group_id: 'x', window_sec: 0, limit_type: 'request_limit', value: 1 }),
      status: 400,
      mentions: 'window_sec',
    },
    {
      name: 'bad price unit',
      method: 'POST',
      url: '/admin/prices',
      body: JSON.stringify({ model_name: 'm', unit: 'byte', price_per_unit: 1 }),
      status: 400,
      mentions: 'unit',
    },
    {
      name: 'NaN-like price',
      method: 'POST',
      url: '/admin/prices',
      body: '{"model_name":"m","unit":"input_token","price_per_unit":"NaN"}',
      status: 400,
      mentions: 'price_per_unit',
    },
    {
      name: 'bad role',
      method: 'POST',
      url: '/admin/users',
      body: JSON.stringify({ username: 'x1', password: 'long-password', role: 'god' }),
      status: 400,
      mentions: 'role',
    },
    {
      name: 'short password',
      method: 'POST',
      url: '/admin/users',
      body: JSON.stringify({ username: 'x2', password: 'a' }),
      status: 400,
      mentions: 'password',
    },
    {
      name: 'reserved username',
      method: 'POST',
      url: '/admin/users',
      body: JSON.stringify({ username: '_admin_fallback', password: 'long-password' }),
      status: 400,
      mentions: 'username',
    },
    {
      name: 'prototype pollution',
      method: 'POST',
      url: '/admin/groups',
      body: '{"name":"p","__proto__":{"admin":true}}',
      status: 400,
    },
    {
      name: 'wrong content type',
      method: 'POST',
      url: '/admin/groups',
      body: 'name=g',
      contentType: 'application/x-www-form-urlencoded',
      status: 415,
    },
    {
      name: 'oversized body',
      method: 'POST',
      url: '/admin/groups',
      body: JSON.stringify({ name: 'g', description: 'x'.repeat(2 * 1024 * 1024) }),
      status: 413,
    },
    {
      name: 'bad date',
      method: 'POST',
      url: '/admin/vouchers',
      body: JSON.stringify({ amount_usd: 1, expires_at: 'tomorrow-ish' }),
      status: 400,
      mentions: 'expires_at',
    },
  ]

  it.each(cases)('$name → $status', async (c) => {
    const before = await counts()
    const res = await t.inject({
      method: c.method,
      url: c.url,
      headers: { ...bearer(admin), 'content-type': c.contentType ?? 'application/json' },
      payload: c.body,
    })
    expect(res.statusCode).toBe(c.status)
    const err = (res.json() as { error: { code: string; message: string } }).error
    expect(err.code).toBeTruthy()
    if (c.mentions) expect(err.message).toContain(c.mentions)
    expect(await counts()).toEqual(before)
  })

  it('refuses bad user input the same way', async () => {
    const before = await counts()
    for (const body of [
      { name: 'k', quota_usd: -1 },
      { name: '' },
      { name: 'k', rpm: 0 },
      { name: 'k', expires_at: 5 },
      { name: 'k', username: 'someone-else' },
    ]) {
      const res = await t.inject({
        method: 'POST',
        url: '/user/tokens',
        headers: bearer(user),
        payload: body,
      })
      expect(res.statusCode, JSON.stringify(body)).toBe(400)
    }
    expect(await counts()).toEqual(before)
  })

  async function counts() {
    const db = t.tdb.db.db
    const tables = [
      'channels',
      'groups',
      'vouchers',
      'rate_limits',
      'model_prices',
      'users',
      'tokens',
      'admin_audit',
    ] as const
    const out: Record<string, number> = {}
    for (const table of tables) {
      const r = await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
      out[table] = Number(r.n)
    }
    return out
  }
})
