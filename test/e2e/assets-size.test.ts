import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { findChromium, openPage } from './support/browser.ts'
import { ADMIN_PAGES, signedInPage, useSeededGateway } from './support/seed-dashboard.ts'

/**
 * Issue 19 #10: the dashboard's assets go out precompressed (Brotli or gzip by Accept-Encoding, with Vary),
 * each page loads only its own code and the styles of the components it uses, and a first visit transfers
 * well under 500 KB (it was 1.46 MB for /login). Sizes are what Chromium itself counts on the wire.
 */

const chromiumPath = findChromium()
const suite = chromiumPath ? describe : describe.skip
const BUDGET = 500 * 1024

/** Bytes on the wire for everything the page loaded from its own origin, document included. */
async function firstVisitBytes(page: Page, path: string): Promise<number> {
  await page.goto(path, { waitUntil: 'networkidle' })
  return page.evaluate(() => {
    const entries = [
      ...performance.getEntriesByType('navigation'),
      ...performance.getEntriesByType('resource'),
    ] as PerformanceResourceTiming[]
    return entries
      .filter((e) => e.name.startsWith(location.origin))
      .reduce((sum, e) => sum + e.transferSize, 0)
  })
}

suite('dashboard assets (Chromium)', () => {
  const env = useSeededGateway(chromiumPath as string)

  it('the first visit to /login transfers less than 500 KB, its script and styles compressed', async () => {
    const w = await openPage(env.browser, { baseURL: env.gw.url })
    const assets: Promise<string>[] = []
    w.page.on('response', (r) => {
      if (!r.url().includes('/assets/') || !/\.(js|css)$/.test(r.url())) return
      // Chromium offers Brotli only over HTTPS, so over plain HTTP gzip is what it gets; files under 1 KB go as they are.
      assets.push(
        r
          .body()
          .then((b) =>
            b.length < 1024
              ? 'small'
              : `${r.headers()['content-encoding'] ?? 'none'} ${r.headers()['vary'] ?? ''}`,
          ),
      )
    })
    const bytes = await firstVisitBytes(w.page, '/login')
    const encodings = (await Promise.all(assets)).filter((e) => e !== 'small')
    await w.context.close()
    expect(encodings.length).toBeGreaterThan(0)
    for (const e of encodings) expect(e).toMatch(/^(br|gzip) .*accept-encoding/i)
    expect(bytes).toBeLessThan(BUDGET)
  })

  it('a client offering Brotli gets it, one without gets gzip, and one that asks for nothing the plain file', async () => {
    const html = await (await fetch(`${env.gw.url}/login`)).text()
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1]
    expect(script).toBeDefined()
    const br = await fetch(`${env.gw.url}${script}`, { headers: { 'accept-encoding': 'br, gzip' } })
    expect(br.headers.get('content-encoding')).toBe('br')
    expect(br.headers.get('cache-control')).toMatch(/immutable/)
    await br.arrayBuffer()
    const gz = await fetch(`${env.gw.url}${script}`, { headers: { 'accept-encoding': 'gzip' } })
    expect(gz.headers.get('content-encoding')).toBe('gzip')
    expect(gz.headers.get('vary')).toMatch(/accept-encoding/i)
    const gzText = await gz.text()
    const plain = await fetch(`${env.gw.url}${script}`, { headers: { 'accept-encoding': 'identity' } })
    expect(plain.headers.get('content-encoding')).toBeNull()
    expect(plain.headers.get('content-type')).toMatch(/javascript/)
    // fetch decodes gzip itself: both bodies are the same script.
    expect(await plain.text()).toBe(gzText)
  })

  it('the first visit to every page, signed in as an admin or a user, transfers well under 500 KB', async () => {
    const admin = { name: env.gw.adminUsername, password: env.gw.adminPassword }
    const over: string[] = []
    for (const [who, pages] of [
      [admin, ADMIN_PAGES],
      [env.seeded.user, ['/dashboard', '/chat', '/logs']],
    ] as const) {
      for (const path of pages) {
        const w = await signedInPage(env.browser, env.gw, who)
        const bytes = await firstVisitBytes(w.page, path)
        await w.context.close()
        if (bytes >= BUDGET * 0.8) over.push(`${who.name} ${path}: ${Math.round(bytes / 1024)} KB`)
      }
    }
    expect(over).toEqual([])
  }, 180_000)
})
