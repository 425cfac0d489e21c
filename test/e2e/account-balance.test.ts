import { beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { field, findChromium } from './support/browser.ts'
import { startGateway } from './support/gateway.ts'
import { startOpenLdap } from '../support/openldap-server.ts'
import { apiLogin, signedInPage, useSeededGateway, visit, type ApiSession } from './support/seed-dashboard.ts'

/**
 * Issue 19, "what operators expect beyond the original": a local user changes their own password from the
 * account area, an administrator tops a balance up (adds, with a note) from the Users page, and both see the
 * balance history from the ledger (the admin in the user's drawer, the user in their account area).
 */

const chromiumPath = findChromium()
const suite = chromiumPath ? describe : describe.skip

suite('issue 19: password change, top-ups and balance history (Chromium)', () => {
  const env = useSeededGateway(chromiumPath as string)
  let admin: ApiSession
  const who = () => ({ name: env.gw.adminUsername, password: env.gw.adminPassword })
  const balanceOf = async (name: string) =>
    (await admin.call<{ quota_usd: number | null }>('GET', `/admin/users/${name}`)).quota_usd
  const meStatus = (p: Page) => p.evaluate(async () => (await fetch('/auth/me')).status)

  beforeAll(async () => {
    admin = await apiLogin(env.gw.url, env.gw.adminUsername, env.gw.adminPassword)
    for (const name of ['pat', 'tina'])
      await admin.call('POST', '/admin/users', { username: name, password: `${name}-pass-123`, quota_usd: 1 })
  }, 60_000)

  it('a local user changes their password: this session stays, the other one ends', async () => {
    const other = await apiLogin(env.gw.url, 'pat', 'pat-pass-123')
    const w = await signedInPage(env.browser, env.gw, { name: 'pat', password: 'pat-pass-123' })
    const p = w.page
    await visit(p, '/dashboard')
    await p.getByTestId('password-change-open').click()
    const modal = p.getByTestId('password-change-modal')
    await field(p, 'password-current').fill('not-my-password')
    await field(p, 'password-new').fill('pat-pass-456')
    await field(p, 'password-confirm').fill('pat-pass-456')
    await modal.getByRole('button', { name: 'Save' }).click()
    await expect
      .poll(() => modal.locator('.arco-form-message:not(:empty)').allInnerTexts())
      .toContain('This is not your current password')

    await field(p, 'password-current').fill('pat-pass-123')
    await modal.getByRole('button', { name: 'Save' }).click()
    await expect
      .poll(() => p.locator('.arco-message').allInnerTexts())
      .toContainEqual(expect.stringContaining('Password changed'))
    // The page's own session was re-issued under the new session version; the other one is refused.
    expect(await meStatus(p)).toBe(200)
    await expect(other.call('GET', '/auth/me')).rejects.toThrow(/401/)
    await expect(apiLogin(env.gw.url, 'pat', 'pat-pass-123')).rejects.toThrow(/401/)
    await apiLogin(env.gw.url, 'pat', 'pat-pass-456')
    await visit(p, '/dashboard')
    expect(p.url()).toMatch(/\/dashboard$/)
    expect(w.errors.filter((e) => !/status of 400/.test(e))).toEqual([])
    await w.context.close()
  }, 90_000)

  it('a directory (LDAP) user sees their history but no password form; the server refuses them too', async () => {
    const ldap = await startOpenLdap()
    expect(ldap).not.toBeNull()
    if (!ldap) return
    const gw = await startGateway({
      LDAP_SERVER_URL: ldap.url,
      LDAP_USER_DN_TEMPLATE: `uid={username},${ldap.peopleDn}`,
      LDAP_TIMEOUT_MS: '3000',
    })
    try {
      const alice = { name: 'alice', password: ldap.users.alice.password }
      const session = await apiLogin(gw.url, alice.name, alice.password)
      await expect(
        session.call('POST', '/user/password', {
          current_password: alice.password,
          new_password: 'x-new-pass-1',
        }),
      ).rejects.toThrow(/403/)
      const w = await signedInPage(env.browser, gw, alice)
      await visit(w.page, '/dashboard')
      await w.page.getByTestId('my-balance-history').waitFor()
      expect(await w.page.getByTestId('password-change-open').count()).toBe(0)
      expect(w.errors).toEqual([])
      await w.context.close()
    } finally {
      await gw.stop()
      await ldap.stop()
    }
  }, 120_000)

  it('an admin tops a balance up from the Users page: it adds, with the note', async () => {
    const w = await signedInPage(env.browser, env.gw, who())
    const p = w.page
    await visit(p, '/users')
    await p.getByTestId('user-top-up-tina').click()
    const modal = p.getByTestId('top-up-modal')
    await field(p, 'top-up-amount').fill('2.5')
    await field(p, 'top-up-note').fill('invoice 42')
    await modal.getByRole('button', { name: 'Top up' }).click()
    await expect.poll(() => balanceOf('tina')).toBe(3.5)
    // A second top-up adds again: the balance is never set to the amount.
    await p.getByTestId('user-top-up-tina').click()
    await field(p, 'top-up-amount').fill('0.5')
    await modal.getByRole('button', { name: 'Top up' }).click()
    await expect.poll(() => balanceOf('tina')).toBe(4)
    await expect.poll(() => p.getByTestId('users-table').innerText()).toContain('$4')
    expect(w.errors).toEqual([])
    await w.context.close()
  }, 90_000)

  it('the balance history: the admin in the user drawer, the user (in Chinese) in their account area', async () => {
    const w = await signedInPage(env.browser, env.gw, who())
    const p = w.page
    await visit(p, '/users')
    await p.getByTestId('user-history-tina').click()
    const history = p.getByTestId('user-balance-history')
    await expect.poll(() => history.innerText()).toContain('invoice 42')
    const rows = await history.locator('tbody tr').allInnerTexts()
    // Newest first: the second top-up, then the first with its note and the balance it left.
    expect(rows[0]).toMatch(/Top-up[\s\S]*\+\$0\.5[\s\S]*\$4/)
    expect(rows[1]).toMatch(/Top-up[\s\S]*\+\$2\.5[\s\S]*\$3\.5[\s\S]*invoice 42/)
    // The first row: the balance she was created with (SPEC §6, every balance change is a ledger row).
    expect(rows[2]).toMatch(/Admin adjustment[\s\S]*\+\$1[\s\S]*\$1[\s\S]*opening balance/)
    expect(rows).toHaveLength(3)
    expect(w.errors).toEqual([])
    await w.context.close()

    const u = await signedInPage(
      env.browser,
      env.gw,
      { name: 'tina', password: 'tina-pass-123' },
      { lang: 'zh' },
    )
    await visit(u.page, '/dashboard')
    const mine = u.page.getByTestId('my-balance-history')
    await expect.poll(() => mine.innerText()).toContain('invoice 42')
    expect(await mine.innerText()).toContain('充值')
    expect(u.errors).toEqual([])
    await u.context.close()
  }, 90_000)
})
