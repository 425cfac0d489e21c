import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SignJWT, decodeJwt } from 'jose'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'

/** Fills path parameters with ids that exist nowhere; auth must be decided before the lookup. */
const concrete = (url: string) => url.replace(/:([A-Za-z_]+)/g, 'does-not-exist')

describe('route table auth policy', () => {
  let t: TestApp
  let userJwt: string
  let adminJwt: string
  let superJwt: string

  beforeAll(async () => {
    t = await buildTestApp('sqlite')
    await t.createUser('ulla', 'user-password-1')
    await t.createUser('adam', 'admin-password-1', 'admin')
    await t.createUser('sara', 'super-password-1', 'superadmin')
    await t.createUser('sam', 'super-password-2', 'superadmin')
    userJwt = await t.login('ulla', 'user-password-1')
    adminJwt = await t.login('adam', 'admin-password-1')
    superJwt = await t.login('sara', 'super-password-1')
  })
  afterAll(async () => t?.close())

  it('declares a policy for every route and the table is not trivially small', () => {
    expect(t.routes.length).toBeGreaterThan(60)
    for (const r of t.routes) expect(['public', 'user', 'admin', 'superadmin']).toContain(r.auth)
  })

  it('refuses every non-public route without credentials (401), with junk credentials (401)', async () => {
    for (const r of t.routes.filter((x) => x.auth !== 'public')) {
      const url = concrete(r.url)
      const none = await t.inject({ method: r.method, url })
      expect(none.statusCode, `${r.method} ${r.url}`).toBe(401)
      for (const h of ['Bearer undefined', 'Bearer ', 'Basic YWRtaW46YWRtaW4=', "Bearer ' OR 1=1;--"]) {
        const res = await t.inject({ method: r.method, url, headers: { authorization: h } })
        expect(res.statusCode, `${r.method} ${r.url} with ${h}`).toBe(401)
      }
    }
  })

  it('gives a user 403 on every admin route and an admin 403 on every superadmin route', async () => {
    for (const r of t.routes.filter((x) => x.auth === 'admin' || x.auth === 'superadmin')) {
      const res = await t.inject({ method: r.method, url: concrete(r.url), headers: bearer(userJwt) })
      expect(res.statusCode, `user → ${r.method} ${r.url}`).toBe(403)
    }
    const superRoutes = t.routes.filter((x) => x.auth === 'superadmin')
    expect(superRoutes.length).toBeGreaterThan(0)
    for (const r of superRoutes) {
      const res = await t.inject({
        method: r.method,
        url: concrete(r.url),
        headers: bearer(adminJwt),
        payload: { role: 'admin', username: 'ulla' },
      })
      expect(res.statusCode, `admin → ${r.method} ${r.url}`).toBe(403)
      const key = await t.inject({
        method: r.method,
        url: concrete(r.url),
        headers: { 'x-admin-key': t.secrets.adminKey },
        payload: { role: 'admin', username: 'ulla' },
      })
      expect(key.statusCode, `x-admin-key → ${r.method} ${r.url}`).toBe(401)
    }
  })

  it('lets an admin reach admin routes, and the admin key too', async () => {
    const a = await t.inject({ method: 'GET', url: '/admin/channels', headers: bearer(adminJwt) })
    expect(a.statusCode).toBe(200)
    const k = await t.inject({
      method: 'GET',
      url: '/admin/channels',
      headers: { 'x-admin-key': t.secrets.adminKey },
    })
    expect(k.statusCode).toBe(200)
    const wrong = await t.inject({
      method: 'GET',
      url: '/admin/channels',
      headers: { 'x-admin-key': 'x'.repeat(5) },
    })
    expect(wrong.statusCode).toBe(401)
  })

  it('forbids an admin to create or promote administrators', async () => {
    for (const role of ['admin', 'superadmin']) {
      const res = await t.inject({
        method: 'POST',
        url: '/admin/users',
        headers: bearer(adminJwt),
        payload: { username: `new-${role}`, password: 'long-password-1', role },
      })
      expect(res.statusCode, role).toBe(403)
    }
    const promote = await t.inject({
      method: 'PATCH',
      url: '/admin/users/ulla',
      headers: bearer(adminJwt),
      payload: { role: 'admin' },
    })
    expect(promote.statusCode).toBe(403)
    const self = await t.inject({
      method: 'PATCH',
      url: '/admin/users/adam',
      headers: bearer(adminJwt),
      payload: { role: 'superadmin' },
    })
    expect(self.statusCode).toBe(403)
    const disableSuper = await t.inject({
      method: 'PATCH',
      url: '/admin/users/sara',
      headers: bearer(adminJwt),
      payload: { disabled: true },
    })
    expect(disableSuper.statusCode).toBe(403)
    const roles = await t.tdb.db.db
      .selectFrom('users')
      .select(['username', 'role'])
      .where('username', 'in', ['ulla', 'adam', 'new-admin', 'new-superadmin'])
      .execute()
    expect(Object.fromEntries(roles.map((r) => [r.username, r.role]))).toEqual({
      ulla: 'user',
      adam: 'admin',
    })
    // A superadmin may.
    const ok = await t.inject({
      method: 'POST',
      url: '/admin/users',
      headers: bearer(superJwt),
      payload: { username: 'made-admin', password: 'long-password-1', role: 'admin' },
    })
    expect(ok.statusCode).toBe(201)
  })

  it("refuses a demoted admin's old JWT at once", async () => {
    await t.createUser('dora', 'admin-password-2', 'admin')
    const jwt = await t.login('dora', 'admin-password-2')
    expect((await t.inject({ method: 'GET', url: '/admin/groups', headers: bearer(jwt) })).statusCode).toBe(
      200,
    )
    const demote = await t.inject({
      method: 'PUT',
      url: '/admin/users/dora/role',
      headers: bearer(superJwt),
      payload: { role: 'user' },
    })
    expect(demote.statusCode).toBe(200)
    // The role change ends the session issued under the old role (issue 15 defect 6).
    expect((await t.inject({ method: 'GET', url: '/admin/groups', headers: bearer(jwt) })).statusCode).toBe(
      401,
    )
    const disable = await t.inject({
      method: 'PATCH',
      url: '/admin/users/dora',
      headers: bearer(superJwt),
      payload: { disabled: true },
    })
    expect(disable.statusCode).toBe(200)
    expect((await t.inject({ method: 'GET', url: '/auth/me', headers: bearer(jwt) })).statusCode).toBe(401)
  })

  it('protects the last superadmin', async () => {
    const down = await t.inject({
      method: 'PUT',
      url: '/admin/users/sam/role',
      headers: bearer(superJwt),
      payload: { role: 'admin' },
    })
    expect(down.statusCode).toBe(200)
    const last = await t.inject({
      method: 'PUT',
      url: '/admin/users/sara/role',
      headers: bearer(superJwt),
      payload: { role: 'user' },
    })
    expect(last.statusCode).toBe(409)
    const dis = await t.inject({
      method: 'PATCH',
      url: '/admin/users/sara',
      headers: bearer(superJwt),
      payload: { disabled: true },
    })
    expect(dis.statusCode).toBe(409)
    const row = await t.tdb.db.db
      .selectFrom('users')
      .select(['role', 'disabled'])
      .where('username', '=', 'sara')
      .executeTakeFirstOrThrow()
    expect(row.role).toBe('superadmin')
    expect(Number(row.disabled)).toBe(0)
  })

  it('refuses forged JWTs: alg none, wrong secret, no exp, far-future exp, placeholder secrets', async () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
    const now = Math.floor(Date.now() / 1000)
    // The session claims of a real login (user id, session version), so each forgery differs by its flaw only.
    const { kind, uid, sv } = decodeJwt(superJwt)
    const claims = {
      kind,
      uid,
      sv,
      sub: 'sara',
      iss: 'any-gateway',
      aud: 'dashboard',
      iat: now,
      exp: now + 3600,
      role: 'superadmin',
    }
    const forged: string[] = [
      `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`,
      `${enc({ alg: 'None', typ: 'JWT' })}.${enc(claims)}.`,
    ]
    const sign = (secret: string, c: Record<string, unknown>) => {
      let j = new SignJWT(c).setProtectedHeader({ alg: 'HS256' })
      if (c.exp === undefined) j = new SignJWT({ ...c }).setProtectedHeader({ alg: 'HS256' })
      return j.sign(new TextEncoder().encode(secret))
    }
    forged.push(await sign('another-secret-of-sufficient-length-123456', claims))
    for (const placeholder of ['change-me-in-production', 'changeme', 'secret'])
      forged.push(await sign(placeholder, claims))
    const { exp: _exp, ...noExp } = claims
    forged.push(await sign(t.secrets.jwt, noExp))
    forged.push(await sign(t.secrets.jwt, { ...claims, exp: now + 100 * 365 * 86400 }))
    forged.push(await sign(t.secrets.jwt, { ...claims, aud: 'api' }))
    // An HS384 token with the right secret is still refused: the algorithm is pinned.
    forged.push(
      await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS384' })
        .sign(new TextEncoder().encode(t.secrets.jwt)),
    )
    for (const jwt of forged) {
      const res = await t.inject({ method: 'GET', url: '/admin/users', headers: bearer(jwt) })
      expect(res.statusCode, jwt.slice(0, 40)).toBe(401)
    }
    // The control: the right secret and claims pass.
    const good = await sign(t.secrets.jwt, claims)
    expect((await t.inject({ method: 'GET', url: '/admin/users', headers: bearer(good) })).statusCode).toBe(
      200,
    )
  })

  it('refuses a Host header that could confuse URL rebuilding', async () => {
    for (const host of ['evil/admin?', 'x#', 'a@b', 'a b']) {
      const res = await t.inject({
        method: 'GET',
        url: '/admin/users',
        headers: { host, 'x-admin-key': t.secrets.adminKey },
      })
      expect(res.statusCode, host).toBe(400)
    }
  })

  it('serves an OpenAPI document listing the routes with their auth', async () => {
    const res = await t.inject({ method: 'GET', url: '/openapi.json' })
    expect(res.statusCode).toBe(200)
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, { 'x-auth': string }>> }
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.paths['/admin/users/{username}/role'].put['x-auth']).toBe('superadmin')
    expect(Object.keys(doc.paths).length).toBeGreaterThan(30)
  })
})
