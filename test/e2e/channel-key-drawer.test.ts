import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { startFakeUpstream } from '../fake-upstream/start-fake-upstream.ts'
import { ensureWebBuild, startGateway, type RunningGateway } from './support/gateway.ts'
import { enAdmin } from '../../web/src/i18n/en-admin.ts'
import { field, findChromium, launchBrowser, login, openPage, type Watched } from './support/browser.ts'

const chromiumPath = findChromium()
const suite = chromiumPath ? describe : describe.skip

suite('issue 15 defect 3: the channel drawer asks for the key when the address changes (Chromium)', () => {
  let gw: RunningGateway
  let fake: Awaited<ReturnType<typeof startFakeUpstream>>
  let other: Awaited<ReturnType<typeof startFakeUpstream>>
  let browser: Browser
  let w: Watched
  let jwt: string

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${gw.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return (await res.json()) as Record<string, unknown>
  }

  beforeAll(async () => {
    ensureWebBuild()
    fake = await startFakeUpstream()
    other = await startFakeUpstream()
    gw = await startGateway()
    const login0 = await fetch(`${gw.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: gw.adminUsername, password: gw.adminPassword }),
    })
    jwt = ((await login0.json()) as { access_token: string }).access_token
    browser = await launchBrowser(chromiumPath as string)
    w = await openPage(browser, { baseURL: gw.url })
  }, 240_000)

  afterAll(async () => {
    await w?.context.close().catch(() => undefined)
    await browser?.close().catch(() => undefined)
    await gw?.stop()
    await fake?.close()
    await other?.close()
  }, 60_000)

  it('refuses to save a new host without the key, then saves it with the key', async () => {
    const ch = await api('POST', '/admin/channels', {
      name: 'drawer-channel',
      provider: 'openai',
      base_url: `${fake.url}/v1`,
      api_key: 'sk-drawer-old-key-1234',
    })
    const id = ch.id as string
    const page = w.page
    await login(page, gw.adminUsername, gw.adminPassword)
    await page.goto('/channels')
    await page.getByTestId(`channel-edit-${id}`).click()
    await field(page, 'channel-base-url').fill(`${other.url}/v1`)
    await page.getByTestId('channel-save').click()
    await expect
      .poll(() => page.getByTestId('channel-form-error').innerText())
      .toContain(enAdmin['channels.apiKeyNeeded'])
    expect((await api('GET', `/admin/channels/${id}`)).base_url).toBe(`${fake.url}/v1`)

    await field(page, 'channel-api-key').fill('sk-drawer-new-key-5678')
    await page.getByTestId('channel-save').click()
    await expect
      .poll(async () => (await api('GET', `/admin/channels/${id}`)).base_url)
      .toBe(`${other.url}/v1`)
    expect((await api('GET', `/admin/channels/${id}`)).api_key).toBe('sk-…5678')
    expect(other.requests).toHaveLength(0)
    expect(w.errors.filter((e) => !e.includes('400'))).toEqual([])
  })
})
