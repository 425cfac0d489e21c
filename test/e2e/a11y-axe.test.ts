import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { findChromium, openPage, shot } from './support/browser.ts'
import { ADMIN_PAGES, USER_PAGES, signedInPage, visit, useSeededGateway } from './support/seed-dashboard.ts'

/**
 * Issue 19 #11: axe (WCAG 2.0 and 2.1, levels A and AA) finds nothing on any page of the dashboard, signed
 * out, for an admin and for a user, in English and Chinese, with rows in every table.
 */

const chromiumPath = findChromium()
const suite = chromiumPath ? describe : describe.skip
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']
/** What a visitor sees signed out. */
const PUBLIC_PAGES = ['/login', '/pricing']

/** Each violation as "rule: how many elements (first selector)". */
async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated over the DevTools protocol, which the page's Content-Security-Policy does not govern.
  await page.evaluate(AXE_SOURCE)
  return page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (...a: unknown[]) => Promise<unknown> } }).axe
    const r = (await axe.run(document, { runOnly: { type: 'tag', values: tags } })) as {
      violations: { id: string; nodes: { target: string[] }[] }[]
    }
    return r.violations.map((v) => `${v.id}: ${v.nodes.length} (${v.nodes[0]?.target.join(' ')})`)
  }, TAGS)
}

suite('accessibility (axe in Chromium)', () => {
  const env = useSeededGateway(chromiumPath as string)

  for (const lang of ['en', 'zh'] as const) {
    it(`axe reports no WCAG A/AA violation on any page (${lang})`, async () => {
      const found: string[] = []
      const publicPage = await openPage(env.browser, { baseURL: env.gw.url, lang })
      for (const path of PUBLIC_PAGES) {
        await visit(publicPage.page, path)
        for (const v of await axeViolations(publicPage.page)) found.push(`public ${path}: ${v}`)
      }
      await publicPage.context.close()
      const admin = { name: env.gw.adminUsername, password: env.gw.adminPassword }
      for (const [who, pages] of [
        [admin, ADMIN_PAGES],
        [env.seeded.user, USER_PAGES],
      ] as const) {
        const w = await signedInPage(env.browser, env.gw, who, { lang })
        for (const path of pages) {
          await visit(w.page, path)
          const violations = await axeViolations(w.page)
          if (violations.length) await shot(w.page, `axe-${lang}-${who.name}${path.replace('/', '-')}`)
          found.push(...violations.map((v) => `${who.name} ${path}: ${v}`))
        }
        await w.context.close()
      }
      expect(found).toEqual([])
    }, 300_000)
  }
})
