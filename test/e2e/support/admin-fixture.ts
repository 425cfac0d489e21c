import type { Browser } from 'playwright-core'
import { startFakeUpstream } from '../../fake-upstream/start-fake-upstream.ts'
import { ensureWebBuild, startGateway, type RunningGateway } from './gateway.ts'
import { launchBrowser, login, openPage, type Watched } from './browser.ts'

export interface AdminFixture {
  gw: RunningGateway
  fake: Awaited<ReturnType<typeof startFakeUpstream>>
  browser: Browser
  /** An admin API call with a bearer session: the status and the parsed answer (text when not JSON). */
  api: <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ) => Promise<{ status: number; body: T }>
  /** A new page at `width` (default 1280 × 800), signed in as `who` (default the admin); closed by `close`. */
  signedIn: (opts?: { width?: number; who?: [string, string] }) => Promise<Watched>
  close: () => Promise<void>
}

/** A built dashboard, a gateway on a fresh data directory, a fake upstream, Chromium and an admin session. */
export async function startAdminFixture(chromiumPath: string): Promise<AdminFixture> {
  ensureWebBuild()
  const fake = await startFakeUpstream()
  const gw = await startGateway()
  const session = await fetch(`${gw.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: gw.adminUsername, password: gw.adminPassword }),
  })
  const jwt = ((await session.json()) as { access_token: string }).access_token
  const browser = await launchBrowser(chromiumPath)
  const api = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${gw.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${jwt}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      // CSV and other text answers stay text
    }
    return { status: res.status, body: parsed as T }
  }
  const pages: Watched[] = []
  return {
    gw,
    fake,
    browser,
    api,
    signedIn: async (opts = {}) => {
      const width = opts.width ?? 1280
      const w = await openPage(browser, { baseURL: gw.url, width, height: width < 600 ? undefined : 800 })
      pages.push(w)
      const [user, password] = opts.who ?? [gw.adminUsername, gw.adminPassword]
      await login(w.page, user, password)
      return w
    },
    close: async () => {
      for (const w of pages) await w.context.close().catch(() => undefined)
      await browser.close().catch(() => undefined)
      await gw.stop()
      await fake.close()
    },
  }
}
