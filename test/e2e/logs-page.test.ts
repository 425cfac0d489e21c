import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { enUser } from '../../web/src/i18n/en-user.ts'
import { enCommon } from '../../web/src/i18n/en-common.ts'
import { choose, field, findChromium, type Watched } from './support/browser.ts'
import { startAdminFixture, type AdminFixture } from './support/admin-fixture.ts'

const chromiumPath = findChromium()
const suite = chromiumPath ? describe : describe.skip

interface Row {
  request_id: string
  token_name: string | null
}

/** Whether the element at the centre of `selector`'s box is inside it and within the viewport's width. */
async function onScreen(page: Page, selector: string): Promise<boolean> {
  return page
    .locator(selector)
    .first()
    .evaluate((el) => {
      const r = el.getBoundingClientRect()
      const x = r.left + r.width / 2
      const top = document.elementFromPoint(x, r.top + r.height / 2)
      return r.width > 0 && x < window.innerWidth && top !== null && (el === top || el.contains(top))
    })
}

suite('issue 19 #6: the Logs table (Chromium)', () => {
  let f: AdminFixture
  let w: Watched
  let rows: Row[]

  beforeAll(async () => {
    f = await startAdminFixture(chromiumPath as string)
    const ch = await f.api<{ id: string }>('POST', '/admin/channels', {
      name: 'logs-upstream',
      provider: 'openai',
      base_url: `${f.fake.url}/v1`,
      api_key: 'sk-logs-upstream-1234',
      models: ['gpt-4o-mini'],
    })
    const groups = await f.api<{ data: { id: string }[] }>('GET', '/admin/groups')
    for (const g of groups.body.data) await f.api('POST', `/admin/groups/${g.id}/channels/${ch.body.id}`)
    await f.api('POST', '/admin/prices', {
      model_name: 'gpt-4o-mini',
      unit: 'input_token',
      price_per_unit: 1,
    })
    await f.api('POST', '/admin/prices', {
      model_name: 'gpt-4o-mini',
      unit: 'output_token',
      price_per_unit: 2,
    })
    expect(
      (await f.api('POST', '/admin/users', { username: 'bob', password: 'bob-pass-1234', quota_usd: 30 }))
        .status,
    ).toBe(201)
    const bobLogin = await fetch(`${f.gw.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bob', password: 'bob-pass-1234' }),
    })
    const bobJwt = ((await bobLogin.json()) as { access_token: string }).access_token
    const keys: string[] = []
    for (const name of ['bob-first', 'bob-second']) {
      const r = await fetch(`${f.gw.url}/user/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bobJwt}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      })
      keys.push(((await r.json()) as { key: string }).key)
    }
    for (const key of [keys[0], keys[0], keys[0], keys[1]]) {
      const r = await fetch(`${f.gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] }),
      })
      expect(r.status, await r.text()).toBe(200)
    }
    // The usage rows are written after the answers: wait for all four (polled, bounded).
    for (let i = 0; i < 100; i++) {
      rows = (await f.api<{ data: Row[] }>('GET', '/admin/logs?page_size=50')).body.data
      if (rows.length >= 4) break
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(rows).toHaveLength(4)
    w = await f.signedIn()
  }, 240_000)

  afterAll(async () => f?.close(), 60_000)

  const open = async (page: Page) => {
    await page.goto('/logs')
    await page.getByTestId(`log-id-${rows[0].request_id}`).waitFor()
  }

  it('at 1280 px Time, Status and Cost are on screen; ids differ per row; channel, latency and first-token columns', async () => {
    const page = w.page
    await open(page)
    const first = rows[0].request_id
    expect(await onScreen(page, `[data-testid="log-status-${first}"]`)).toBe(true)
    expect(await onScreen(page, `[data-testid="log-cost-${first}"]`)).toBe(true)
    expect(await onScreen(page, `.arco-table-th >> text="${enUser['logs.time']}"`)).toBe(true)
    const shown = await Promise.all(rows.map((r) => page.getByTestId(`log-id-${r.request_id}`).innerText()))
    expect(new Set(shown).size).toBe(rows.length)
    expect(await page.getByTestId(`log-channel-${first}`).innerText()).toBe('logs-upstream')
    const heads = await page.locator('.arco-table-th').allInnerTexts()
    expect(heads.join('|')).toContain(enUser['logs.latency'])
    expect(heads.join('|')).toContain(enUser['logs.ttft'])
  })

  it('filters by key and by channel, sorts on the server, and exports the filtered rows as CSV', async () => {
    const page = w.page
    await open(page)
    await field(page, 'logs-key').fill('bob-second')
    await page.getByTestId('logs-query').click()
    await expect.poll(() => page.locator('[data-testid^="log-id-"]').count()).toBe(1)
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('logs-export').click(),
    ])
    const csv = readFileSync((await download.path()) as string, 'utf8')
      .trim()
      .split('\r\n')
    expect(csv[0]).toContain('request_id')
    expect(csv).toHaveLength(2)
    expect(csv[1]).toContain('bob-second')

    await field(page, 'logs-key').fill('')
    await choose(page, 'logs-channel', 'logs-upstream')
    await page.getByTestId('logs-query').click()
    await expect.poll(() => page.locator('[data-testid^="log-id-"]').count()).toBe(4)

    const sorted = page.waitForRequest((r) => /\/admin\/logs\?.*sort_by=cost/.test(r.url()))
    await page.locator('.arco-table-th', { hasText: 'Cost' }).locator('.arco-table-cell-with-sorter').click()
    await sorted
  })

  it('shows each request’s client IP to admins and filters by it exactly; expand buttons are named', async () => {
    const page = w.page
    await open(page)
    // The requests above came from this machine, straight to the gateway (no trusted proxy).
    expect(await page.getByTestId(`log-ip-${rows[0].request_id}`).innerText()).toBe('127.0.0.1')
    const heads = await page.locator('.arco-table-th').allInnerTexts()
    expect(heads.join('|')).toContain(enUser['logs.clientIp'])
    const named = page.getByRole('button', { name: enCommon['list.rowDetails'] })
    expect(await named.count()).toBe(rows.length)

    const filtered = page.waitForRequest((r) => /\/admin\/logs\?.*ip=127\.0\.0\.2/.test(r.url()))
    await field(page, 'logs-ip').fill('127.0.0.2')
    await page.getByTestId('logs-query').click()
    await filtered
    await expect.poll(() => page.locator('[data-testid^="log-id-"]').count()).toBe(0)
    await field(page, 'logs-ip').fill('127.0.0.1')
    await page.getByTestId('logs-query').click()
    await expect.poll(() => page.locator('[data-testid^="log-id-"]').count()).toBe(rows.length)
  })

  it('on a phone (375 px) a record opens whole within the screen', async () => {
    const phone = await f.signedIn({ width: 375 })
    await open(phone.page)
    await phone.page.getByTestId(`log-open-${rows[0].request_id}`).click()
    // Polled: the drawer slides in, so its first boxes are on their way.
    const detail = phone.page.getByTestId('log-detail')
    await expect
      .poll(async () => {
        const box = await detail.boundingBox()
        return box !== null && box.x >= 0 && box.x + box.width <= 375 && box.width > 300
      })
      .toBe(true)
  })
})
