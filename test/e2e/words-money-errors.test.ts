import { describe, expect, it } from 'vitest'
import { findChromium } from './support/browser.ts'
import { signedInPage, visit, useSeededGateway } from './support/seed-dashboard.ts'
import { zhUser } from '../../web/src/i18n/zh-user.ts'

/**
 * Issue 19 #12: one money format on a screen ($30.00, not $30.0000 beside $0.007211), evenly spaced whole-number
 * ticks on the requests chart, failures described in the page's language (never a bare "HTTP 500"), and no
 * English "Close" label in Chinese mode.
 */

const chromiumPath = findChromium()
const suite = chromiumPath ? describe : describe.skip

/** Two decimals from $1 up; below $1 at least two decimals and at most three significant digits. */
function wellFormed(amount: string): boolean {
  const digits = amount.replace(/^-?\$/, '')
  const value = Number(digits.replace(/,/g, ''))
  if (value >= 1) return /^\d{1,3}(,\d{3})*\.\d{2}$/.test(digits)
  const decimals = digits.split('.')[1] ?? ''
  const significant = decimals.replace(/^0+/, '')
  return decimals.length >= 2 && significant.length <= 3
}

suite('words on the dashboard (Chromium)', () => {
  const env = useSeededGateway(chromiumPath as string)

  it('every amount of money on the Dashboard has the one format, and chart ticks are even whole numbers', async () => {
    const w = await signedInPage(env.browser, env.gw, env.seeded.user)
    await visit(w.page, '/dashboard')
    await expect.poll(() => w.page.getByTestId('balance-value').innerText()).toMatch(/\$/)
    const text = await w.page.locator('[data-testid="page-dashboard"]').innerText()
    const amounts = text.match(/-?\$[\d,]+(\.\d+)?/g) ?? []
    expect(amounts.length).toBeGreaterThan(2)
    expect(amounts.filter((a) => !wellFormed(a))).toEqual([])
    expect(amounts).toContain('$30.00')
    const ticks = await w.page
      .locator('svg[data-testid="chart-requests"] text[text-anchor="end"]')
      .allInnerTexts()
    const values = ticks.map(Number)
    expect(values.length).toBeGreaterThan(1)
    expect(values).toEqual(values.map(Math.round))
    const steps = new Set(values.slice(1).map((v, i) => v - values[i]))
    expect(steps.size).toBe(1)
    await w.context.close()
  })

  it('in Chinese, a server failure is a Chinese sentence and a dialog is closed by "关闭", not "Close"', async () => {
    const w = await signedInPage(env.browser, env.gw, env.seeded.user, { lang: 'zh' })
    await w.page.route('**/user/stats/overview*', (r) => r.fulfill({ status: 500, body: '' }))
    await visit(w.page, '/dashboard')
    const toast = w.page.locator('.arco-message').first()
    await expect.poll(() => toast.innerText()).toMatch(/500/)
    const said = (await toast.innerText()).trim()
    expect(said).not.toBe('HTTP 500')
    expect(said).toMatch(/[\u4e00-\u9fff]/)
    await visit(w.page, '/apikeys')
    await w.page.getByRole('button', { name: zhUser['keys.create'] }).first().click()
    await w.page.locator('.arco-modal').first().waitFor()
    expect(await w.page.locator('[aria-label="Close"]').count()).toBe(0)
    await expect.poll(() => w.page.locator('.arco-modal [aria-label="关闭"]').count()).toBeGreaterThan(0)
    await w.context.close()
  })
})
