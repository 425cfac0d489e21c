/**
 * ldaps:// and StartTLS against a real OpenLDAP with a throw-away CA. The certificate is only trusted through
 * `caFile`: without it every attempt must fail before the password leaves the process.
 */
import { execFile } from 'node:child_process'
import { writeFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOpenLdap, type OpenLdapServer } from '../../../test/support/openldap-server.ts'
import { skipWithoutSlapd } from '../../../test/support/skip-without-slapd.ts'
import { authenticateLdap } from './authenticate-ldap.ts'
import type { LdapSettings } from './ldap-settings.ts'

const execFileAsync = promisify(execFile)

const skip = skipWithoutSlapd('the LDAP TLS tests')

describe.skipIf(skip)('authenticateLdap over TLS against a real OpenLDAP', () => {
  let server: OpenLdapServer
  let scratch: string
  let wrongCa: string

  beforeAll(async () => {
    const started = await startOpenLdap({ tls: true })
    if (!started) throw new Error('slapd disappeared between the install check and startup')
    server = started
    scratch = await mkdtemp(join(tmpdir(), 'any-gateway-ldap-tls-'))
    // A well-formed CA that did not sign the server certificate: Node's own bundle's first entry would do,
    // but a self-made one keeps the test offline and deterministic.
    wrongCa = join(scratch, 'wrong-ca.pem')
    await execFileAsync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=Wrong CA',
      '-keyout',
      join(scratch, 'wrong-ca.key'),
      '-out',
      wrongCa,
    ])
  })

  afterAll(async () => {
    await server?.stop()
    if (scratch) await rm(scratch, { recursive: true, force: true })
  })

  const ldaps = (caFile?: string): LdapSettings => ({
    url: server.ldapsUrl ?? '',
    timeoutMs: 3000,
    startTls: false,
    userDnTemplate: `uid={username},${server.peopleDn}`,
    ...(caFile ? { caFile } : {}),
  })
  const startTls = (caFile?: string): LdapSettings => ({
    url: server.url,
    timeoutMs: 3000,
    startTls: true,
    baseDn: server.baseDn,
    bindDn: server.bindDn,
    bindPassword: server.bindPassword,
    userFilter: '(|(uid={username})(userPrincipalName={username}))',
    ...(caFile ? { caFile } : {}),
  })

  async function bindsDuring(fn: () => Promise<unknown>): Promise<number> {
    const before = await server.bindCount()
    await fn()
    return (await server.bindCount()) - before
  }

  it('ldaps:// with the right CA logs in', async () => {
    expect(await authenticateLdap(ldaps(server.caFile), 'alice', 'alicepw')).toMatchObject({
      ok: true,
      username: 'alice',
    })
  })

  it('StartTLS with the right CA logs in through search-then-bind', async () => {
    expect(await authenticateLdap(startTls(server.caFile), 'alice@example.org', 'alicepw')).toMatchObject({
      ok: true,
      username: 'alice',
    })
  })

  it('StartTLS still distinguishes a wrong password', async () => {
    expect(await authenticateLdap(startTls(server.caFile), 'alice', 'wrong')).toEqual({
      ok: false,
      reason: 'invalid_credentials',
    })
  })

  it.each([
    ['no CA configured (self-signed chain)', undefined],
    ['a CA that did not sign the certificate', 'wrong'],
  ])('ldaps:// with %s: unavailable and zero binds', async (_label, ca) => {
    let result: unknown
    const binds = await bindsDuring(async () => {
      result = await authenticateLdap(ldaps(ca === 'wrong' ? wrongCa : ca), 'alice', 'alicepw')
    })
    expect(result).toEqual({ ok: false, reason: 'unavailable' })
    expect(binds).toBe(0)
  })

  it.each([
    ['no CA configured (self-signed chain)', undefined],
    ['a CA that did not sign the certificate', 'wrong'],
  ])('StartTLS with %s: unavailable, zero binds, no plaintext fallback', async (_label, ca) => {
    let result: unknown
    const failures: { stage: string; code: unknown }[] = []
    const binds = await bindsDuring(async () => {
      result = await authenticateLdap(startTls(ca === 'wrong' ? wrongCa : ca), 'alice', 'alicepw', {
        onFailure: (stage, error) => failures.push({ stage, code: (error as { code?: unknown }).code }),
      })
    })
    expect(result).toEqual({ ok: false, reason: 'unavailable' })
    expect(binds).toBe(0)
    // It failed at the certificate check, not somewhere else.
    expect(failures).toEqual([{ stage: 'starttls', code: expect.stringMatching(/CERT|SIGNATURE|ISSUER/) }])
  })

  it('a host name the certificate does not cover is refused', async () => {
    // The certificate names 127.0.0.1 and localhost. The IPv4-mapped IPv6 form reaches the same listener
    // under a name the certificate does not carry.
    const url = (server.ldapsUrl ?? '').replace('127.0.0.1', '[::ffff:127.0.0.1]')
    const errors: unknown[] = []
    const result = await authenticateLdap({ ...ldaps(server.caFile), url }, 'alice', 'alicepw', {
      onFailure: (_stage, error) => errors.push(error),
    })
    expect(result).toEqual({ ok: false, reason: 'unavailable' })
    expect(errors).toEqual([expect.objectContaining({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' })])
  })

  it('a CA file that is not PEM is refused without a bind', async () => {
    const junk = join(scratch, 'junk.pem')
    await writeFile(junk, 'not a certificate')
    let result: unknown
    const binds = await bindsDuring(async () => {
      result = await authenticateLdap(ldaps(junk), 'alice', 'alicepw')
    })
    expect(result).toEqual({ ok: false, reason: 'unavailable' })
    expect(binds).toBe(0)
  })
})
