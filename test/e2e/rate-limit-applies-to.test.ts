import { afterAll, beforeAll, expect, it, describe } from 'vitest'
import type { Browser } from 'playwright-core'
import { ensureWebBuild, startGateway, type RunningGateway } from './support/gateway.ts'
import {
  choose,
  field,
  findChromium,
  launchBrowser,
  login,
  openPage,
  shot,
  type Watched,
} from './support/browser.ts'

/**
 * Issue 15 defect 13 in the dashboard: whom a group's rate-limit rule applies to is shown and edited on the
 * rate-limit page, in English and Chinese, and the user's own rule gauges say it too.
 */

const chromiumPath = findChromium()
const suite = chromiumPath ? describe : describe.skip

suite('issue 15 defect 13: rule "applies to" in the dashboard (Chromium)', () => {
  let gw: RunningGateway
  let browser: Browser
  const opened: Watched[] = []
  let jwt: string
  let groupId: string

  async function api(method: string, url: string, body?: unknown) {
    const res = await fetch(`${gw.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`)
    return (await res.json()) as Record<string, unknown>
  }
  const rules = async () =>
    (await api('GET', `/admin/rate-limits?group_id=${groupId}`)).data as {
      id: string
      value: number
      applies_to: string
    }[]

  beforeAll(async () => {
    ensureWebBuild()
    gw = await startGateway()
    browser = await launchBrowser(chromiumPath as string)
    const res = await fetch(`${gw.url}/admin/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: gw.adminUsername, password: gw.adminPassword }),
    })
    jwt = ((await res.json()) as { access_token: string }).access_token
    groupId = (await api('POST', '/admin/groups', { name: 'rules-e2e', all_visible: true, priority: 50 }))
      .id as string
  }, 240_000)

  afterAll(async () => {
    for (const w of opened) await w.context.close().catch(() => undefined)
    await browser?.close().catch(() => undefined)
    await gw?.stop()
  }, 60_000)

  it('adds a rule for all keys, switches it back to bound keys, and shows both in English and Chinese', async () => {
    const en = await openPage(browser, { baseURL: gw.url })
    opened.push(en)
    const a = en.page
    await login(a, gw.adminUsername, gw.adminPassword)
    await a.goto('/rate-limits')
    await choose(a, 'rules-group', 'rules-e2e')
    await field(a, 'rule-value').fill('5')
    await choose(a, 'rule-applies-to', 'All keys')
    await a.getByTestId('rule-add').click()
    await expect.poll(rules).toEqual([expect.objectContaining({ value: 5, applies_to: 'all_keys' })])
    const [rule] = await rules()
    const row = a.getByTestId(`rule-applies-to-${rule.id}`)
    await expect.poll(() => row.innerText()).toContain('All keys')
    await shot(a, 'en-1280-rate-limit-all-keys')

    await choose(a, `rule-applies-to-${rule.id}`, 'Bound keys')
    await expect.poll(async () => (await rules())[0].applies_to).toBe('bound_keys')
    await expect.poll(() => row.innerText()).toContain('Bound keys')
    expect(await a.getByTestId('rules-panel').innerText()).toContain('Applies to')

    // The admin's own gauges (/auth/my-status) say whom the rule counts.
    await a.goto('/dashboard')
    await expect
      .poll(() => a.getByTestId('ratelimit-card').innerText(), { timeout: 15_000 })
      .toContain('keys bound to this group')

    const zh = await openPage(browser, { baseURL: gw.url, lang: 'zh' })
    opened.push(zh)
    const z = zh.page
    await login(z, gw.adminUsername, gw.adminPassword)
    await z.goto('/rate-limits')
    await choose(z, 'rules-group', 'rules-e2e')
    await expect.poll(() => z.getByTestId('rules-panel').innerText()).toContain('作用范围')
    expect(await z.getByTestId(`rule-applies-to-${rule.id}`).innerText()).toContain('绑定密钥')
    await z.getByTestId('rule-applies-to').click()
    await expect.poll(() => z.locator('.arco-select-popup:visible').last().innerText()).toContain('全部密钥')
    await shot(z, 'zh-1280-rate-limit-applies-to')
    expect([...en.errors, ...zh.errors]).toEqual([])
  }, 120_000)
})
