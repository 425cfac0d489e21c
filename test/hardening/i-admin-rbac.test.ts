import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProxyFixture, type ProxyFixture } from '../support/proxy-fixture.ts'
import { bearer } from '../support/build-test-app.ts'

/**
 * Catalogue group I (docs/security.md): admin RBAC, #63, #64, #66–#68. The role × route matrix is shown by
 * test/api/route-policy.test.ts; the last-superadmin check inside one transaction (#64) and the cookie session's
 * CSRF check (#68) are issue 15's defects 12 and 11.
 */
describe('I. admin RBAC', () => {
  let f: ProxyFixture
  let adminJwt: string
  let superJwt: string

  beforeAll(async () => {
    f = await startProxyFixture('sqlite')
    await f.t.createUser('ada', 'admin-password-1', 'admin')
    await f.t.createUser('otto', 'admin-password-2', 'admin')
    adminJwt = await f.t.login('ada', 'admin-password-1')
    superJwt = f.adminJwt // the fixture's `admin` is a superadmin
  })
  afterAll(async () => f?.close())

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    jwt: string,
    payload?: unknown,
  ) => f.t.inject({ method, url, headers: bearer(jwt), payload: payload as object })

  const userRow = (username: string) =>
    f.t.tdb.db.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst()

  it('#63 nobody raises their own role, balance or status; an admin cannot touch a superadmin or another admin', async () => {
    const before = await userRow('user')
    // A user has no route that changes their own account; the admin route is 403 and its fields are refused.
    for (const payload of [
      { role: 'superadmin' },
      { quota_usd: 1e6 },
      { quota_usd: null },
      { disabled: false },
    ]) {
      expect((await call('PATCH', '/admin/users/user', f.userJwt, payload)).statusCode).toBe(403)
      expect((await call('PUT', '/admin/users/user/role', f.userJwt, { role: 'admin' })).statusCode).toBe(403)
    }
    for (const payload of [
      { used_usd: 0 },
      { username: 'admin' },
      { role: 'admin' },
      { frozen: false, key: 'x' },
    ])
      expect((await call('POST', '/user/tokens', f.userJwt, { name: 'k', ...payload })).statusCode).toBe(400)
    expect(await userRow('user')).toEqual(before)
    // An admin: no change of a superadmin or another admin, in any field; not even their own role.
    for (const [method, url, payload] of [
      ['PATCH', '/admin/users/admin', { password: 'new-password-123' }],
      ['PATCH', '/admin/users/admin', { quota_usd: 0 }],
      ['PATCH', '/admin/users/admin', { disabled: true }],
      ['DELETE', '/admin/users/admin', undefined],
      ['PATCH', '/admin/users/otto', { password: 'new-password-123' }],
      ['PATCH', '/admin/users/otto', { disabled: true }],
      ['DELETE', '/admin/users/otto', undefined],
      ['PATCH', '/admin/users/ada', { role: 'superadmin' }],
      ['PATCH', '/admin/users/ada', { quota_usd: null }],
      ['PUT', '/admin/users/ada/role', { role: 'superadmin' }],
      ['POST', '/admin/users/promote', { username: 'ada', role: 'superadmin' }],
      ['POST', '/admin/users', { username: 'sneaky', password: 'long-password-1', role: 'admin' }],
    ] as const) {
      const res = await call(method, url, adminJwt, payload)
      expect(res.statusCode, `${method} ${url} ${JSON.stringify(payload)}`).toBe(403)
    }
    expect((await userRow('admin'))?.role).toBe('superadmin')
    expect((await userRow('otto'))?.disabled).toBeFalsy()
    expect(await userRow('sneaky')).toBeUndefined()
    // The admin key is an admin, never a superadmin.
    const asKey = await f.t.inject({
      method: 'PATCH',
      url: '/admin/users/admin',
      headers: { 'x-admin-key': f.t.secrets.adminKey },
      payload: { password: 'new-password-123' },
    })
    expect(asKey.statusCode).toBe(403)
    // An admin may still manage a plain user.
    expect((await call('PATCH', '/admin/users/user', adminJwt, { quota_usd: 50 })).statusCode).toBe(200)
  })

  it('#64 the last active superadmin cannot be deleted, demoted or disabled, by itself or by the break-glass account', async () => {
    // Two superadmins: demoting one is fine; then the other is the last.
    await f.t.createUser('sam', 'super-password-9', 'superadmin')
    expect((await call('PUT', '/admin/users/sam/role', superJwt, { role: 'user' })).statusCode).toBe(200)
    expect((await call('DELETE', '/admin/users/admin', superJwt)).statusCode).toBe(409)
    expect((await call('PATCH', '/admin/users/admin', superJwt, { role: 'admin' })).statusCode).toBe(409)
    expect((await call('PATCH', '/admin/users/admin', superJwt, { disabled: true })).statusCode).toBe(409)
    expect(
      (await call('POST', '/admin/users/promote', superJwt, { username: 'admin', role: 'user' })).statusCode,
    ).toBe(409)
    const fb = await f.t.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: '_admin_fallback', password: f.t.secrets.fallbackKey },
    })
    const glass = fb.json<{ access_token: string }>().access_token
    for (const [method, url, payload] of [
      ['DELETE', '/admin/users/admin', undefined],
      ['PUT', '/admin/users/admin/role', { role: 'user' }],
      ['PATCH', '/admin/users/admin', { disabled: true }],
    ] as const) {
      const res = await call(method, url, glass, payload)
      expect(res.statusCode, `${method} ${url}`).toBe(409)
      expect(res.json<{ error: { code: string } }>().error.code).toBe('last_superadmin')
    }
    const row = await userRow('admin')
    expect(row?.role).toBe('superadmin')
    expect(Number(row?.disabled)).toBe(0)
  })

  it('#66 no response carries a password hash, a channel key or, for users, a channel address; a stored hash is not a password', async () => {
    const bodies: string[] = []
    for (const url of [
      '/admin/users',
      '/admin/users/user',
      '/admin/users-list',
      '/admin/channels',
      `/admin/channels/${f.channels.openai}`,
      '/admin/groups',
      '/admin/audit',
    ])
      bodies.push((await call('GET', url, superJwt)).body)
    const userBodies: string[] = []
    for (const url of ['/auth/me', '/auth/my-status', '/user/groups', '/user/tokens', '/user/logs'])
      userBodies.push((await call('GET', url, f.userJwt)).body)
    const models = await request(`${f.gateway}/v1/models`, { headers: { authorization: `Bearer ${f.key}` } })
    userBodies.push(await models.body.text())
    const hash = (await userRow('user'))!.password_hash!
    expect(hash.length).toBeGreaterThan(20)
    for (const body of [...bodies, ...userBodies]) {
      expect(body).not.toContain(hash)
      expect(body).not.toMatch(/password_hash|scrypt|\$argon2/)
      for (const channelKey of [
        'sk-upstream-openai-canary-7Hq2',
        'sk-ant-upstream-canary-9Kd3',
        'AIzaUpstreamGeminiCanary0123456789abcdef',
      ])
        expect(body).not.toContain(channelKey)
    }
    expect(bodies.join('\n')).toContain(f.upstream.url)
    for (const body of userBodies) expect(body).not.toContain(f.upstream.url)
    // The stored hash (or a piece of it) as a password is just a wrong password.
    for (const password of [hash, hash.split('$').at(-1) ?? hash]) {
      const res = await f.t.inject({
        method: 'POST',
        url: '/auth/login',
        remoteAddress: '10.66.0.1',
        payload: { username: 'user', password },
      })
      expect(res.statusCode).toBe(401)
    }
  })

  it('#67 configuration never resolves environment references or templates: such values are sent as written', async () => {
    const res = await call('POST', '/admin/channels', superJwt, {
      name: 'literal',
      provider: 'openai',
      base_url: `${f.upstream.url}/v1`,
      api_key: 'os.environ/JWT_SECRET',
      models: ['literal-model'],
      model_mapping: { 'literal-alias': '{{7*7}}-${JWT_SECRET}' },
      extra_headers: {
        'x-env': '${JWT_SECRET}',
        'x-env2': 'env:ADMIN_KEY',
        'x-tpl': '{{ config.JWT_SECRET }}',
      },
    })
    expect(res.statusCode).toBe(201)
    await call('POST', `/admin/groups/${f.groupId}/channels/${res.json<{ id: string }>().id}`, superJwt)
    f.upstream.clearRequests()
    for (const model of ['literal-model', 'literal-alias']) {
      const r = await request(`${f.gateway}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }),
      })
      await r.body.dump()
    }
    const [plain, mapped] = f.upstream.requests
    expect(plain.headers.authorization).toBe('Bearer os.environ/JWT_SECRET')
    expect(plain.headers['x-env']).toBe('${JWT_SECRET}')
    expect(plain.headers['x-env2']).toBe('env:ADMIN_KEY')
    expect(plain.headers['x-tpl']).toBe('{{ config.JWT_SECRET }}')
    expect(JSON.parse(mapped.body)).toMatchObject({ model: '{{7*7}}-${JWT_SECRET}' })
    const seen = JSON.stringify(f.upstream.requests)
    for (const s of [f.t.secrets.jwt, f.t.secrets.adminKey]) expect(seen).not.toContain(s)
    // "Test connection" and model fetches are admin actions only.
    for (const url of [
      `/admin/channels/${f.channels.openai}/test`,
      `/admin/channels/${f.channels.openai}/fetch-models`,
    ])
      expect((await call('POST', url, f.userJwt)).statusCode).toBe(403)
  })

  it('#68 no cross-origin grant: no Access-Control-Allow-Origin for a foreign origin, on preflights or real requests', async () => {
    const origin = 'https://evil.example'
    const answers = [
      await f.t.inject({
        method: 'OPTIONS',
        url: '/admin/users',
        headers: {
          origin,
          'access-control-request-method': 'DELETE',
          'access-control-request-headers': 'authorization',
        },
      }),
      await f.t.inject({ method: 'GET', url: '/admin/users', headers: { origin, ...bearer(superJwt) } }),
      await f.t.inject({ method: 'GET', url: '/auth/me', headers: { origin, ...bearer(f.userJwt) } }),
      await f.t.inject({
        method: 'POST',
        url: '/auth/login',
        headers: { origin },
        payload: { username: 'user', password: 'user-password' },
      }),
      await f.t.inject({
        method: 'OPTIONS',
        url: '/v1/chat/completions',
        headers: { origin, 'access-control-request-method': 'POST' },
      }),
    ]
    for (const a of answers) {
      expect(a.headers['access-control-allow-origin']).toBeUndefined()
      expect(a.headers['access-control-allow-credentials']).toBeUndefined()
    }
    const viaSocket = await request(`${f.gateway}/v1/models`, {
      headers: { origin, authorization: `Bearer ${f.key}` },
    })
    await viaSocket.body.dump()
    expect(viaSocket.headers['access-control-allow-origin']).toBeUndefined()
    // A foreign Origin does not turn a request into something else either: same answer as without it.
    expect(answers[1].statusCode).toBe(200)
  })
})
