import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SignJWT, decodeJwt } from 'jose'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'

/**
 * Issue 15 defect 6 (sessions outlive what they were for), defect 12 (a future `iat` stretches a token's life,
 * catalogue #58) and the break-glass part of defect 1 (a session is break-glass by its claim, not by its name).
 */

const kinds = await testDbKinds()

async function me(t: TestApp, jwt: string) {
  return t.inject({ method: 'GET', url: '/auth/me', headers: bearer(jwt) })
}

/** The same claims as `jwt`, re-signed with the gateway's own secret after `change` (a forger who knows nothing
 * more than the secret would be stopped elsewhere; this isolates the lifetime rules). */
async function resign(t: TestApp, jwt: string, change: (claims: Record<string, unknown>) => void) {
  const claims = { ...decodeJwt(jwt) } as Record<string, unknown>
  change(claims)
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(t.secrets.jwt))
}

describe.each(kinds)('sessions end with what they were for (%s)', (kind) => {
  let t: TestApp
  let superJwt: string

  beforeAll(async () => {
    t = await buildTestApp(kind)
    await t.createUser('root', 'root-password-1', 'superadmin')
    superJwt = await t.login('root', 'root-password-1')
  })
  afterAll(async () => t?.close())

  const patch = (username: string, payload: Record<string, unknown>) =>
    t.inject({ method: 'PATCH', url: `/admin/users/${username}`, headers: bearer(superJwt), payload })

  it('issue 15 defect 6: a password reset ends the sessions issued before it', async () => {
    await t.createUser('pat', 'pat-password-1')
    const old = await t.login('pat', 'pat-password-1')
    const other = await t.login('root', 'root-password-1')
    expect((await me(t, old)).statusCode).toBe(200)
    expect((await patch('pat', { password: 'pat-password-2' })).statusCode).toBe(200)
    expect((await me(t, old)).statusCode).toBe(401)
    const fresh = await t.login('pat', 'pat-password-2')
    expect((await me(t, fresh)).json()).toMatchObject({ username: 'pat' })
    // Nobody else's session is touched; a balance change ends nothing.
    expect((await me(t, other)).statusCode).toBe(200)
    expect((await patch('pat', { quota_usd: 5 })).statusCode).toBe(200)
    expect((await me(t, fresh)).statusCode).toBe(200)
  })

  it('issue 15 defect 6: disabling a user ends their sessions for good, also after re-enabling', async () => {
    await t.createUser('dan', 'dan-password-1')
    const old = await t.login('dan', 'dan-password-1')
    expect((await patch('dan', { disabled: true })).statusCode).toBe(200)
    expect((await me(t, old)).statusCode).toBe(401)
    expect((await patch('dan', { disabled: false })).statusCode).toBe(200)
    expect((await me(t, old)).statusCode).toBe(401)
    expect((await me(t, await t.login('dan', 'dan-password-1'))).statusCode).toBe(200)
  })

  it('issue 15 defect 6: a role change ends the sessions issued under the old role', async () => {
    await t.createUser('ria', 'ria-password-1', 'admin')
    const asAdmin = await t.login('ria', 'ria-password-1')
    expect(
      (await t.inject({ method: 'GET', url: '/admin/users', headers: bearer(asAdmin) })).statusCode,
    ).toBe(200)
    const demote = await t.inject({
      method: 'PUT',
      url: '/admin/users/ria/role',
      headers: bearer(superJwt),
      payload: { role: 'user' },
    })
    expect(demote.statusCode).toBe(200)
    expect((await me(t, asAdmin)).statusCode).toBe(401)
    const asUser = await t.login('ria', 'ria-password-1')
    expect((await me(t, asUser)).json()).toMatchObject({ role: 'user' })
    // The same through PATCH: promoted again, the user-role session ends too.
    expect((await patch('ria', { role: 'admin' })).statusCode).toBe(200)
    expect((await me(t, asUser)).statusCode).toBe(401)
  })

  it('issue 15 defect 6: a deleted user’s session does not pass to a new user of the same name', async () => {
    await t.createUser('sam', 'sam-password-1')
    const old = await t.login('sam', 'sam-password-1')
    const del = await t.inject({ method: 'DELETE', url: '/admin/users/sam', headers: bearer(superJwt) })
    expect(del.statusCode).toBe(204)
    const created = await t.inject({
      method: 'POST',
      url: '/admin/users',
      headers: bearer(superJwt),
      payload: { username: 'sam', password: 'someone-else-9', role: 'admin' },
    })
    expect(created.statusCode).toBe(201)
    expect((await me(t, old)).statusCode).toBe(401)
    const asOld = await t.inject({ method: 'GET', url: '/admin/users', headers: bearer(old) })
    expect(asOld.statusCode).toBe(401)
  })

  it('issue 15 defect 6: a second gateway on the same database refuses the ended session within its cache time', async () => {
    await t.createUser('two', 'two-password-1')
    const old = await t.login('two', 'two-password-1')
    const peer = await buildTestApp(kind, { shared: t })
    try {
      expect((await me(peer, old)).statusCode).toBe(200)
      expect((await patch('two', { password: 'two-password-2' })).statusCode).toBe(200)
      await expect
        .poll(async () => (await me(peer, old)).statusCode, { timeout: 5000, interval: 200 })
        .toBe(401)
    } finally {
      await peer.close()
    }
  })

  it('issue 15 defect 12: a token whose iat lies in the future is refused, and so is one living longer than JWT_EXPIRE_HOURS', async () => {
    await t.createUser('ida', 'ida-password-1')
    const real = await t.login('ida', 'ida-password-1')
    const { iat, exp } = decodeJwt(real) as { iat: number; exp: number }
    const ttl = exp - iat
    expect((await me(t, real)).statusCode).toBe(200)
    // Re-signed unchanged: accepted, so the refusals below are about the times alone.
    expect((await me(t, await resign(t, real, () => undefined))).statusCode).toBe(200)
    // iat a day ahead, exp one lifetime after it: it would live two days from now.
    const future = await resign(t, real, (c) => {
      c.iat = iat + 86_400
      c.exp = iat + 86_400 + ttl
    })
    expect((await me(t, future)).statusCode).toBe(401)
    // 30 s ahead is clock skew between two hosts: accepted.
    const skewed = await resign(t, real, (c) => {
      c.iat = iat + 30
      c.exp = iat + 30 + ttl
    })
    expect((await me(t, skewed)).statusCode).toBe(200)
    // A lifetime 30 s over the configured one.
    const long = await resign(t, real, (c) => {
      c.exp = iat + ttl + 30
    })
    expect((await me(t, long)).statusCode).toBe(401)
  })

  it('issue 15 defect 1: break-glass is a claim of its own, not a name; a user session never becomes one', async () => {
    const fb = await t.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: '_admin_fallback', password: t.secrets.fallbackKey },
    })
    expect(fb.statusCode).toBe(200)
    const fbJwt = (fb.json() as { access_token: string }).access_token
    expect((await me(t, fbJwt)).json()).toMatchObject({ role: 'superadmin' })
    expect(JSON.stringify(decodeJwt(fbJwt))).not.toContain(t.secrets.fallbackKey)

    // A user session re-signed to carry the reserved name as its subject is still that user.
    await t.createUser('eve', 'eve-password-1')
    const eve = await t.login('eve', 'eve-password-1')
    const renamed = await resign(t, eve, (c) => {
      c.sub = '_admin_fallback'
    })
    const asRenamed = await t.inject({ method: 'GET', url: '/admin/users', headers: bearer(renamed) })
    expect(asRenamed.statusCode).toBe(403)
    expect((await me(t, renamed)).json()).toMatchObject({ username: 'eve', role: 'user' })
  })
})
