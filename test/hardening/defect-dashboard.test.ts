import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveWeb } from '../../src/http/serve-web.ts'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'

/**
 * Issue 15 defect 11: the dashboard's page and assets carry CSP, framing, nosniff and referrer headers, and its
 * session is an HttpOnly SameSite=Strict cookie guarded against cross-site requests, while bearer tokens keep
 * working for API clients. (The browser side, with the real build in Chromium, is test/e2e/dashboard.test.ts.)
 */

const DASHBOARD = { 'x-requested-with': 'any-gateway' }

describe('dashboard headers (issue 15 defect 11)', () => {
  let app: FastifyInstance
  let dir: string

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gw-web-'))
    mkdirSync(path.join(dir, 'assets'))
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>')
    writeFileSync(path.join(dir, 'assets', 'index-abc.js'), 'console.log(1)')
    app = Fastify()
    expect(await serveWeb(app, dir)).toBe(true)
    await app.ready()
  })
  afterAll(async () => {
    await app?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('issue 15 defect 11: / and the assets send CSP with frame-ancestors, X-Frame-Options, nosniff and Referrer-Policy', async () => {
    for (const url of ['/', '/assets/index-abc.js']) {
      const res = await app.inject({ method: 'GET', url })
      expect(res.statusCode, url).toBe(200)
      const csp = String(res.headers['content-security-policy'])
      expect(csp, url).toContain("default-src 'self'")
      expect(csp, url).toContain("script-src 'self'")
      expect(csp, url).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/)
      expect(csp, url).toContain("style-src-elem 'self'")
      expect(csp, url).toContain("frame-ancestors 'none'")
      expect(csp, url).toContain("object-src 'none'")
      expect(res.headers['x-frame-options'], url).toBe('DENY')
      expect(res.headers['x-content-type-options'], url).toBe('nosniff')
      expect(res.headers['referrer-policy'], url).toBe('no-referrer')
    }
  })
})

describe('dashboard session cookie (issue 15 defect 11)', () => {
  let t: TestApp
  let proxied: TestApp

  beforeAll(async () => {
    t = await buildTestApp('sqlite')
    await t.createUser('carla', 'carla-password-1')
    proxied = await buildTestApp('sqlite', { env: { TRUSTED_PROXIES: '127.0.0.1' } })
    await proxied.createUser('carla', 'carla-password-1')
  })
  afterAll(async () => {
    await t?.close()
    await proxied?.close()
  })

  const dashboardLogin = (app: TestApp, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { ...DASHBOARD, ...headers },
      payload: { username: 'carla', password: 'carla-password-1' },
    })

  function sessionCookie(setCookie: string | string[] | undefined): string {
    const line = [setCookie ?? []].flat().find((c) => c.startsWith('ag_session='))
    if (!line) throw new Error(`no session cookie in ${JSON.stringify(setCookie)}`)
    return line
  }

  it('issue 15 defect 11: the dashboard login sets an HttpOnly SameSite=Strict cookie and returns no token to script', async () => {
    const res = await dashboardLogin(t)
    expect(res.statusCode).toBe(200)
    const cookie = sessionCookie(res.headers['set-cookie'])
    expect(cookie).toMatch(/; HttpOnly/)
    expect(cookie).toMatch(/; SameSite=Strict/)
    expect(cookie).toMatch(/; Path=\//)
    expect(cookie).not.toMatch(/; Secure/) // plain http here
    const body = res.json() as Record<string, unknown>
    expect(body).toMatchObject({ username: 'carla', role: 'user' })
    expect(body.access_token).toBeUndefined()
    expect(res.body).not.toContain(cookie.split(';')[0].slice('ag_session='.length))
    expect(res.headers['cache-control']).toBe('no-store')

    const session = cookie.split(';')[0]
    const me = await t.inject({ method: 'GET', url: '/auth/me', headers: { cookie: session } })
    expect(me.statusCode).toBe(200)
    expect(me.json()).toMatchObject({ username: 'carla' })
  })

  it('issue 15 defect 11: the cookie is Secure when the request came over https through a trusted proxy', async () => {
    const res = await dashboardLogin(proxied, { 'x-forwarded-proto': 'https' })
    expect(res.statusCode).toBe(200)
    expect(sessionCookie(res.headers['set-cookie'])).toMatch(/; Secure/)
  })

  it('issue 15 defect 11: a state-changing request on the cookie alone must come from the dashboard itself', async () => {
    const session = sessionCookie((await dashboardLogin(t)).headers['set-cookie']).split(';')[0]
    const create = (headers: Record<string, string>) =>
      t.inject({
        method: 'POST',
        url: '/user/tokens',
        headers: { cookie: session, ...headers },
        payload: { name: 'from-cookie' },
      })
    // A form or fetch from another site carries the cookie but not the dashboard header.
    expect((await create({})).statusCode).toBe(403)
    expect((await create({ 'sec-fetch-site': 'cross-site', ...DASHBOARD })).statusCode).toBe(403)
    expect((await create({ 'sec-fetch-site': 'same-site', ...DASHBOARD })).statusCode).toBe(403)
    expect((await create({ 'sec-fetch-site': 'same-origin', ...DASHBOARD })).statusCode).toBe(201)
    expect((await create(DASHBOARD)).statusCode).toBe(201)
    // Reading needs no header.
    expect(
      (await t.inject({ method: 'GET', url: '/user/tokens', headers: { cookie: session } })).statusCode,
    ).toBe(200)
  })

  it('issue 15 defect 11: API clients keep using Authorization: Bearer, with no cookie and no header', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'carla', password: 'carla-password-1' },
    })
    expect(res.statusCode).toBe(200)
    expect(res.headers['set-cookie']).toBeUndefined()
    const jwt = (res.json() as { access_token: string }).access_token
    const created = await t.inject({
      method: 'POST',
      url: '/user/tokens',
      headers: bearer(jwt),
      payload: { name: 'from-bearer' },
    })
    expect(created.statusCode).toBe(201)
  })

  it('issue 15 defect 11: logout clears the cookie', async () => {
    const res = await t.inject({ method: 'POST', url: '/auth/logout', headers: DASHBOARD })
    expect(res.statusCode).toBe(204)
    const cookie = sessionCookie(res.headers['set-cookie'])
    expect(cookie).toMatch(/^ag_session=;/)
    expect(cookie).toMatch(/; Max-Age=0/)
    expect(cookie).toMatch(/; HttpOnly/)
  })
})
