import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from '../../fake-upstream/start-fake-upstream.ts'
import { launchBrowser, openPage, type Watched } from './browser.ts'
import { ensureWebBuild, startGateway, type RunningGateway } from './gateway.ts'

const HEADERS = { 'x-requested-with': 'any-gateway', 'content-type': 'application/json' }

export interface ApiSession {
  cookie: string
  call: <T = unknown>(method: string, url: string, body?: unknown) => Promise<T>
}

/** A dashboard session over plain HTTP (the cookie the login sets), for seeding data without clicking. */
export async function apiLogin(baseUrl: string, username: string, password: string): Promise<ApiSession> {
  const res = await fetch(`${baseUrl}/auth/login`, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({ username, password }),
  })
  if (!res.ok) throw new Error(`login ${username}: HTTP ${res.status} ${await res.text()}`)
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const call = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${baseUrl}${url}`, {
      method,
      headers: body === undefined ? { 'x-requested-with': 'any-gateway', cookie } : { ...HEADERS, cookie },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await r.text()
    if (!r.ok) throw new Error(`${method} ${url}: HTTP ${r.status} ${text}`)
    return (text ? JSON.parse(text) : undefined) as T
  }
  return { cookie, call }
}

export interface Seeded {
  user: { name: string; password: string }
  userKey: string
  chatModel: string
  embeddingModel: string
}

interface Listed<T> {
  data: T[]
}

/**
 * A gateway with a row in every table the dashboard shows: a channel (chat and embedding models) that the
 * everyone-group and a second group reach, a user with a key and requests in Logs (one of them refused), a
 * voucher, a rate-limit rule, and the audit entries all that left.
 */
export async function seedDashboard(gw: RunningGateway, upstreamUrl: string): Promise<Seeded> {
  const admin = await apiLogin(gw.url, gw.adminUsername, gw.adminPassword)
  const chatModel = 'gpt-4o-mini'
  const embeddingModel = 'text-embedding-3-small'
  const channel = await admin.call<{ id: string }>('POST', '/admin/channels', {
    name: 'fake-openai',
    provider: 'openai',
    base_url: `${upstreamUrl}/v1`,
    api_key: 'sk-fake-upstream-key',
    models: [chatModel, embeddingModel],
  })
  const team = await admin.call<{ id: string }>('POST', '/admin/groups', { name: 'team-a', priority: 1 })
  const groups = await admin.call<Listed<{ id: string; name: string }>>('GET', '/admin/groups')
  for (const g of [...groups.data.map((x) => x.id), team.id])
    await admin.call('POST', `/admin/groups/${g}/channels/${channel.id}`)
  const user = { name: 'alice', password: 'alice-pass-123' }
  await admin.call('POST', '/admin/users', { username: user.name, password: user.password, quota_usd: 30 })
  await admin.call('POST', '/admin/vouchers', { amount_usd: 5, count: 2 })
  await admin.call('POST', '/admin/rate-limits', {
    group_id: team.id,
    limit_type: 'request_limit',
    window_sec: 60,
    value: 100,
  })
  const adminKey = await admin.call<{ key: string; id: string }>('POST', '/user/tokens', {
    name: 'admin-key-for-the-nightly-batch-jobs',
    expires_at: '2030-01-01T00:00:00Z',
  })
  const frozen = await admin.call<{ id: string }>('POST', '/user/tokens', { name: 'frozen-key' })
  await admin.call('POST', `/user/tokens/${frozen.id}/freeze`)
  const alice = await apiLogin(gw.url, user.name, user.password)
  const created = await alice.call<{ key: string }>('POST', '/user/tokens', { name: 'alice-key' })
  for (const [key, model] of [
    [created.key, chatModel],
    [created.key, chatModel],
    [created.key, 'no-such-model'],
    [adminKey.key, chatModel],
  ]) {
    await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
    }).then((r) => r.arrayBuffer())
  }
  return { user, userKey: created.key, chatModel, embeddingModel }
}

/** A fresh browser context already signed in (the session cookie and the menu's role hint), at a size and language. */
export async function signedInPage(
  browser: Browser,
  gw: RunningGateway,
  who: { name: string; password: string },
  opts: { width?: number; height?: number; lang?: 'en' | 'zh' } = {},
): Promise<Watched> {
  const session = await apiLogin(gw.url, who.name, who.password)
  const me = await session.call<{ username: string; role: string }>('GET', '/auth/me')
  const w = await openPage(browser, { baseURL: gw.url, ...opts })
  const [name, value] = session.cookie.split('; ')[0].split('=')
  await w.context.addCookies([{ name, value, url: gw.url }])
  await w.context.addInitScript(
    (hint: string) => {
      if (!localStorage.getItem('auth-storage')) localStorage.setItem('auth-storage', hint)
    },
    JSON.stringify({ state: { username: me.username, role: me.role }, version: 1 }),
  )
  return w
}

export const ADMIN_PAGES = [
  '/home',
  '/guide',
  '/dashboard',
  '/apikeys',
  '/chat',
  '/logs',
  '/channels',
  '/groups',
  '/users',
  '/all-keys',
  '/prices',
  '/vouchers',
  '/rate-limits',
  '/audit',
  '/pricing',
]

export const USER_PAGES = ['/home', '/guide', '/dashboard', '/apikeys', '/chat', '/logs', '/pricing']

/** Open a page and wait until its requests are done and no loading spinner is left. */
export async function visit(page: Page, path: string): Promise<void> {
  await page.goto(path, { waitUntil: 'networkidle' })
  await page
    .waitForFunction(() => !document.querySelector('.page-loading, .arco-spin-loading'), undefined, {
      timeout: 10_000,
    })
    .catch(() => undefined)
  // Arco's entry animations (fade-in of tables, drawers) end within 300 ms.
  await page.waitForTimeout(350)
}

export interface SeededEnv {
  gw: RunningGateway
  browser: Browser
  seeded: Seeded
}

/**
 * Register the hooks of a suite that needs the built dashboard, the fake upstream, a gateway seeded with
 * `seedDashboard` and Chromium; the returned object is filled in before the first test.
 */
export function useSeededGateway(chromiumPath: string): SeededEnv {
  const env = {} as SeededEnv
  let fake: FakeUpstream | undefined
  beforeAll(async () => {
    ensureWebBuild()
    fake = await startFakeUpstream({ port: 0 })
    env.gw = await startGateway()
    env.seeded = await seedDashboard(env.gw, fake.url)
    env.browser = await launchBrowser(chromiumPath)
  }, 240_000)
  afterAll(async () => {
    await env.browser?.close().catch(() => undefined)
    await env.gw?.stop()
    await fake?.close()
  }, 60_000)
  return env
}
