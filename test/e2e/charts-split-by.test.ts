import { describe, expect, it } from 'vitest'
import { choose, findChromium } from './support/browser.ts'
import { signedInPage, visit, useSeededGateway } from './support/seed-dashboard.ts'

/** Issue 19, features: spend and requests over time split by user, model, key or group (stacked), and top users. */

const chromiumPath = findChromium()
const suite = chromiumPath ? describe : describe.skip

suite('dashboard charts split by a dimension (Chromium)', () => {
  const env = useSeededGateway(chromiumPath as string)

  it('an admin sees spend stacked by user, then by model or key, and the top users', async () => {
    const w = await signedInPage(env.browser, env.gw, {
      name: env.gw.adminUsername,
      password: env.gw.adminPassword,
    })
    const page = w.page
    await visit(page, '/dashboard')
    const legend = () => page.getByTestId('chart-split').getByTestId('legend-item').allInnerTexts()
    await expect.poll(legend).toEqual(expect.arrayContaining([env.seeded.user.name, env.gw.adminUsername]))
    // Requests stacked: one segment per user on today's bar.
    await page.locator('[data-testid="page-dashboard"] .arco-radio-button', { hasText: 'Requests' }).click()
    await expect
      .poll(() => page.locator('[data-testid="chart-split"] rect[data-series]').count())
      .toBeGreaterThanOrEqual(2)
    await choose(page, 'split-by', 'Model')
    await expect.poll(legend).toContain(env.seeded.chatModel)
    await choose(page, 'split-by', 'API key')
    await expect.poll(legend).toEqual(expect.arrayContaining(['alice-key']))
    const ticks = await page.locator('[data-testid="chart-split"] text[text-anchor="end"]').allInnerTexts()
    expect(ticks.map(Number)).toEqual(ticks.map((v) => Math.round(Number(v))))
    const top = await page.getByTestId('top-users').innerText()
    expect(top).toContain(env.seeded.user.name)
    expect(top).toContain(env.gw.adminUsername)
    expect(w.errors).toEqual([])
    await w.context.close()
  })

  it('a user sees only their own spend split by model, and no top-users table', async () => {
    const w = await signedInPage(env.browser, env.gw, env.seeded.user)
    await visit(w.page, '/dashboard')
    const legend = () => w.page.getByTestId('chart-split').getByTestId('legend-item').allInnerTexts()
    await expect.poll(legend).toEqual(expect.arrayContaining([env.seeded.chatModel]))
    expect(await w.page.getByTestId('top-users').count()).toBe(0)
    await w.context.close()
  })
})
