import { describe, expect, it } from 'vitest'
import { choose, field, findChromium } from './support/browser.ts'
import { signedInPage, visit, useSeededGateway } from './support/seed-dashboard.ts'

/**
 * Issue 19 #13: a key pasted once in the playground serves the other tabs of the session (not stored on disk,
 * never in a URL), the code snippet shows a masked key, and embedding models are not offered for chat.
 */

const chromiumPath = findChromium()
const suite = chromiumPath ? describe : describe.skip

suite('playground (Chromium)', () => {
  const env = useSeededGateway(chromiumPath as string)

  it('a key pasted in one tab works in a second tab; the snippet masks it; only chat models are offered', async () => {
    const w = await signedInPage(env.browser, env.gw, env.seeded.user)
    const first = w.page
    await visit(first, '/chat')
    await choose(first, 'chat-key-select', 'alice-key')
    await field(first, 'chat-key-input').fill(env.seeded.userKey)
    // The models load once the key is accepted.
    await first.getByTestId('chat-model-select').click()
    const options = first.locator('.arco-select-popup:visible .arco-select-option')
    await expect
      .poll(() => options.allInnerTexts())
      .toEqual(expect.arrayContaining([expect.stringContaining(env.seeded.chatModel)]))
    const offered = (await options.allInnerTexts()).join('\n')
    expect(offered).not.toContain(env.seeded.embeddingModel)
    await first.keyboard.press('Escape')
    const snippet = await first.getByTestId('chat-snippet').innerText()
    expect(snippet).not.toContain(env.seeded.userKey)
    expect(snippet).toContain(env.seeded.userKey.slice(-4))

    const second = await w.context.newPage()
    await visit(second, '/chat')
    await choose(second, 'chat-key-select', 'alice-key')
    await expect.poll(() => second.getByTestId('chat-key-input').count()).toBe(0)
    await second.getByTestId('chat-model-select').click()
    await expect
      .poll(() => second.locator('.arco-select-popup:visible .arco-select-option').allInnerTexts())
      .toEqual(expect.arrayContaining([expect.stringContaining(env.seeded.chatModel)]))
    // Nothing of the key on disk in clear, nor in the address.
    const stored = await second.evaluate(() => JSON.stringify({ ...localStorage }))
    expect(stored).not.toContain(env.seeded.userKey)
    expect(second.url()).not.toContain(env.seeded.userKey)
    await w.context.close()
  })
})
