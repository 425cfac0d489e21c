import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { ensureWebBuild, startGateway, type RunningGateway } from './support/gateway.ts'
import { findChromium, launchBrowser } from './support/browser.ts'
import { signedInPage, visit } from './support/seed-dashboard.ts'

/** Issue 19, features: dark mode that follows the system setting, and a toggle that overrides it. */

const chromiumPath = findChromium()
const suite = chromiumPath ? describe : describe.skip

suite('dark mode (Chromium)', () => {
  let gw: RunningGateway
  let browser: Browser

  beforeAll(async () => {
    ensureWebBuild()
    gw = await startGateway()
    browser = await launchBrowser(chromiumPath as string)
  }, 240_000)

  afterAll(async () => {
    await browser?.close().catch(() => undefined)
    await gw?.stop()
  }, 60_000)

  it('follows the system setting, also when it changes, and the toggle chooses light or dark', async () => {
    const w = await signedInPage(browser, gw, { name: gw.adminUsername, password: gw.adminPassword })
    const page = w.page
    const theme = () => page.evaluate(() => document.body.getAttribute('arco-theme'))
    const headerBg = () =>
      page.evaluate(() => getComputedStyle(document.querySelector('.app-header') as Element).backgroundColor)
    await page.emulateMedia({ colorScheme: 'dark' })
    await visit(page, '/dashboard')
    expect(await theme()).toBe('dark')
    const darkBg = await headerBg()
    await page.emulateMedia({ colorScheme: 'light' })
    await expect.poll(theme).toBeNull()
    expect(await headerBg()).not.toBe(darkBg)

    // system → light → dark: dark although the system is light, and it stays after a reload.
    const toggle = page.getByTestId('theme-switch')
    await toggle.click()
    await toggle.click()
    await expect.poll(theme).toBe('dark')
    await visit(page, '/dashboard')
    expect(await theme()).toBe('dark')
    expect(await headerBg()).toBe(darkBg)
    await toggle.click()
    await expect.poll(theme).toBeNull()
    await w.context.close()
  })
})
