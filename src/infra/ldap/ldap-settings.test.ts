import { describe, expect, it } from 'vitest'
import { buildAdBindName } from './build-ad-bind-name.ts'
import { resolveLdapMode, type LdapSettings } from './ldap-settings.ts'
import { isAcceptableLdapPassword, normalizeLdapUsername } from './validate-ldap-credentials.ts'

const base: LdapSettings = { url: 'ldap://ldap.example.org', timeoutMs: 5000, startTls: false }

describe('resolveLdapMode', () => {
  it('prefers search-then-bind, then the DN template, then the AD domain', () => {
    const all: LdapSettings = {
      ...base,
      baseDn: 'dc=example,dc=org',
      domain: 'EXAMPLE',
      userDnTemplate: 'uid={username},ou=people,dc=example,dc=org',
      bindDn: 'uid=svc,dc=example,dc=org',
      bindPassword: 'svcpw',
      userFilter: '(uid={username})',
    }
    expect(resolveLdapMode(all)).toMatchObject({ ok: true, mode: { kind: 'search' } })
    expect(resolveLdapMode({ ...all, userFilter: undefined })).toMatchObject({
      ok: true,
      mode: { kind: 'dn-template' },
    })
    expect(resolveLdapMode({ ...all, userFilter: undefined, userDnTemplate: undefined })).toEqual({
      ok: true,
      mode: { kind: 'ad', domain: 'EXAMPLE' },
    })
  })

  it.each<[string, Partial<LdapSettings>]>([
    ['no mode at all', {}],
    ['a non-LDAP url', { url: 'http://ldap.example.org', domain: 'EXAMPLE' }],
    ['an unparseable url', { url: 'not a url', domain: 'EXAMPLE' }],
    ['a zero timeout (ldapts would wait forever)', { timeoutMs: 0, domain: 'EXAMPLE' }],
    [
      'a service account with an empty password',
      { bindDn: 'cn=svc', bindPassword: '', userFilter: '(uid={username})', baseDn: 'dc=x' },
    ],
    [
      'a service account with a blank password',
      { bindDn: 'cn=svc', bindPassword: '  ', userFilter: '(uid={username})', baseDn: 'dc=x' },
    ],
    ['search without a base DN', { bindDn: 'cn=svc', bindPassword: 'pw', userFilter: '(uid={username})' }],
    [
      'a filter without the placeholder',
      { bindDn: 'cn=svc', bindPassword: 'pw', userFilter: '(uid=alice)', baseDn: 'dc=x' },
    ],
    ['a DN template without the placeholder', { userDnTemplate: 'uid=alice,dc=x' }],
    ['a domain with a backslash', { domain: 'EXAMPLE\\X' }],
  ])('refuses %s', (_label, overrides) => {
    expect(resolveLdapMode({ ...base, ...overrides }).ok).toBe(false)
  })
})

describe('buildAdBindName', () => {
  it('builds the down-level logon name DOMAIN\\user', () => {
    expect(buildAdBindName('EXAMPLE', 'alice')).toBe('EXAMPLE\\alice')
    expect(buildAdBindName('EXAMPLE', 'john.doe')).toBe('EXAMPLE\\john.doe')
  })

  it.each([
    'OTHER\\bob',
    'bob@other.forest',
    'a*',
    'a,b',
    'a=b',
    'a"b',
    'a/b',
    'a[b]',
    'a:b',
    'a;b',
    'a|b',
    'a+b',
    'a?b',
    'a<b>',
  ])('refuses %j, which cannot be a sAMAccountName', (name) => {
    expect(buildAdBindName('EXAMPLE', name)).toBeNull()
  })
})

describe('credential checks', () => {
  it.each(['', ' ', '\t\n ', '\u00a0', '\0', '\0secret', 'secret\0', 'x'.repeat(1025)])(
    'refuses the password %j',
    (password) => {
      expect(isAcceptableLdapPassword(password)).toBe(false)
    },
  )

  it('refuses non-string passwords that slip through untyped JSON', () => {
    expect(isAcceptableLdapPassword(null)).toBe(false)
    expect(isAcceptableLdapPassword(undefined)).toBe(false)
    expect(isAcceptableLdapPassword(123)).toBe(false)
  })

  it('accepts real passwords, including ones with inner and outer spaces', () => {
    expect(isAcceptableLdapPassword('alicepw')).toBe(true)
    expect(isAcceptableLdapPassword(' correct horse ')).toBe(true)
  })

  it.each(['', '   ', 'a'.repeat(257), 'al\0ice', 'al\nice', 'al\tice', 'al\u007fice', 'al\u0085ice'])(
    'refuses the username %j',
    (name) => {
      expect(normalizeLdapUsername(name)).toBeNull()
    },
  )

  it('trims usernames and accepts up to 256 characters', () => {
    expect(normalizeLdapUsername('  alice ')).toBe('alice')
    expect(normalizeLdapUsername('a'.repeat(256))).toBe('a'.repeat(256))
    expect(normalizeLdapUsername('Doe, John')).toBe('Doe, John')
  })
})
