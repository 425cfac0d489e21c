import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { enUser } from '../../web/src/i18n/en-user.ts'
import { findChromium, type Watched } from './support/browser.ts'
import { startAdminFixture, type AdminFixture } from './support/admin-fixture.ts'

const chromiumPath = findChromium()
const suite = chromiumPath ? describe : describe.skip

interface Row {
  request_id: string
  status: number
  error_code: string | null
}

/**
 * Issue 19 #4: a request with a valid key that the gateway refuses (here a model no channel serves) used to leave
 * no usage row, so the Logs page's 4xx filter was always empty. It must show the row with its status and code.
 */
suite('issue 19 #4: refused requests reach Logs (Chromium)', () => {
  let f: AdminFixture
  let w: Watched
  let refused: Row

  beforeAll(async () => {
    f = await startAdminFixture(chromiumPath as string)
    const key = await f.api<{ key: string }>('POST', '/user/tokens', { name: 'refused-key' })
    expect(key.status).toBe(201)
    const r = await fetch(`${f.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.body.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'no-such-model', messages: [{ role: 'user', content: 'hello' }] }),
    })
    expect(r.status).toBe(404)
    const requestId = r.headers.get('x-request-id')
    // The row is written before the answer; polled all the same, bounded.
    let rows: Row[] = []
    for (let i = 0; i < 100 && !rows.some((x) => x.request_id === requestId); i++) {
      rows = (await f.api<{ data: Row[] }>('GET', '/admin/logs?page_size=50')).body.data
      if (!rows.some((x) => x.request_id === requestId)) await new Promise((ok) => setTimeout(ok, 100))
    }
    refused = rows.find((x) => x.request_id === requestId) as Row
    expect(refused).toMatchObject({ status: 404, error_code: 'model_not_found' })
    w = await f.signedIn()
  }, 240_000)

  afterAll(async () => f?.close(), 60_000)

  it('the 4xx filter shows the refused request with its status and error code', async () => {
    const page = w.page
    await page.goto('/logs')
    await page.locator('.arco-select', { hasText: enUser['logs.statusFilter'] }).first().click()
    await page.locator('.arco-select-popup:visible .arco-select-option', { hasText: '4xx' }).first().click()
    await page.getByTestId('logs-query').click()
    const status = page.getByTestId(`log-status-${refused.request_id}`)
    await status.waitFor()
    const text = await status.innerText()
    expect(text).toContain('404')
    expect(text).toContain('model_not_found')
  })
})
