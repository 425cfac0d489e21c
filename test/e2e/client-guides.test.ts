import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { startFakeUpstream } from '../fake-upstream/start-fake-upstream.ts'
import { ensureWebBuild, startGateway, type RunningGateway } from './support/gateway.ts'
import { enCommon } from '../../web/src/i18n/en-common.ts'
import { enUser } from '../../web/src/i18n/en-user.ts'
import { enAdmin } from '../../web/src/i18n/en-admin.ts'
import { zhUser } from '../../web/src/i18n/zh-user.ts'
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
 * Issue 18 (client guides): Home and Guide show docs/clients.md's settings filled in with this gateway's origin,
 * a key the user picks (and pastes, since the full key is shown only at creation) and a model the key can use.
 * Driven in Debian's Chromium against a real gateway process and the fake upstream.
 */

const chromiumPath = findChromium()
const suite = chromiumPath ? describe : describe.skip

const MODEL = 'guide-model-1'
const DICT_KEYS = Object.keys({ ...enCommon, ...enUser, ...enAdmin })
const untranslated = (text: string) => DICT_KEYS.filter((k) => text.includes(k))

/** Nothing wider than the viewport: the page itself never scrolls sideways (code blocks scroll inside). */
async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const doc = document.documentElement
    return Math.max(doc.scrollWidth, document.body.scrollWidth) - doc.clientWidth
  })
}

/** Content of one cell of the base-URL list spilling over the next cell (long URLs must wrap, not overlap). */
async function overlappingCells(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = []
    for (const row of document.querySelectorAll('[data-testid=guide-base-urls] tr, .guide-url-row')) {
      const cells = [...row.children].map((c) => {
        const range = document.createRange()
        range.selectNodeContents(c)
        return { text: c.textContent ?? '', box: range.getBoundingClientRect() }
      })
      for (let i = 0; i + 1 < cells.length; i++) {
        const [x, y] = [cells[i].box, cells[i + 1].box]
        const sameLine = x.top < y.bottom && y.top < x.bottom
        if (sameLine && x.right > y.left + 1 && x.left < y.left) out.push(cells[i].text)
      }
    }
    return out
  })
}

suite('issue 18 client guides: Home and Guide pages (Chromium)', () => {
  let gw: RunningGateway
  let fake: Awaited<ReturnType<typeof startFakeUpstream>>
  let browser: Browser
  let jwt: string
  let apiKey: string
  let keyPrefix: string
  const opened: Watched[] = []

  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${gw.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`)
    return (await res.json()) as Record<string, unknown>
  }

  const open = async (opts: { width?: number; lang?: 'en' | 'zh' } = {}) => {
    const w = await openPage(browser, { baseURL: gw.url, ...opts })
    await w.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gw.url })
    opened.push(w)
    return w
  }

  beforeAll(async () => {
    ensureWebBuild()
    fake = await startFakeUpstream({ port: 0 })
    gw = await startGateway()
    browser = await launchBrowser(chromiumPath as string)
    const res = await fetch(`${gw.url}/admin/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: gw.adminUsername, password: gw.adminPassword }),
    })
    jwt = ((await res.json()) as { access_token: string }).access_token
    const channel = await api('POST', '/admin/channels', {
      name: 'guide-channel',
      provider: 'openai',
      base_url: `${fake.url}/v1`,
      api_key: 'sk-upstream-guide-e2e',
      models: [MODEL],
    })
    const group = await api('POST', '/admin/groups', { name: 'guide-group', all_visible: true, priority: 10 })
    await api('POST', `/admin/groups/${String(group.id)}/channels/${String(channel.id)}`)
    // Created outside the browser, so the page cannot know the full key: the user has to paste it.
    const token = await api('POST', '/user/tokens', { name: 'guide-key' })
    apiKey = token.key as string
    keyPrefix = token.key_prefix as string
    expect(apiKey).toMatch(/^sk-/)
  }, 240_000)

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return
    for (const [i, w] of opened.entries())
      if (!w.page.isClosed()) await shot(w.page, `failed-guide-page${i}`).catch(() => undefined)
  })

  afterAll(async () => {
    for (const w of opened) await w.context.close().catch(() => undefined)
    await browser?.close().catch(() => undefined)
    await gw?.stop()
    await fake?.close()
  }, 60_000)

  it('English, 1280 px: lands on Home, picks a key and a model, pastes the key, copies a snippet; Guide keeps them; nothing persists', async () => {
    const w = await open()
    const page = w.page
    await login(page, gw.adminUsername, gw.adminPassword)
    await expect.poll(() => page.getByTestId('page-home').innerText()).toContain(enUser['home.step1'])
    expect(await page.getByTestId('nav-home').count()).toBe(1)
    expect(await page.getByTestId('nav-guide').count()).toBe(1)
    expect(await page.getByTestId('home-origin').innerText()).toBe(gw.url)

    await choose(page, 'home-key-select', 'guide-key')
    // Until the key is pasted the snippets carry a placeholder with the key's prefix, never a made-up key.
    const openaiNode = page.getByTestId('home-snippet-openai-node')
    await expect.poll(() => openaiNode.innerText()).toContain(`apiKey: '${keyPrefix}…'`)
    await field(page, 'home-key-input').fill(apiKey)
    await expect
      .poll(() => page.getByTestId('home-model-select').innerText(), { timeout: 15_000 })
      .toContain(MODEL)
    await choose(page, 'home-model-select', MODEL)
    const snippet = await openaiNode.innerText()
    expect(snippet).toContain(`baseURL: '${gw.url}/v1'`)
    expect(snippet).toContain(`apiKey: '${apiKey}'`)
    expect(snippet).toContain(`model: '${MODEL}'`)

    await page.getByTestId('home-copy-openai-node').click()
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(snippet)
    await expect
      .poll(() => page.locator('.arco-message').first().innerText())
      .toContain(enCommon['common.copied'])

    // Anthropic: the bare origin (the SDK appends /v1/messages itself).
    await page.getByTestId('home-tool-anthropic').click()
    expect(await page.getByTestId('home-snippet-anthropic-node').innerText()).toContain(
      `new Anthropic({ baseURL: '${gw.url}', apiKey: '${apiKey}' })`,
    )
    await shot(page, 'guide-en-1280-home')
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)

    // The menu's Guide keeps the pasted key and the model (page memory, no reload).
    await page.getByTestId('nav-guide').click()
    await page.waitForURL(/\/guide$/)
    await page.getByTestId('guide-tool-codex').click()
    const toml = await page.getByTestId('guide-snippet-codex-config').innerText()
    expect(toml).toContain(`model = "${MODEL}"`)
    expect(toml).toContain(`base_url = "${gw.url}/v1"`)
    expect(toml).toContain('wire_api = "responses"')
    expect(await page.getByTestId('guide-snippet-codex-shell').innerText()).toContain(
      `export ANY_GATEWAY_API_KEY="${apiKey}"`,
    )
    await page.getByTestId('guide-tool-gemini-cli').click()
    expect(await page.getByTestId('guide-snippet-gemini-cli-shell').innerText()).toBe(
      `export GOOGLE_GEMINI_BASE_URL=${gw.url}\nexport GEMINI_API_KEY="${apiKey}"\ngemini -m "${MODEL}"`,
    )
    await page.getByTestId('guide-tool-curl').click()
    expect(await page.getByTestId('guide-snippet-curl-gemini').innerText()).toContain(
      `-H "x-goog-api-key: ${apiKey}"`,
    )
    expect(await page.getByTestId('guide-base-urls').innerText()).toContain(`${gw.url}/v1beta`)
    await shot(page, 'guide-en-1280-guide')
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    expect(await overlappingCells(page)).toEqual([])

    // The pasted key never reaches web storage, and a reload forgets it.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }))
    expect(stored).not.toContain(apiKey)
    await page.reload()
    await page.getByTestId('guide-tool-openai').click()
    await expect
      .poll(() => page.getByTestId('guide-snippet-openai-env').innerText())
      .toContain(`OPENAI_API_KEY="${keyPrefix}…"`)
    expect(await page.getByTestId('guide-snippet-openai-env').innerText()).not.toContain(apiKey)
    expect(w.errors).toEqual([])
  }, 180_000)

  it('Chinese, 375 px and 1280 px: Home and Guide are translated, filled in, and nothing overflows', async () => {
    for (const width of [375, 1280]) {
      const w = await open({ width, lang: 'zh' })
      const page = w.page
      await login(page, gw.adminUsername, gw.adminPassword)
      await expect.poll(() => page.getByTestId('page-home').innerText()).toContain(zhUser['home.step1'])
      for (const p of ['/home', '/guide']) {
        if (p !== '/home') await page.goto(p)
        const prefix = p.slice(1)
        await page.waitForLoadState('networkidle')
        const text = await page.locator('body').innerText()
        expect(untranslated(text), `${p} at ${width}px`).toEqual([])
        expect(text).toContain(zhUser['guide.settings'])
        await choose(page, `${prefix}-key-select`, 'guide-key')
        await field(page, `${prefix}-key-input`).fill(apiKey)
        await expect
          .poll(() => page.getByTestId(`${prefix}-model-select`).innerText(), { timeout: 15_000 })
          .toContain(MODEL)
        await page.getByTestId(`${prefix}-tool-claude-code`).click()
        const json = JSON.parse(
          await page.getByTestId(`${prefix}-snippet-claude-code-settings`).innerText(),
        ) as { env: Record<string, string> }
        expect(json.env).toEqual({
          ANTHROPIC_BASE_URL: gw.url,
          ANTHROPIC_AUTH_TOKEN: apiKey,
          ANTHROPIC_MODEL: MODEL,
        })
        await page.getByTestId(`${prefix}-copy-claude-code-settings`).click()
        await expect
          .poll(() => page.evaluate(() => navigator.clipboard.readText()))
          .toContain(`"ANTHROPIC_AUTH_TOKEN": "${apiKey}"`)
        await page.waitForTimeout(200)
        await shot(page, `guide-zh-${width}-${prefix}`)
        expect(await horizontalOverflow(page), `${p} at ${width}px`).toBeLessThanOrEqual(0)
        expect(await overlappingCells(page), `${p} at ${width}px`).toEqual([])
      }
      expect(w.errors).toEqual([])
    }
  }, 240_000)
})
