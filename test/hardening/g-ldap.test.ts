import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOpenLdap, type OpenLdapServer } from '../support/openldap-server.ts'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'
import { loadConfig } from '../../src/config/load-config.ts'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/**
 * Catalogue group G (docs/security.md): LDAP login and the emergency fallback, against a real OpenLDAP (slapd).
 * Most of #47–#53 is shown by src/infra/ldap/*.test.ts and test/api/ldap-login.test.ts; the lockout (#54) and the
 * reserved break-glass name (#55) are issue 15's defects 10 and 1.
 */
const ldap = await startOpenLdap()
if (!ldap) {
  if (process.env.CI === 'true') throw new Error('slapd is required in CI')
  console.warn(
    '\n!!! slapd is not installed: the LDAP hardening suite is SKIPPED (it fails under CI=true) !!!\n',
  )
}

describe.skipIf(!ldap)('G. LDAP login against a real OpenLDAP', () => {
  const server = ldap as OpenLdapServer
  let t: TestApp
  let ip = 0

  /** Each attempt from its own address, so the login throttle never decides these cases. */
  const login = (username: unknown, password: unknown, omit?: 'password') =>
    t.inject({
      method: 'POST',
      url: '/auth/login',
      remoteAddress: `10.20.${Math.floor(++ip / 250)}.${ip % 250}`,
      payload: omit ? { username } : { username, password },
    })

  beforeAll(async () => {
    t = await buildTestApp('sqlite', {
      env: {
        LDAP_SERVER_URL: server.url,
        LDAP_BASE_DN: server.baseDn,
        LDAP_BIND_DN: server.bindDn,
        LDAP_BIND_PASSWORD: server.bindPassword,
        LDAP_USER_FILTER: '(|(uid={username})(userPrincipalName={username}))',
        LDAP_TIMEOUT_MS: '3000',
        LOGIN_MAX_FAILURES: '1000',
      },
    })
  })
  afterAll(async () => {
    await t?.close()
    await server.stop()
  })

  async function bindsDuring(fn: () => Promise<unknown>): Promise<number> {
    const before = await server.bindCount()
    await fn()
    return (await server.bindCount()) - before
  }

  it('#47 a missing, null, non-string, empty, blank or NUL-led password is refused with no bind at all', async () => {
    const statuses: number[] = []
    const binds = await bindsDuring(async () => {
      statuses.push((await login('alice', undefined, 'password')).statusCode)
      for (const password of [
        null,
        0,
        false,
        [],
        {},
        ['alicepw'],
        '',
        ' ',
        '\t\n',
        '\u0000',
        '\u0000alicepw',
      ])
        statuses.push((await login('alice', password)).statusCode)
    })
    expect(binds).toBe(0)
    for (const s of statuses) expect([400, 401]).toContain(s)
    const users = await t.tdb.db.db.selectFrom('users').select('username').execute()
    expect(users).toHaveLength(0)
  })

  it('#48 a 5 KB, wildcard or NUL username never logs anyone in', async () => {
    for (const username of [
      'a'.repeat(5 * 1024),
      '*',
      'al*',
      '\u0000',
      'alice\u0000',
      '*)(uid=*))(|(uid=*',
      '\\2a',
    ]) {
      for (const password of [server.users.alice.password, server.users.bob.password]) {
        const res = await login(username, password)
        expect([400, 401], JSON.stringify(username).slice(0, 30)).toContain(res.statusCode)
      }
    }
    const users = await t.tdb.db.db.selectFrom('users').select('username').execute()
    expect(users).toHaveLength(0)
  })

  it('#55 a directory password never falls through to a local account, and a disabled directory user stays out', async () => {
    // alice logs in from the directory once; then an admin disables her.
    expect((await login('alice', server.users.alice.password)).statusCode).toBe(200)
    await t.createUser('root', 'root-password-1', 'superadmin')
    const root = (await login('root', 'root-password-1')).json<{ access_token: string }>().access_token
    const off = await t.inject({
      method: 'PATCH',
      url: '/admin/users/alice',
      headers: bearer(root),
      payload: { disabled: true },
    })
    expect(off.statusCode).toBe(200)
    expect((await login('alice', server.users.alice.password)).statusCode).toBe(401)
    // bob exists in the directory and, separately, as a local account: the local account decides, and the
    // directory is not asked.
    await t.createUser('bob', 'local-bob-password')
    const binds = await bindsDuring(async () => {
      expect((await login('bob', server.users.bob.password)).statusCode).toBe(401)
      expect((await login('bob', 'local-bob-password')).statusCode).toBe(200)
    })
    expect(binds).toBe(0)
    // A directory "wrong password" never falls through to the fallback account or to anything else.
    expect((await login('carol', 'not-carols-password')).statusCode).toBe(401)
    expect((await login('carol', t.secrets.fallbackKey)).statusCode).toBe(401)
  })
})

describe('G. TLS settings that turn verification off are refused at start', () => {
  it('#52 NODE_TLS_REJECT_UNAUTHORIZED=0 (which would stop verifying provider and directory certificates) fails startup, naming it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-tls-'))
    expect(() => loadConfig({ DATA_DIR: dir, NODE_TLS_REJECT_UNAUTHORIZED: '0' })).toThrow(
      /NODE_TLS_REJECT_UNAUTHORIZED/,
    )
    expect(() => loadConfig({ DATA_DIR: dir, NODE_TLS_REJECT_UNAUTHORIZED: '1' })).not.toThrow()
    expect(() => loadConfig({ DATA_DIR: dir })).not.toThrow()
  })
})
