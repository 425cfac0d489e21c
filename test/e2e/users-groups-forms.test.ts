import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { ensureWebBuild, startGateway, type RunningGateway } from './support/gateway.ts'
import { field, findChromium, launchBrowser, shot } from './support/browser.ts'
import { apiLogin, signedInPage, visit, type ApiSession } from './support/seed-dashboard.ts'

/**
 * Issue 19 on the Users and Groups pages: defect 5 (a field's error goes once the field is fixed; groups can be
 * renamed; a name with a space is refused), defect 7 (a role change, disabling a user and removing a user from
 * a group are asked first), and bulk enable/disable of users.
 */

const chromiumPath = findChromium()
const suite = chromiumPath ? describe : describe.skip

const errorsIn = (p: Page, modal: string) =>
  p.getByTestId(modal).locator('.arco-form-message:not(:empty)').allInnerTexts()

suite('issue 19: users and groups forms (Chromium)', () => {
  let gw: RunningGateway
  let browser: Browser
  let admin: ApiSession
  const who = () => ({ name: gw.adminUsername, password: gw.adminPassword })
  const user = async (name: string) =>
    admin.call<{ role: string; disabled: boolean }>('GET', `/admin/users/${name}`)

  beforeAll(async () => {
    ensureWebBuild()
    gw = await startGateway()
    admin = await apiLogin(gw.url, gw.adminUsername, gw.adminPassword)
    for (const name of ['bob', 'carol', 'dave'])
      await admin.call('POST', '/admin/users', { username: name, password: `${name}-pass-123`, quota_usd: 1 })
    browser = await launchBrowser(chromiumPath as string)
  }, 240_000)

  afterAll(async () => {
    await browser?.close().catch(() => undefined)
    await gw?.stop()
  }, 60_000)

  it('a user form error goes away once the field is filled', async () => {
    const w = await signedInPage(browser, gw, who())
    const p = w.page
    await visit(p, '/users')
    await p.getByTestId('user-create').click()
    await p.getByTestId('user-form-modal').getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => errorsIn(p, 'user-form-modal')).toContain('Required')
    await field(p, 'user-username').fill('erin')
    await expect.poll(() => errorsIn(p, 'user-form-modal')).not.toContain('Required')
    await field(p, 'user-password').fill('erin-pass-123')
    await p.getByTestId('user-form-modal').getByRole('button', { name: 'Save' }).click()
    await expect.poll(async () => (await user('erin')).role).toBe('user')
    expect(w.errors).toEqual([])
    await w.context.close()
  }, 60_000)

  it('a group is renamed; "team a" with a space is refused', async () => {
    const w = await signedInPage(browser, gw, who())
    const p = w.page
    const names = async () =>
      (await admin.call<{ data: { name: string }[] }>('GET', '/admin/groups')).data.map((g) => g.name)
    await visit(p, '/groups')
    await p.getByTestId('group-create').click()
    await field(p, 'group-name').fill('team a')
    await p.getByTestId('group-form-modal').getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => errorsIn(p, 'group-form-modal')).toHaveLength(1)
    expect(await names()).not.toContain('team a')
    await field(p, 'group-name').fill('team-a')
    await expect.poll(() => errorsIn(p, 'group-form-modal')).toEqual([])
    await p.getByTestId('group-form-modal').getByRole('button', { name: 'Save' }).click()
    await expect.poll(names).toContain('team-a')

    await p.getByTestId('group-edit-team-a').click()
    await field(p, 'group-name').fill('team-blue')
    await p.getByTestId('group-form-modal').getByRole('button', { name: 'Save' }).click()
    await expect.poll(names).toContain('team-blue')
    expect(await names()).not.toContain('team-a')
    await expect.poll(() => p.getByTestId('groups-table').innerText()).toContain('team-blue')
    expect(w.errors).toEqual([])
    await w.context.close()
  }, 60_000)

  it('role changes, disabling and removing from a group wait for a confirmation', async () => {
    const group = await admin.call<{ id: string }>('POST', '/admin/groups', { name: 'ops' })
    await admin.call('POST', `/admin/users/bob/groups/${group.id}`)
    const w = await signedInPage(browser, gw, who())
    const p = w.page
    await visit(p, '/users')
    const confirm = p.locator('.arco-modal:visible', { hasText: 'bob' })

    await p.getByTestId('user-role-bob').click()
    await p.locator('.arco-select-popup:visible .arco-select-option', { hasText: 'Superadmin' }).click()
    await expect.poll(() => confirm.count()).toBe(1)
    await shot(p, 'en-1280-user-role-confirm')
    expect((await user('bob')).role).toBe('user')
    await confirm.getByRole('button', { name: 'Cancel' }).click()
    await p.waitForTimeout(500)
    expect((await user('bob')).role).toBe('user')
    await p.getByTestId('user-role-bob').click()
    await p.locator('.arco-select-popup:visible .arco-select-option', { hasText: 'Admin' }).first().click()
    await confirm.getByRole('button', { name: 'Save' }).click()
    await expect.poll(async () => (await user('bob')).role).toBe('admin')

    await p.getByTestId('user-enabled-bob').click()
    await expect.poll(() => confirm.count()).toBe(1)
    expect((await user('bob')).disabled).toBe(false)
    await confirm.getByRole('button', { name: 'Disable' }).click()
    await expect.poll(async () => (await user('bob')).disabled).toBe(true)

    const memberships = async () =>
      (await admin.call<{ data: { id: string }[] }>('GET', '/admin/users/bob/groups')).data.length
    await p.getByTestId('user-groups-bob').click()
    await p.getByTestId('user-group-remove-ops').click()
    await expect.poll(() => p.locator('.arco-popconfirm:visible').count()).toBe(1)
    expect(await memberships()).toBe(1)
    await p.locator('.arco-popconfirm:visible .arco-btn-primary').click()
    await expect.poll(memberships).toBe(0)
    expect(w.errors).toEqual([])
    await w.context.close()
  }, 60_000)

  it('bulk: disables and enables the selected users', async () => {
    const w = await signedInPage(browser, gw, who())
    const p = w.page
    await visit(p, '/users')
    for (const name of ['carol', 'dave'])
      await p.locator(`[data-testid="users-table"] tr:has-text("${name}") .arco-checkbox`).first().click()
    await p.getByTestId('users-bulk-disable').click()
    await p.locator('.arco-popconfirm:visible .arco-btn-primary').click()
    await expect
      .poll(async () => [(await user('carol')).disabled, (await user('dave')).disabled])
      .toEqual([true, true])
    await p.locator('[data-testid="users-table"] tr:has-text("carol") .arco-checkbox').first().click()
    await p.getByTestId('users-bulk-enable').click()
    await p.locator('.arco-popconfirm:visible .arco-btn-primary').click()
    await expect.poll(async () => (await user('carol')).disabled).toBe(false)
    expect((await user('dave')).disabled).toBe(true)
    expect(w.errors).toEqual([])
    await w.context.close()
  }, 60_000)
})
