import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { CSRF_HEADER, CSRF_VALUE } from '../../src/http/resolve-principal.ts'
import { signSessionJwt } from '../../src/infra/crypto/jwt.ts'

const kinds = await testDbKinds()

describe.each(kinds)('self-service password change (%s)', (kind) => {
  let app: TestApp

  beforeAll(async () => {
    app = await buildTestApp(kind, { env: { LOGIN_MAX_FAILURES: '3' } })
    await app.createUser('pia', 'pia-password-1')
    await app.createUser('guess', 'guess-password-1')
    await app.createUser('dora', 'dora-password-1')
    // A directory account as the LDAP login creates it: no local password.
    await app.createUser('lena', 'unused-password')
    await app.tdb.db.db
      .updateTable('users')
      .set({ auth_source: 'ldap', password_hash: null })
      .where('username', '=', 'lena')
      .execute()
  })
  afterAll(async () => app?.close())

  const change = (jwt: string, body: object, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/user/password',
      headers: { ...bearer(jwt), ...headers },
      payload: body,
    })
  const me = (jwt: string) => app.inject({ method: 'GET', url: '/auth/me', headers: bearer(jwt) })

  it('changes the password, ends the other sessions, re-issues this one and leaves an audit row', async () => {
    const other = await app.login('pia', 'pia-password-1')
    const mine = await app.login('pia', 'pia-password-1')
    const res = await change(mine, { current_password: 'pia-password-1', new_password: 'pia-password-2' })
    expect(res.statusCode).toBe(200)
    const fresh = (res.json() as { access_token?: string }).access_token
    expect(fresh).toBeTruthy()
    expect((await me(other)).statusCode).toBe(401)
    expect((await me(mine)).statusCode).toBe(401)
    expect((await me(fresh ?? '')).statusCode).toBe(200)
    await expect(app.login('pia', 'pia-password-1')).rejects.toThrow(/401/)
    expect(await app.login('pia', 'pia-password-2')).toBeTruthy()
    const audit = await app.tdb.db.db
      .selectFrom('admin_audit')
      .selectAll()
      .where('action', '=', 'user.change_password')
      .execute()
    expect(audit.map((a) => [a.actor, a.target])).toEqual([['pia', 'pia']])
    expect(audit[0]?.summary).not.toContain('pia-password')
  })

  it("re-issues the dashboard's session as its cookie, never in the body", async () => {
    const jwt = await app.login('dora', 'dora-password-1')
    const res = await change(
      jwt,
      { current_password: 'dora-password-1', new_password: 'dora-password-2' },
      { [CSRF_HEADER]: CSRF_VALUE },
    )
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ ok: true })
    const cookie = String(res.headers['set-cookie'])
    expect(cookie).toMatch(/^ag_session=[^;]+; Path=\/; HttpOnly/)
  })

  it('refuses a wrong current password (400, not a sign-out) and a new one that breaks the password rules', async () => {
    const jwt = await app.login('guess', 'guess-password-1')
    const wrong = await change(jwt, { current_password: 'nope-nope-1', new_password: 'guess-password-2' })
    expect(wrong.statusCode).toBe(400)
    expect(wrong.json()).toMatchObject({ error: { code: 'validation_error' } })
    const short = await change(jwt, { current_password: 'guess-password-1', new_password: 'short' })
    expect(short.statusCode).toBe(400)
    const same = await change(jwt, { current_password: 'guess-password-1', new_password: 'guess-password-1' })
    expect(same.statusCode).toBe(400)
    expect((await me(jwt)).statusCode).toBe(200)
  })

  it('counts wrong current passwords against the login throttle', async () => {
    await app.createUser('tess', 'tess-password-1')
    const jwt = await app.login('tess', 'tess-password-1')
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const r = await change(jwt, { current_password: `wrong-guess-${i}`, new_password: 'tess-password-2' })
      statuses.push(r.statusCode)
    }
    expect(statuses).toEqual([400, 400, 400, 429])
    // The right password is throttled too while the window holds: the form is no side door.
    const right = await change(jwt, { current_password: 'tess-password-1', new_password: 'tess-password-2' })
    expect(right.statusCode).toBe(429)
    expect(right.headers['retry-after']).toBeDefined()
  })

  it('refuses a directory (LDAP) account with a clear reason', async () => {
    const jwt = await app.login('dora', 'dora-password-2')
    const lena = await app.tdb.db.db
      .selectFrom('users')
      .select(['id', 'session_version'])
      .where('username', '=', 'lena')
      .executeTakeFirstOrThrow()
    const ldapJwt = await signSessionJwt(
      app.secrets.jwt,
      { kind: 'user', userId: lena.id, username: 'lena', sessionVersion: Number(lena.session_version) },
      1,
      Date.now(),
    )
    const res = await change(ldapJwt, { current_password: 'whatever-1', new_password: 'whatever-2' })
    expect(res.statusCode).toBe(403)
    expect((res.json() as { error: { message: string } }).error.message).toMatch(/LDAP/)
    expect((await me(ldapJwt)).json()).toMatchObject({ auth_source: 'ldap' })
    expect((await me(jwt)).json()).toMatchObject({ auth_source: 'local' })
  })
})
