import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { ROOT } from './gateway.ts'

export const SCREENSHOT_DIR = path.join(ROOT, 'test-output', 'screenshots')

/** Debian's Chromium (or CHROMIUM_PATH). Outside CI a missing browser skips the suite loudly; under CI=true it fails. */
export function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
    Boolean,
  ) as string[]
  for (const c of candidates) if (existsSync(c)) return c
  try {
    const p = execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim()
    if (p) return p
  } catch {
    // not on PATH
  }
  if (process.env.CI === 'true') throw new Error('Chromium is required in CI (apt-get install -y chromium)')
  console.warn(
    '\n!!! Chromium not found: the dashboard E2E suites are SKIPPED (they fail under CI=true) !!!\n',
  )
  return null
}

export async function launchBrowser(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

export interface Watched {
  context: BrowserContext
  page: Page
  /** Console errors and uncaught page errors seen so far. */
  errors: string[]
}

/** A fresh context (own localStorage) whose console errors are collected. */
export async function openPage(
  browser: Browser,
  opts: { width?: number; height?: number; lang?: 'en' | 'zh'; baseURL: string },
): Promise<Watched> {
  const width = opts.width ?? 1280
  const context = await browser.newContext({
    baseURL: opts.baseURL,
    viewport: { width, height: opts.height ?? (width < 600 ? 812 : 860) },
    deviceScaleFactor: 1,
    isMobile: width < 600,
    hasTouch: width < 600,
    locale: opts.lang === 'zh' ? 'zh-CN' : 'en-US',
  })
  const lang = opts.lang ?? 'en'
  await context.addInitScript((l: string) => {
    if (!localStorage.getItem('ui-prefs'))
      localStorage.setItem('ui-prefs', JSON.stringify({ state: { lang: l }, version: 0 }))
  }, lang)
  const page = await context.newPage()
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => errors.push(`${page.url()}: uncaught ${e.message}`))
  return { context, page, errors }
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true })
}

/** The `<input>` carrying a test id, or the one inside the element that carries it (Arco wraps some inputs). */
export function field(page: Page, testId: string) {
  return page
    .locator(
      `input[data-testid="${testId}"], textarea[data-testid="${testId}"], [data-testid="${testId}"] input, [data-testid="${testId}"] textarea`,
    )
    .first()
}

/** Pick an option of an Arco Select by its visible text. */
export async function choose(page: Page, testId: string, optionText: string | RegExp): Promise<void> {
  await page.getByTestId(testId).click()
  await page
    .locator('.arco-select-popup:visible .arco-select-option', { hasText: optionText })
    .first()
    .click()
}

export async function login(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login')
  await field(page, 'login-username').fill(username)
  await field(page, 'login-password').fill(password)
  await page.getByTestId('login-submit').click()
  // Login lands on Home (get started); tests go on to the page they need.
  await page.waitForURL(/\/home$/)
}

export async function logout(page: Page): Promise<void> {
  await page.getByTestId('logout').click()
  await page.waitForURL(/\/login/)
}
