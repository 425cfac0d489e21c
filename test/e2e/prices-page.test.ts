import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { enAdmin } from '../../web/src/i18n/en-admin.ts'
import { field, findChromium, type Watched } from './support/browser.ts'
import { startAdminFixture, type AdminFixture } from './support/admin-fixture.ts'

const chromiumPath = findChromium()
const suite = chromiumPath ? describe : describe.skip

interface Price {
  id: string
  model_name: string
  unit: string
  price_per_unit: number
}

suite('issue 19 #1: Prices never turn an empty or negative entry into $0 (Chromium)', () => {
  let f: AdminFixture
  let w: Watched
  const prices = async (model: string) =>
    (await f.api<{ data: Price[] }>('GET', `/admin/prices?model=${model}`)).body.data

  beforeAll(async () => {
    f = await startAdminFixture(chromiumPath as string)
    w = await f.signedIn()
  }, 240_000)

  afterAll(async () => f?.close(), 60_000)

  it('clearing a price cell is refused and the old price kept (no "Saved")', async () => {
    const made = await f.api<Price>('POST', '/admin/prices', {
      model_name: 'cell-model',
      unit: 'input_token',
      price_per_unit: 2.5,
    })
    expect(made.status).toBe(201)
    const page = w.page
    await page.goto('/prices')
    const cell = page.locator('tr', { hasText: 'cell-model' }).locator('input').first()
    await cell.fill('')
    await cell.press('Tab')
    await expect
      .poll(() => page.locator('.arco-message').allInnerTexts())
      .toContain(enAdmin['prices.invalidPrice'])
    expect(await page.locator('.arco-message', { hasText: 'Saved' }).count()).toBe(0)
    expect((await prices('cell-model'))[0].price_per_unit).toBe(2.5)
    await expect.poll(() => cell.inputValue()).toMatch(/^2\.50*$/)
    await cell.fill('-1')
    await cell.press('Tab')
    await expect.poll(() => cell.inputValue()).toMatch(/^2\.50*$/)
    expect((await prices('cell-model'))[0].price_per_unit).toBe(2.5)
    // A real change still saves.
    await cell.fill('3')
    await cell.press('Tab')
    await expect.poll(async () => (await prices('cell-model'))[0].price_per_unit).toBe(3)
  })

  it('a negative price in "Add price" is refused, not saved as $0; the server answers 400', async () => {
    const page = w.page
    await page.goto('/prices')
    await page.getByTestId('price-create').click()
    await field(page, 'price-model').fill('negative-model')
    await field(page, 'price-input_token').fill('-5')
    await field(page, 'price-output_token').fill('1')
    await page.locator('.arco-modal:visible .arco-btn-primary').click()
    // Refused in the page, before any request.
    await page.getByTestId('price-form-error').waitFor()
    expect(await prices('negative-model')).toEqual([])
    const body = { model_name: 'negative-model', unit: 'input_token', price_per_unit: -5 }
    expect((await f.api('POST', '/admin/prices', body)).status).toBe(400)
    const ok = await f.api<Price>('POST', '/admin/prices', { ...body, price_per_unit: 1 })
    expect((await f.api('PATCH', `/admin/prices/${ok.body.id}`, { price_per_unit: -5 })).status).toBe(400)
    expect((await prices('negative-model'))[0].price_per_unit).toBe(1)
  })
})
