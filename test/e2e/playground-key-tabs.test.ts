import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { startFakeUpstream } from '../fake-upstream/start-fake-upstream.ts'
import { ensureWebBuild, startGateway, type RunningGateway } from './support/gateway.ts'
import { choose, field, findChromium, launchBrowser } from './support/browser.ts'
import { seedDashboard, signedInPage, visit, type Seeded } from './support/seed-dashboard.ts'

/**
 * Issue 19 #13: a key pasted once in the playground serves the other tabs of the session (not stored on disk,
 * never in a URL), the code snippet shows a masked key, and embedding models are not offered for chat.
 */

const chromiumPath = findChromium()
const suite = chromiumPath ? describe : describe.skip

suite('playground (Chromium)', () => {
  let gw: RunningGateway
  let fake: Awaited<ReturnType<typeof startFakeUpstream>>
  let browser: Browser
  let seeded: Seeded

  beforeAll(async () => {
    ensureWebBuild()
    fake = await startFakeUpstream({ port: 0 })
    gw = await startGateway()
    seeded = await seedDashboard(gw, fake.url)
    browser = await launchBrowser(chromiumPath as string)
  }, 240_000)

  afterAll(async () => {
    await browser?.close().catch(() => undefined)
    await gw?.stop()
    await fake?.close()
  }, 60_000)

  it('a key pasted in one tab works in a second tab; the snippet masks it; only chat models are offered', async () => {
    const w = await signedInPage(browser, gw, seeded.user)
    const first = w.page
    await visit(first, '/chat')
    await choose(first, 'chat-key-select', 'alice-key')
    await field(first, 'chat-key-input').fill(seeded.userKey)
    // The models load once the key is accepted.
    await first.getByTestId('chat-model-select').click()
    const options = first.locator('.arco-select-popup:visible .arco-select-option')
    await expect
      .poll(() => options.allInnerTexts())
      .toEqual(expect.arrayContaining([expect.stringContaining(seeded.chatModel)]))
    const offered = (await options.allInnerTexts()).join('\n')
    expect(offered).not.toContain(seeded.embeddingModel)
    await first.keyboard.press('Escape')
    const snippet = await first.getByTestId('chat-snippet').innerText()
    expect(snippet).not.toContain(seeded.userKey)
    expect(snippet).toContain(seeded.userKey.slice(-4))

    const second = await w.context.newPage()
    await visit(second, '/chat')
    await choose(second, 'chat-key-select', 'alice-key')
    await expect.poll(() => second.getByTestId('chat-key-input').count()).toBe(0)
    await second.getByTestId('chat-model-select').click()
    await expect
      .poll(() => second.locator('.arco-select-popup:visible .arco-select-option').allInnerTexts())
      .toEqual(expect.arrayContaining([expect.stringContaining(seeded.chatModel)]))
    // Nothing of the key on disk in clear, nor in the address.
    const stored = await second.evaluate(() => JSON.stringify({ ...localStorage }))
    expect(stored).not.toContain(seeded.userKey)
    expect(second.url()).not.toContain(seeded.userKey)
    await w.context.close()
  })
})
