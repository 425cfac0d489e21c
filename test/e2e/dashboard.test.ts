import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { startFakeUpstream } from '../fake-upstream/start-fake-upstream.ts'
import { ensureWebBuild, startGateway, type RunningGateway } from './support/gateway.ts'
import { enCommon } from '../../web/src/i18n/en-common.ts'
import { enUser } from '../../web/src/i18n/en-user.ts'
import { enAdmin } from '../../web/src/i18n/en-admin.ts'
import {
  choose,
  field,
  findChromium,
  launchBrowser,
  login,
  logout,
  openPage,
  shot,
  type Watched,
} from './support/browser.ts'

/**
 * The dashboard's acceptance lines (issue 6), driven in Debian's Chromium against a real gateway process and
 * the fake upstream. Screenshots land in test-output/screenshots/.
 */

const chromiumPath = findChromium()
const suite = chromiumPath ? describe : describe.skip

const ADMIN_PAGES = [
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
]
const USER = { name: 'alice', password: 'alice-pass-123' }
const MODEL = 'gpt-4o-mini'
// Any dictionary key (or anything shaped like one of its namespaces) showing on a page is an untranslated string.
const DICT_KEYS = Object.keys({ ...enCommon, ...enUser, ...enAdmin })
const PREFIXES = [...new Set(DICT_KEYS.map((k) => k.split('.')[0]))].join('|')
const KEY_PATTERN = new RegExp(`\\b(${PREFIXES})\\.[a-z][A-Za-z_]*(\\.[A-Za-z_]+)*\\b`)
const untranslated = (text: string) => [
  ...DICT_KEYS.filter((k) => text.includes(k)),
  ...(KEY_PATTERN.exec(text) ?? []).slice(0, 1),
]

async function modalButton(page: Page, name: string | RegExp) {
  return page.locator('.arco-modal-wrapper:visible .arco-modal-footer').last().getByRole('button', { name })
}

async function closeModal(page: Page) {
  await page.locator('.arco-modal-wrapper:visible .arco-modal-close-icon').last().click()
  await page.waitForTimeout(300)
}

async function confirmPopover(page: Page) {
  await page.locator('.arco-popconfirm:visible .arco-btn-primary').last().click()
}

async function moneyOf(page: Page, testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).innerText()).replace(/[^0-9.-]/g, '')
  return Number(text)
}

suite('dashboard (Chromium)', () => {
  let gw: RunningGateway
  let fake: Awaited<ReturnType<typeof startFakeUpstream>>
  let browser: Browser
  const opened: Watched[] = []
  let admin: Watched
  let user: Watched

  const open = async (opts: { width?: number; lang?: 'en' | 'zh' } = {}) => {
    const w = await openPage(browser, { baseURL: gw.url, ...opts })
    opened.push(w)
    return w
  }

  beforeAll(async () => {
    ensureWebBuild()
    fake = await startFakeUpstream({ port: 0 })
    gw = await startGateway()
    browser = await launchBrowser(chromiumPath as string)
    admin = await open()
    user = await open()
  }, 240_000)

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return
    // Keep what every open page showed when a test failed.
    const label = ctx.task.name.slice(0, 2).replace(/\W/g, '')
    for (const [i, w] of opened.entries()) {
      if (!w.page.isClosed()) await shot(w.page, `failed-${label}-page${i}`).catch(() => undefined)
    }
  })

  afterAll(async () => {
    for (const w of opened) await w.context.close().catch(() => undefined)
    await browser?.close().catch(() => undefined)
    await gw?.stop()
    await fake?.close()
  }, 60_000)

  it('1. a superadmin sets up a channel, a group with it and a price; a user creates a key, chats with streaming output, and finds the request in Logs and the Dashboard', async () => {
    const a = admin.page
    await login(a, gw.adminUsername, gw.adminPassword)
    await a.goto('/dashboard')
    await shot(a, 'en-1280-admin-dashboard-empty')
    // Issue 15 defect 11: the session is an HttpOnly, SameSite=Strict cookie that no script can read, nothing
    // JWT-like sits in localStorage, and the page is served under a CSP (its violations would be console errors,
    // which every test here checks for).
    const session = (await admin.context.cookies()).find((c) => c.name === 'ag_session')
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' })
    expect(await a.evaluate(() => document.cookie)).not.toContain('ag_session')
    const stored = await a.evaluate(() => JSON.stringify({ ...localStorage }))
    expect(stored).not.toMatch(/eyJ[\w-]+\.[\w-]+\./)
    expect(stored).not.toContain(session?.value ?? 'no-session')
    const page = await a.request.get('/dashboard')
    expect(page.headers()['content-security-policy']).toContain("frame-ancestors 'none'")
    expect(page.headers()['x-frame-options']).toBe('DENY')

    await a.goto('/channels')
    await a.getByTestId('channel-create').click()
    await field(a, 'channel-name').fill('fake-openai')
    await field(a, 'channel-base-url').fill(`${fake.url}/v1`)
    await field(a, 'channel-api-key').fill('sk-upstream-e2e')
    const models = field(a, 'channel-models')
    await models.fill(MODEL)
    await models.press('Enter')
    await shot(a, 'en-1280-channel-form')
    await a.getByTestId('channel-save').click()
    await expect.poll(() => a.getByTestId('channels-table').innerText()).toContain('fake-openai')
    await a.locator('[data-testid^=channel-test-]').first().click()
    await a.getByTestId('channel-test-run').click()
    await expect
      .poll(() => a.getByTestId('channel-test-result').innerText(), { timeout: 20_000 })
      .toMatch(/\S/)
    await shot(a, 'en-1280-channel-test')
    await closeModal(a)

    await a.goto('/groups')
    await a.getByTestId('group-create').click()
    await field(a, 'group-name').fill('e2e-team')
    await a.getByTestId('group-all-visible').click()
    await (await modalButton(a, /save/i)).click()
    await expect.poll(() => a.getByTestId('groups-table').innerText()).toContain('e2e-team')
    await a.getByTestId('group-channels-e2e-team').click()
    await choose(a, 'group-channel-pick', 'fake-openai')
    await a.getByTestId('group-channel-add').click()
    await expect.poll(() => a.getByTestId('group-channels').innerText()).toContain('fake-openai')
    await closeModal(a)
    await a.getByTestId('group-prices-e2e-team').click()
    await a.getByTestId('group-price-add').click()
    await field(a, 'price-model').fill(MODEL)
    await field(a, 'price-input_token').fill('100')
    await field(a, 'price-output_token').fill('200')
    await (await modalButton(a, /create/i)).click()
    await expect.poll(() => a.getByTestId('group-prices').innerText()).toContain(MODEL)
    await shot(a, 'en-1280-group-prices')
    await closeModal(a)

    await a.goto('/users')
    await a.getByTestId('user-create').click()
    await field(a, 'user-username').fill(USER.name)
    await field(a, 'user-password').fill(USER.password)
    await field(a, 'user-quota').fill('5')
    await (await modalButton(a, /save/i)).click()
    await expect
      .poll(() => a.getByTestId('users-table').innerText(), { timeout: 15_000 })
      .toContain(USER.name)
    await shot(a, 'en-1280-users')

    await a.goto('/prices')
    await a.getByTestId('price-import').click()
    await (await modalButton(a, /^import$/i)).click()
    await expect.poll(() => a.getByTestId('page-prices').innerText(), { timeout: 15_000 }).toContain('claude')
    await shot(a, 'en-1280-prices-imported')

    const u = user.page
    await login(u, USER.name, USER.password)
    await u.goto('/dashboard')
    await expect.poll(() => moneyOf(u, 'balance-value')).toBe(5)

    await u.goto('/apikeys')
    await u.getByTestId('key-create').click()
    await field(u, 'key-name').fill('e2e-key')
    await choose(u, 'key-group', 'e2e-team')
    await (await modalButton(u, /create/i)).click()
    const keyText = u.getByTestId('created-key')
    await expect.poll(() => keyText.innerText()).toMatch(/^sk-/)
    await shot(u, 'en-1280-key-created')
    await u.getByTestId('key-created-close').click()
    await expect.poll(() => u.getByTestId('keys-table').innerText()).toContain('e2e-key')

    await u.goto('/chat')
    await expect
      .poll(() => u.getByTestId('chat-model-select').innerText(), { timeout: 15_000 })
      .toContain(MODEL)
    await field(u, 'chat-input').fill('Hello there')
    await expect.poll(() => u.getByTestId('chat-send').isEnabled(), { timeout: 15_000 }).toBe(true)
    await field(u, 'chat-input').press('Enter')
    await expect
      .poll(() => u.getByTestId('chat-assistant').last().innerText(), { timeout: 20_000 })
      .toContain(`from ${MODEL}`)
    await expect(u.getByTestId('chat-error').count()).resolves.toBe(0)
    await shot(u, 'en-1280-chat-answer')

    await u.goto('/logs')
    await expect
      .poll(
        async () => {
          await u.getByTestId('logs-query').click()
          await u.waitForTimeout(300)
          return u.getByTestId('logs-table').innerText()
        },
        { timeout: 20_000 },
      )
      .toContain(MODEL)
    const tableText = await u.getByTestId('logs-table').innerText()
    expect(tableText).toMatch(/\$0\.0*[1-9]/)
    await u.locator('.arco-table-expand-icon-cell button').first().click()
    await expect
      .poll(() => u.getByTestId('log-detail').innerText(), { timeout: 10_000 })
      .toContain('Hello there')
    expect(await u.getByTestId('log-detail').innerText()).toContain(`from ${MODEL}`)
    await shot(u, 'en-1280-logs-expanded')

    await u.goto('/dashboard')
    await expect.poll(() => u.getByTestId('stat-requests').innerText(), { timeout: 15_000 }).toBe('1')
    expect(await moneyOf(u, 'stat-total-cost')).toBeGreaterThan(0)
    expect(await moneyOf(u, 'consumed-value')).toBeGreaterThan(0)
    await shot(u, 'en-1280-user-dashboard')
    expect([...admin.errors, ...user.errors]).toEqual([])
  }, 240_000)

  it('2. a user redeems a voucher from the Dashboard and sees the new balance; a frozen key chat fails with the server message', async () => {
    const a = admin.page
    await a.goto('/vouchers')
    await a.getByTestId('voucher-generate').click()
    await field(a, 'voucher-amount').fill('10')
    await (await modalButton(a, /generate/i)).click()
    const code = (await a.getByTestId('voucher-codes').innerText()).trim()
    expect(code.length).toBeGreaterThan(8)
    await shot(a, 'en-1280-voucher-generated')

    const u = user.page
    await u.goto('/dashboard')
    await expect.poll(() => u.getByTestId('balance-value').innerText(), { timeout: 15_000 }).toMatch(/\d/)
    const before = await moneyOf(u, 'balance-value')
    await field(u, 'voucher-input').fill('not-a-real-code')
    await u.getByTestId('voucher-redeem').click()
    await expect.poll(() => u.getByTestId('voucher-error').innerText()).toMatch(/\S/)
    await field(u, 'voucher-input').fill(code)
    await u.getByTestId('voucher-redeem').click()
    await expect.poll(() => moneyOf(u, 'balance-value')).toBeCloseTo(before + 10, 3)
    await shot(u, 'en-1280-voucher-redeemed')

    await u.goto('/apikeys')
    await u.locator('[data-testid^=key-freeze-]').first().click()
    await confirmPopover(u)
    await expect.poll(() => u.getByTestId('keys-table').innerText()).toContain('Frozen')

    const key = await u.evaluate(
      () => (JSON.parse(sessionStorage.getItem('playground-keys') ?? '[]') as { key: string }[])[0]?.key,
    )
    const direct = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true }),
    })
    expect(direct.status).toBeGreaterThanOrEqual(400)
    const serverMessage = ((await direct.json()) as { error: { message: string } }).error.message

    await u.goto('/chat')
    await field(u, 'chat-input').fill('Still there?')
    // The key list loads asynchronously; Send is enabled once a key and a model are known.
    await expect.poll(() => u.getByTestId('chat-send').isEnabled(), { timeout: 15_000 }).toBe(true)
    await field(u, 'chat-input').press('Enter')
    await expect
      .poll(() => u.getByTestId('chat-error').innerText(), { timeout: 15_000 })
      .toContain(serverMessage)
    await shot(u, 'en-1280-chat-frozen-key')
    // The refused voucher and the frozen key's request fail on purpose; nothing else may log an error.
    const unexpected = [...admin.errors, ...user.errors].filter(
      (e) => !/Failed to load resource: the server responded with a status of (401|403|404)/.test(e),
    )
    expect(unexpected).toEqual([])
  }, 180_000)

  it('3. a user sees no admin pages in the menu and gets the login or a 403 page by URL', async () => {
    const u = user.page
    await u.goto('/dashboard')
    await expect(u.getByTestId('nav-dashboard').count()).resolves.toBe(1)
    for (const p of [
      'channels',
      'groups',
      'users',
      'all-keys',
      'prices',
      'vouchers',
      'rate-limits',
      'audit',
    ]) {
      await expect(u.getByTestId(`nav-${p}`).count()).resolves.toBe(0)
    }
    for (const p of ['/channels', '/users', '/audit']) {
      await u.goto(p)
      await expect(u.getByTestId('page-403').count()).resolves.toBe(1)
    }
    await shot(u, 'en-1280-user-403')

    const anon = await open()
    await anon.page.goto('/users')
    await anon.page.waitForURL(/\/login/)
    await anon.page.goto('/pricing')
    await expect.poll(() => anon.page.getByTestId('page-pricing').innerText()).toContain('Anthropic')
    await shot(anon.page, 'en-1280-public-pricing')

    // A session the server no longer accepts (401) is cleared and the user lands on the login page.
    await anon.context.addCookies([{ name: 'ag_session', value: 'not-a-jwt', url: gw.url }])
    await anon.page.evaluate(() =>
      localStorage.setItem(
        'auth-storage',
        JSON.stringify({ state: { username: 'ghost', role: 'admin' }, version: 1 }),
      ),
    )
    await anon.page.goto('/channels')
    await anon.page.waitForURL(/\/login/, { timeout: 15_000 })
    expect(await anon.page.evaluate(() => localStorage.getItem('auth-storage'))).not.toContain('ghost')
    // A JWT kept by an older dashboard in localStorage is dropped, not used.
    await anon.page.evaluate(() =>
      localStorage.setItem(
        'auth-storage',
        JSON.stringify({ state: { token: 'old.jwt.value', username: 'ghost', role: 'admin' }, version: 0 }),
      ),
    )
    await anon.page.goto('/channels')
    await anon.page.waitForURL(/\/login/, { timeout: 15_000 })
    expect(await anon.page.evaluate(() => localStorage.getItem('auth-storage'))).not.toContain('old.jwt')
    // Logging out clears the session cookie itself, not only the page's state.
    await logout(u)
    await expect
      .poll(async () => (await u.context().cookies()).filter((c) => c.name === 'ag_session').length)
      .toBe(0)
    await u.goto('/dashboard')
    await u.waitForURL(/\/login/)
  }, 120_000)

  it('4. the Chinese locale renders every page without untranslated keys, at 1280 px and 375 px, with no console errors', async () => {
    const already = opened.length
    for (const width of [1280, 375]) {
      const zh = await open({ width, lang: 'zh' })
      await login(zh.page, gw.adminUsername, gw.adminPassword)
      for (const p of ADMIN_PAGES) {
        await zh.page.goto(p)
        await zh.page.waitForLoadState('networkidle')
        await zh.page.waitForTimeout(300)
        const text = await zh.page.locator('body').innerText()
        expect(untranslated(text), `${p} at ${width}px`).toEqual([])
        expect(text, `${p} at ${width}px`).toMatch(/[\u4e00-\u9fff]/)
        await shot(zh.page, `zh-${width}${p.replace(/\//g, '-')}`)
      }
      if (width === 375) {
        await zh.page.getByTestId('menu-toggle').click()
        await zh.page.waitForTimeout(400)
        await shot(zh.page, 'zh-375-menu-drawer')
      }
      await zh.page.goto('/pricing')
      await zh.page.waitForLoadState('networkidle')
      expect(untranslated(await zh.page.locator('body').innerText())).toEqual([])
      await shot(zh.page, `zh-${width}-pricing`)
    }
    const zhUser = await open({ lang: 'zh' })
    await login(zhUser.page, USER.name, USER.password)
    for (const p of ['/dashboard', '/apikeys', '/chat', '/logs', '/channels']) {
      await zhUser.page.goto(p)
      await zhUser.page.waitForLoadState('networkidle')
      expect(untranslated(await zhUser.page.locator('body').innerText())).toEqual([])
      await shot(zhUser.page, `zh-1280-user${p.replace(/\//g, '-')}`)
    }
    expect(opened.slice(already).flatMap((w) => w.errors)).toEqual([])
  }, 240_000)
})
