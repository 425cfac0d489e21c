import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { enAdmin } from '../../web/src/i18n/en-admin.ts'
import { freePort } from './support/gateway.ts'
import { field, findChromium, type Watched } from './support/browser.ts'
import { startAdminFixture, type AdminFixture } from './support/admin-fixture.ts'

const chromiumPath = findChromium()
const suite = chromiumPath ? describe : describe.skip

interface Ch {
  id: string
  name: string
  models: string[]
  enabled: boolean
  weight: number
  status: string
  last_error: string | null
  tags: string[]
}

/** Whether the element at the centre of `selector`'s box is that element or inside it (nothing covers it). */
async function hitAtCentre(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).evaluate((el) => {
    const r = el.getBoundingClientRect()
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)
    return r.width > 0 && top !== null && (el === top || el.contains(top))
  })
}

suite('issue 19: the Channels page (Chromium)', () => {
  let f: AdminFixture
  let w: Watched
  const channel = async (id: string) => (await f.api<Ch>('GET', `/admin/channels/${id}`)).body
  const create = async (body: Record<string, unknown>) => {
    const r = await f.api<Ch>('POST', '/admin/channels', {
      provider: 'openai',
      base_url: `${f.fake.url}/v1`,
      api_key: 'sk-channels-page-1234',
      ...body,
    })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    return r.body
  }
  const open = async () => {
    await w.page.goto('/channels')
    await w.page.getByTestId('channels-table').waitFor()
  }

  beforeAll(async () => {
    f = await startAdminFixture(chromiumPath as string)
    w = await f.signedIn()
  }, 240_000)

  afterAll(async () => f?.close(), 60_000)

  it('#2: at 1280 px Models and Health are visible and every action button is what its centre hits', async () => {
    const c = await create({
      name: 'layout-channel-with-a-long-name',
      base_url: `${f.fake.url}/v1/a/rather/long/path/segment`,
      models: ['gpt-4o', 'gpt-4o-mini', 'o3-mini'],
      model_mapping: { fast: 'gpt-4o-mini' },
    })
    await open()
    await w.page.getByTestId(`channel-edit-${c.id}`).waitFor()
    expect(await hitAtCentre(w.page, `[data-testid="channel-health-${c.id}"]`)).toBe(true)
    expect(await hitAtCentre(w.page, `[data-testid="channel-models-${c.id}"]`)).toBe(true)
    for (const id of ['edit', 'copy', 'fetch', 'test', 'delete'])
      expect(await hitAtCentre(w.page, `[data-testid="channel-${id}-${c.id}"]`), id).toBe(true)
  })

  it('#3: shows each channel’s groups and warns about a channel no group reaches', async () => {
    const c = await create({ name: 'lonely-channel', models: ['gpt-4o'] })
    await open()
    await expect.poll(() => w.page.getByTestId(`channel-nogroup-${c.id}`).isVisible()).toBe(true)
    expect(await w.page.getByTestId('channels-unreached').innerText()).toContain('lonely-channel')
    const g = await f.api<{ id: string }>('POST', '/admin/groups', { name: 'team-lonely' })
    expect(g.status).toBe(201)
    expect((await f.api('POST', `/admin/groups/${g.body.id}/channels/${c.id}`)).status).toBeLessThan(300)
    await open()
    await expect.poll(() => w.page.getByTestId(`channel-groups-${c.id}`).innerText()).toContain('team-lonely')
    expect(await w.page.getByTestId(`channel-nogroup-${c.id}`).count()).toBe(0)
  })

  it('#5: errors go once the field is fixed; typed models are kept and not joined; −5 and a duplicate name are refused', async () => {
    const page = w.page
    await create({ name: 'taken-name', models: ['gpt-4o'] })
    await open()
    await page.getByTestId('channel-create').click()
    await field(page, 'channel-base-url').fill('not a url')
    await page.getByTestId('channel-save').click()
    const errors = page.locator('.arco-drawer .arco-form-item [role="alert"]')
    await expect.poll(() => errors.allInnerTexts()).toContain('Required')
    await field(page, 'channel-name').fill('drawer-made')
    await field(page, 'channel-base-url').fill(`${f.fake.url}/v1`)
    await field(page, 'channel-api-key').fill('sk-drawer-made-5678')
    // The "Required" of the name and the URL error go as the fields are fixed, before the next Save.
    await expect.poll(() => errors.allInnerTexts()).toEqual([])
    // Typed fast: one name committed with Enter, the next still being typed when Save is pressed.
    await field(page, 'channel-models').pressSequentially('gpt-4o-mini')
    await field(page, 'channel-models').press('Enter')
    await field(page, 'channel-models').pressSequentially('gpt-4o')
    await field(page, 'channel-weight').fill('-5')
    await page.getByTestId('channel-save').click()
    await expect.poll(() => errors.allInnerTexts()).toHaveLength(1)
    const listed = async () => (await f.api<{ data: Ch[] }>('GET', '/admin/channels')).body.data
    expect((await listed()).some((c) => c.name === 'drawer-made')).toBe(false)
    await field(page, 'channel-weight').fill('3')
    await field(page, 'channel-name').fill('Taken-Name')
    await page.getByTestId('channel-save').click()
    await expect.poll(() => page.getByTestId('channel-form-error').innerText()).toContain('already exists')
    await field(page, 'channel-name').fill('drawer-made')
    await page.getByTestId('channel-save').click()
    await expect
      .poll(async () => (await listed()).find((c) => c.name === 'drawer-made')?.models)
      .toEqual(['gpt-4o-mini', 'gpt-4o'])
    const made = (await listed()).find((c) => c.name === 'drawer-made') as Ch
    expect(made.weight).toBe(3)
    // The server refuses them too.
    expect((await f.api('PATCH', `/admin/channels/${made.id}`, { weight: -5 })).status).toBe(400)
    expect((await f.api('PATCH', `/admin/channels/${made.id}`, { name: ' taken-name ' })).status).toBe(409)
    const dup = await f.api('POST', '/admin/channels', {
      name: 'TAKEN-NAME',
      provider: 'openai',
      base_url: `${f.fake.url}/v1`,
      api_key: 'sk-x-1234',
    })
    expect(dup.status).toBe(409)
  })

  it('#7: removing a model from a channel asks first', async () => {
    const c = await create({ name: 'confirm-remove', models: ['gpt-4o', 'o3-mini'] })
    await open()
    await w.page.getByTestId(`channel-models-${c.id}`).click()
    await w.page.getByTestId('channel-model-remove-o3-mini').click()
    await w.page.locator('.arco-popconfirm').waitFor()
    expect((await channel(c.id)).models).toEqual(['gpt-4o', 'o3-mini'])
    await w.page.locator('.arco-popconfirm .arco-btn-primary').click()
    await expect.poll(async () => (await channel(c.id)).models).toEqual(['gpt-4o'])
  })

  it('#9: a failed test marks the channel unhealthy with the reason', async () => {
    const closed = await freePort()
    const c = await create({
      name: 'unreachable',
      base_url: `http://127.0.0.1:${closed}/v1`,
      models: ['gpt-4o'],
    })
    await open()
    await w.page.getByTestId(`channel-test-${c.id}`).click()
    await w.page.getByTestId('channel-test-run').click()
    await w.page.getByTestId('channel-test-result').waitFor()
    await w.page.keyboard.press('Escape')
    await expect
      .poll(() => w.page.getByTestId(`channel-health-${c.id}`).innerText())
      .toBe(enAdmin['channels.health.error'])
    const after = await channel(c.id)
    expect(after.status).toBe('unhealthy')
    expect(after.last_error).toBeTruthy()
    expect(await w.page.getByTestId(`channel-error-${c.id}`).innerText()).not.toBe('')
  })

  it('test all, the response time column, search and tag filter', async () => {
    const a = await create({ name: 'search-alpha', models: ['gpt-4o'], tags: ['primary'] })
    const b = await create({ name: 'search-beta', models: ['gpt-4o-mini'], tags: ['backup'] })
    await open()
    await field(w.page, 'channels-search').fill('search-')
    await expect.poll(() => w.page.locator('[data-testid^="channel-edit-"]').count()).toBe(2)
    await w.page.getByTestId('channels-tag-filter').click()
    await w.page.locator('.arco-select-popup:visible .arco-select-option', { hasText: 'backup' }).click()
    await expect.poll(() => w.page.locator('[data-testid^="channel-edit-"]').count()).toBe(1)
    expect(await w.page.getByTestId(`channel-edit-${b.id}`).isVisible()).toBe(true)
    await w.page
      .getByTestId('channels-tag-filter')
      .locator('.arco-select-suffix, .arco-icon-hover')
      .first()
      .hover()
    await w.page.getByTestId('channels-tag-filter').locator('.arco-select-clear-icon').click()
    await expect.poll(() => w.page.locator('[data-testid^="channel-edit-"]').count()).toBe(2)
    await w.page.getByTestId('channels-test-all').click()
    for (const c of [a, b]) {
      await expect
        .poll(() => w.page.getByTestId(`channel-response-${c.id}`).innerText(), { timeout: 20_000 })
        .toMatch(/\d+ ms/)
      expect((await channel(c.id)).status).toBe('healthy')
    }
  })

  it('copies a channel, keeps only the chosen fetched models, and disables channels in bulk', async () => {
    const src = await create({ name: 'copy-source', models: ['gpt-4o', 'o3-mini'], tags: ['t1'], weight: 7 })
    await open()
    await w.page.getByTestId(`channel-copy-${src.id}`).click()
    expect(await field(w.page, 'channel-name').inputValue()).toBe('copy-source (copy)')
    await field(w.page, 'channel-api-key').fill('sk-copied-key-9999')
    await w.page.getByTestId('channel-save').click()
    const all = async () => (await f.api<{ data: Ch[] }>('GET', '/admin/channels')).body.data
    await expect.poll(async () => (await all()).some((c) => c.name === 'copy-source (copy)')).toBe(true)
    const copy = (await all()).find((c) => c.name === 'copy-source (copy)') as Ch
    expect(copy).toMatchObject({ models: ['gpt-4o', 'o3-mini'], tags: ['t1'], weight: 7 })

    await open()
    await w.page.getByTestId(`channel-fetch-${copy.id}`).click()
    await w.page.getByTestId('channel-fetch-list').waitFor()
    await w.page.getByTestId('channel-fetch-none').click()
    await w.page.getByTestId('channel-fetch-list').getByText('gpt-5', { exact: true }).click()
    await w.page.getByTestId('channel-fetch-save').click()
    await expect.poll(async () => (await channel(copy.id)).models).toEqual(['gpt-5'])

    await open()
    await field(w.page, 'channels-search').fill('copy-source')
    await expect.poll(() => w.page.locator('[data-testid^="channel-edit-"]').count()).toBe(2)
    await w.page.locator('.arco-table-th .arco-checkbox').first().click()
    await w.page.getByTestId('channels-bulk-disable').click()
    await expect
      .poll(async () => [(await channel(src.id)).enabled, (await channel(copy.id)).enabled])
      .toEqual([false, false])
    expect(w.errors.filter((e) => !/40\d|50\d/.test(e))).toEqual([])
  })
})
