import type { Browser } from 'playwright-core'
import { startFakeUpstream } from '../../fake-upstream/start-fake-upstream.ts'
import { ensureWebBuild, startGateway, type RunningGateway } from './gateway.ts'
import { launchBrowser } from './browser.ts'

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
  close: () => Promise<void>
}

/** A built dashboard, a gateway on a fresh data directory, a fake upstream, Chromium and an admin session. */
export async function startAdminFixture(chromiumPath: string): Promise<AdminFixture> {
  ensureWebBuild()
  const fake = await startFakeUpstream()
  const gw = await startGateway()
  const login = await fetch(`${gw.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: gw.adminUsername, password: gw.adminPassword }),
  })
  const jwt = ((await login.json()) as { access_token: string }).access_token
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
  return {
    gw,
    fake,
    browser,
    api,
    close: async () => {
      await browser.close().catch(() => undefined)
      await gw.stop()
      await fake.close()
    },
  }
}
