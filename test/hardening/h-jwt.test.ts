import { createHmac } from 'node:crypto'
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey } from 'jose'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MODELS, startProxyFixture, type ProxyFixture } from '../support/proxy-fixture.ts'
import { bearer } from '../support/build-test-app.ts'
import { SESSION_COOKIE } from '../../src/http/session-cookie.ts'
import { b64url, jwtPayload, startCapture } from './hardening-support.ts'

/**
 * Catalogue group H (docs/security.md): dashboard JWTs, #56–#58, #61, #62. Forged tokens start from a real
 * session's payload, so each one differs from a valid token only in what it tests. #59 is shown by
 * src/config/load-config.test.ts and test/api/route-policy.test.ts; a future `iat` (#58) and sessions after a
 * password change, disable or delete (#60) are issue 15's defects 12 and 6.
 */

const hmac = (secret: string | Buffer, input: string) =>
  createHmac('sha256', secret).update(input).digest('base64url')

/** A compact JWT with exactly the given header and payload, HMAC-signed with `secret` (or unsigned). */
function forge(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret?: string | Buffer,
): string {
  const input = `${b64url(header)}.${b64url(payload)}`
  return `${input}.${secret === undefined ? '' : hmac(secret, input)}`
}

describe('H. dashboard JWTs', () => {
  let f: ProxyFixture
  let payload: Record<string, unknown>
  let secret: string

  beforeAll(async () => {
    f = await startProxyFixture('sqlite')
    payload = jwtPayload(f.adminJwt)
    secret = f.t.secrets.jwt
  })
  afterAll(async () => f?.close())

  const status = async (jwt: string, url = '/admin/users') =>
    (await f.t.inject({ method: 'GET', url, headers: bearer(jwt) })).statusCode

  it('control: the real payload re-signed with the real secret is accepted', async () => {
    expect(await status(forge({ alg: 'HS256', typ: 'JWT' }, payload, secret))).toBe(200)
  })

  it('#56 alg none in any case, a stripped or empty signature and an empty secret are refused', async () => {
    const forged = [
      forge({ alg: 'none', typ: 'JWT' }, payload),
      forge({ alg: 'None', typ: 'JWT' }, payload),
      forge({ alg: 'NONE', typ: 'JWT' }, payload),
      forge({ alg: 'nOnE' }, payload),
      forge({ typ: 'JWT' }, payload),
      // The real token without its signature, with a bad one, and as two parts.
      f.adminJwt.split('.').slice(0, 2).join('.') + '.',
      f.adminJwt.split('.').slice(0, 2).join('.'),
      f.adminJwt.slice(0, -4) + (f.adminJwt.endsWith('AAAA') ? 'BBBB' : 'AAAA'),
      forge({ alg: 'HS256', typ: 'JWT' }, payload, ''),
      forge({ alg: 'hs256', typ: 'JWT' }, payload, secret),
      forge({ alg: 'HS256', typ: 'JWT', crit: ['b64'], b64: false }, payload, secret),
      `${f.adminJwt}.extra`,
    ]
    for (const jwt of forged) expect(await status(jwt), jwt.slice(0, 60)).toBe(401)
  })

  it('#57 RS/ES tokens, an HMAC keyed with a public key, and kid/jku/x5u/jwk headers never choose the key', async () => {
    const capture = await startCapture()
    try {
      const rsa = await generateKeyPair('RS256', { extractable: true })
      const ec = await generateKeyPair('ES256', { extractable: true })
      const pem = await exportSPKI(rsa.publicKey)
      const jwk = await exportJWK(rsa.publicKey)
      const sign = (alg: string, key: CryptoKey, extra: Record<string, unknown> = {}) =>
        new SignJWT(payload).setProtectedHeader({ alg, ...extra }).sign(key)
      const forged = [
        await sign('RS256', rsa.privateKey),
        await sign('ES256', ec.privateKey),
        await sign('RS256', rsa.privateKey, { jwk }),
        await sign('RS256', rsa.privateKey, { jku: `${capture.url}/jwks.json`, kid: 'k1' }),
        await sign('RS256', rsa.privateKey, { x5u: `${capture.url}/cert.pem` }),
        // HS/RS confusion: the public key's text used as the HMAC secret.
        forge({ alg: 'HS256', typ: 'JWT' }, payload, pem),
        forge({ alg: 'HS256', kid: '../../../../dev/null' }, payload, ''),
        forge(
          { alg: 'HS256', jku: `${capture.url}/jwks.json`, kid: 'k1' },
          payload,
          'attacker-secret-attacker-secret-0000',
        ),
        forge({ alg: 'HS384', typ: 'JWT' }, payload, secret),
        forge({ alg: 'HS512', typ: 'JWT' }, payload, secret),
      ]
      for (const jwt of forged) expect(await status(jwt), jwt.slice(0, 60)).toBe(401)
      expect(capture.connections).toBe(0)
    } finally {
      await capture.close()
    }
  })

  it('#58 a missing, string or expired exp, a future nbf and a lifetime over JWT_EXPIRE_HOURS are refused; 60 s of clock skew is allowed', async () => {
    const now = Math.floor(Date.now() / 1000)
    const { exp: _exp, ...noExp } = payload
    const signed = (p: Record<string, unknown>) => forge({ alg: 'HS256', typ: 'JWT' }, p, secret)
    for (const p of [
      noExp,
      { ...payload, exp: String(now + 3600) },
      { ...payload, exp: null },
      { ...payload, iat: now - 7200, exp: now - 120 },
      { ...payload, nbf: now + 600 },
      { ...payload, exp: Date.UTC(2100, 0, 1) / 1000 },
      { ...payload, iat: now, exp: now + 25 * 3600 },
      { ...payload, iat: 'yesterday' },
      { ...payload, sub: '' },
      { ...payload, sub: 42 },
    ])
      expect(await status(signed(p)), JSON.stringify(p).slice(0, 80)).toBe(401)
    // Within the documented skew: just expired on this host's clock still passes.
    expect(await status(signed({ ...payload, iat: now - 3600, exp: now - 30 }))).toBe(200)
  })

  it('#61 a session token carries identity only: no password, key, fallback key, role or email', async () => {
    await f.t.createUser('mail@example.org', 'a-password-canary-0001', 'admin')
    const jwts = [f.adminJwt, f.userJwt, await f.t.login('mail@example.org', 'a-password-canary-0001')]
    const fb = await f.t.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: '_admin_fallback', password: f.t.secrets.fallbackKey },
    })
    expect(fb.statusCode).toBe(200)
    jwts.push(fb.json<{ access_token: string }>().access_token)
    for (const jwt of jwts) {
      const header = JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >
      expect(header).toEqual({ alg: 'HS256', typ: 'JWT' })
      const p = jwtPayload(jwt)
      const text = JSON.stringify(p)
      for (const secretText of [
        'admin-password',
        'user-password',
        'a-password-canary-0001',
        f.key,
        f.t.secrets.fallbackKey,
        f.t.secrets.adminKey,
        f.t.secrets.jwt,
        'sk-',
        'AIza',
      ])
        expect(text).not.toContain(secretText)
      expect(p).not.toHaveProperty('role')
      expect(p).not.toHaveProperty('password')
      expect(p).not.toHaveProperty('email')
      expect(p.exp).toBeTypeOf('number')
      expect(p.iat).toBeTypeOf('number')
    }
  })

  it('#62 an API key is not a session, a session is not an API key, and a token for another audience is refused', async () => {
    // An sk- key where a session is expected (header and cookie).
    expect(await status(f.key, '/auth/me')).toBe(401)
    expect(
      (
        await f.t.inject({
          method: 'GET',
          url: '/auth/me',
          headers: { cookie: `${SESSION_COOKIE}=${f.key}` },
        })
      ).statusCode,
    ).toBe(401)
    const viaCookie = await f.t.inject({
      method: 'GET',
      url: '/auth/me',
      headers: { cookie: `${SESSION_COOKIE}=${f.userJwt}` },
    })
    expect(viaCookie.statusCode).toBe(200)
    // A session where an API key is expected, in every carrier.
    const body = JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: 'x' }] })
    for (const headers of [
      { authorization: `Bearer ${f.userJwt}` },
      { 'x-api-key': f.userJwt },
      { 'x-goog-api-key': f.userJwt },
      { cookie: `${SESSION_COOKIE}=${f.userJwt}` },
    ]) {
      const res = await request(`${f.gateway}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      })
      await res.body.dump()
      expect(res.statusCode, Object.keys(headers)[0]).toBe(401)
    }
    // Right secret, wrong audience or issuer.
    for (const p of [
      { ...payload, aud: 'api' },
      { ...payload, aud: ['api', 'dashboard-x'] },
      { ...payload, iss: 'someone-else' },
    ])
      expect(await status(forge({ alg: 'HS256', typ: 'JWT' }, p, secret))).toBe(401)
  })
})
