/**
 * authenticateLdap against a real OpenLDAP (test/support/openldap-server.ts).
 * The server counts binds itself (cn=Monitor) and accepts unauthenticated binds (DN + empty password) as
 * anonymous successes, so "zero binds recorded" is the proof that an empty password never got through.
 */
import { Client } from 'ldapts'
import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOpenLdap, type OpenLdapServer } from '../../../test/support/openldap-server.ts'
import { skipWithoutSlapd } from '../../../test/support/skip-without-slapd.ts'
import { authenticateLdap } from './authenticate-ldap.ts'
import type { LdapSettings } from './ldap-settings.ts'

const skip = skipWithoutSlapd('the real-OpenLDAP tests')

const UPN_FILTER = '(|(uid={username})(userPrincipalName={username}))'

describe.skipIf(skip)('authenticateLdap against a real OpenLDAP', () => {
  let server: OpenLdapServer
  // A host the directory refers to: it must never see a connection, let alone credentials.
  let referralTarget: Server
  let referralConnections = 0
  const referralSockets = new Set<Socket>()

  beforeAll(async () => {
    referralTarget = createServer((socket) => {
      referralConnections++
      referralSockets.add(socket)
      socket.on('close', () => referralSockets.delete(socket))
    })
    await new Promise<void>((resolve) => referralTarget.listen(0, '127.0.0.1', resolve))
    const address = referralTarget.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const started = await startOpenLdap({
      referralUrl: `ldap://127.0.0.1:${port}/ou=people,dc=evil,dc=example`,
    })
    if (!started) throw new Error('slapd disappeared between the install check and startup')
    server = started
  })

  afterAll(async () => {
    await server?.stop()
    for (const s of referralSockets) s.destroy()
    await new Promise<void>((resolve) => (referralTarget ? referralTarget.close(() => resolve()) : resolve()))
  })

  const base = (): LdapSettings => ({ url: server.url, timeoutMs: 3000, startTls: false })
  const uidTemplate = (): LdapSettings => ({ ...base(), userDnTemplate: `uid={username},${server.peopleDn}` })
  const cnTemplate = (): LdapSettings => ({ ...base(), userDnTemplate: `cn={username},${server.peopleDn}` })
  const search = (userFilter = UPN_FILTER): LdapSettings => ({
    ...base(),
    baseDn: server.baseDn,
    bindDn: server.bindDn,
    bindPassword: server.bindPassword,
    userFilter,
  })

  /** Runs fn and returns how many binds the server received meanwhile. */
  async function bindsDuring(fn: () => Promise<unknown>): Promise<number> {
    const before = await server.bindCount()
    await fn()
    return (await server.bindCount()) - before
  }

  describe('the harness itself', () => {
    it('is permissive: a DN with an empty password binds (anonymously) and is counted', async () => {
      const client = new Client({ url: server.url, timeout: 3000, connectTimeout: 3000 })
      try {
        const binds = await bindsDuring(() => client.bind(server.users.alice.dn, ''))
        expect(binds).toBe(1)
      } finally {
        await client.unbind()
      }
    })
  })

  describe('successful logins', () => {
    const alice = { username: 'alice', displayName: 'Alice Admin', email: 'alice@example.org' }
    const johnDoe = { displayName: 'Doe, John', email: 'john.doe@example.org' }
    it.each([
      {
        name: 'DN template: alice logs in as alice, with her profile',
        settings: uidTemplate,
        login: 'alice',
        user: 'alice' as const,
        profile: alice,
      },
      {
        name: 'search-then-bind: alice@example.org logs in as the canonical uid alice',
        settings: () => search(),
        login: 'alice@example.org',
        user: 'alice' as const,
        profile: alice,
      },
      {
        name: 'a CN with a comma ("Doe, John") logs in through the DN template',
        settings: cnTemplate,
        login: 'Doe, John',
        user: 'johnDoe' as const,
        profile: { username: 'Doe, John', ...johnDoe },
      },
      {
        name: 'a CN with a comma logs in through search-then-bind (the DN from the search is used as is)',
        settings: () => search(),
        login: 'jdoe@example.org',
        user: 'johnDoe' as const,
        profile: { username: 'jdoe', ...johnDoe },
      },
    ])('$name', async ({ settings, login, user, profile }) => {
      const result = await authenticateLdap(settings(), login, server.users[user].password)
      expect(result).toEqual({ ok: true, ...profile })
    })

    it('search-then-bind: the plain uid works too and maps to the same account', async () => {
      const result = await authenticateLdap(search(), 'alice', server.users.alice.password)
      expect(result).toMatchObject({ ok: true, username: 'alice' })
    })

    it('surrounding spaces in the username are trimmed', async () => {
      const result = await authenticateLdap(uidTemplate(), '  bob ', server.users.bob.password)
      expect(result).toMatchObject({ ok: true, username: 'bob' })
    })

    it('parallel attempts do not interfere', async () => {
      const attempts = Array.from({ length: 12 }, (_, i) => {
        const right = i % 2 === 0
        return authenticateLdap(
          search(),
          i % 3 === 0 ? 'bob' : 'alice',
          right ? (i % 3 === 0 ? 'bobpw' : 'alicepw') : 'nope',
        )
      })
      const results = await Promise.all(attempts)
      results.forEach((result, i) => {
        if (i % 2 === 0) expect(result).toMatchObject({ ok: true, username: i % 3 === 0 ? 'bob' : 'alice' })
        else expect(result).toEqual({ ok: false, reason: 'invalid_credentials' })
      })
    })
  })

  describe('failed logins', () => {
    it.each(['uid template', 'search'])('a wrong password is invalid_credentials (%s)', async (mode) => {
      const settings = mode === 'search' ? search() : uidTemplate()
      expect(await authenticateLdap(settings, 'alice', 'not-alicepw')).toEqual({
        ok: false,
        reason: 'invalid_credentials',
      })
    })

    it("another user's password is invalid_credentials", async () => {
      expect(await authenticateLdap(search(), 'alice', server.users.bob.password)).toEqual({
        ok: false,
        reason: 'invalid_credentials',
      })
    })

    it('an unknown user is not_found with search-then-bind and invalid_credentials with a DN template', async () => {
      expect(await authenticateLdap(search(), 'nobody', 'whatever')).toEqual({
        ok: false,
        reason: 'not_found',
      })
      expect(await authenticateLdap(uidTemplate(), 'nobody', 'whatever')).toEqual({
        ok: false,
        reason: 'invalid_credentials',
      })
    })

    it('a username matching two entries is refused even with a right password', async () => {
      const byMail = search('(mail={username})')
      expect(await authenticateLdap(byMail, 'shared@example.org', server.users.carol.password)).toEqual({
        ok: false,
        reason: 'not_found',
      })
      // The same filter works for a unique address, so the refusal above is about ambiguity.
      expect(await authenticateLdap(byMail, 'bob@example.org', server.users.bob.password)).toMatchObject({
        ok: true,
        username: 'bob',
      })
    })

    it('a wrong service-account password is unavailable, never invalid_credentials', async () => {
      const settings = { ...search(), bindPassword: 'not-the-service-password' }
      expect(await authenticateLdap(settings, 'alice', server.users.alice.password)).toEqual({
        ok: false,
        reason: 'unavailable',
      })
    })
  })

  describe('empty passwords never reach the directory', () => {
    const passwords: [string, string][] = [
      ['empty', ''],
      ['whitespace', '   '],
      ['tabs and newlines', '\t\r\n'],
      ['NUL-prefixed', '\0alicepw'],
    ]
    it.each(passwords)(
      '%s password: invalid_input and zero binds recorded by slapd',
      async (_label, password) => {
        for (const settings of [uidTemplate(), search(), cnTemplate()]) {
          let result: unknown
          const binds = await bindsDuring(async () => {
            result = await authenticateLdap(settings, 'alice', password)
          })
          expect(result).toEqual({ ok: false, reason: 'invalid_input' })
          expect(binds).toBe(0)
        }
      },
    )
  })

  describe('injection through the username', () => {
    const hostile = [
      '*',
      '*)(uid=*',
      'a*',
      'al*',
      '*)(|(uid=*',
      'admin)(|(uid=*',
      '\\',
      '*)',
      'admin,ou=admins',
      'admin,ou=x',
    ]
    const passwords = ['alicepw', 'bobpw', 'hiddenadminpw', 'johnpw']

    it.each(hostile)('%j never logs anyone in, in any mode', async (name) => {
      for (const settings of [uidTemplate(), cnTemplate(), search(), search('(uid={username})')]) {
        for (const password of passwords) {
          const result = await authenticateLdap(settings, name, password)
          expect(result.ok).toBe(false)
        }
      }
    })

    it('DN injection: admin,ou=admins does not reach uid=admin,ou=admins (which exists and would accept the password)', async () => {
      // Control: the unescaped DN is a real entry with that password.
      const client = new Client({ url: server.url, timeout: 3000, connectTimeout: 3000 })
      try {
        await client.bind(`uid=admin,ou=admins,${server.peopleDn}`, server.users.hiddenAdmin.password)
      } finally {
        await client.unbind()
      }
      const result = await authenticateLdap(
        uidTemplate(),
        'admin,ou=admins',
        server.users.hiddenAdmin.password,
      )
      expect(result).toEqual({ ok: false, reason: 'invalid_credentials' })
    })

    it('filter injection: al* does not match alice (the unescaped filter would match exactly her)', async () => {
      // Control: the unescaped filter finds exactly one entry, so without escaping alice's password would work.
      const client = new Client({ url: server.url, timeout: 3000, connectTimeout: 3000 })
      try {
        await client.bind(server.bindDn, server.bindPassword)
        const { searchEntries } = await client.search(server.baseDn, {
          filter: '(uid=al*)',
          attributes: ['uid'],
        })
        expect(searchEntries.map((e) => e.dn)).toEqual([server.users.alice.dn])
      } finally {
        await client.unbind()
      }
      const result = await authenticateLdap(search('(uid={username})'), 'al*', server.users.alice.password)
      expect(result).toEqual({ ok: false, reason: 'not_found' })
    })
  })

  describe('referrals', () => {
    it('a search that meets a referral does not chase it: no connection to the referred host', async () => {
      const before = referralConnections
      // Every subtree search under ou=people meets the referral entry ou=elsewhere.
      expect(await authenticateLdap(search(), 'nobody', 'whatever')).toEqual({
        ok: false,
        reason: 'not_found',
      })
      expect(await authenticateLdap(search(), 'alice', server.users.alice.password)).toMatchObject({
        ok: true,
        username: 'alice',
      })
      await new Promise((r) => setTimeout(r, 50))
      expect(referralConnections).toBe(before)
    })
  })

  describe('TLS required but not offered', () => {
    it('StartTLS against a server without TLS: unavailable and no bind (no plaintext fallback)', async () => {
      let result: unknown
      const binds = await bindsDuring(async () => {
        result = await authenticateLdap({ ...search(), startTls: true }, 'alice', server.users.alice.password)
      })
      expect(result).toEqual({ ok: false, reason: 'unavailable' })
      expect(binds).toBe(0)
    })
  })
})
