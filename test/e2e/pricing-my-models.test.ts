import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findChromium, type Watched } from './support/browser.ts'
import { startAdminFixture, type AdminFixture } from './support/admin-fixture.ts'

const chromiumPath = findChromium()
const suite = chromiumPath ? describe : describe.skip

suite('issue 19 #3: a user sees which priced models they can actually use (Chromium)', () => {
  let f: AdminFixture
  let w: Watched
  let group: string

  beforeAll(async () => {
    f = await startAdminFixture(chromiumPath as string)
    for (const model_name of ['gpt-4o', 'claude-priced-only'])
      await f.api('POST', '/admin/prices', { model_name, unit: 'input_token', price_per_unit: 1 })
    const ch = await f.api<{ id: string }>('POST', '/admin/channels', {
      name: 'team-c-upstream',
      provider: 'openai',
      base_url: `${f.fake.url}/v1`,
      api_key: 'sk-team-c-1234',
      models: ['gpt-4o'],
    })
    group = (await f.api<{ id: string }>('POST', '/admin/groups', { name: 'team-c' })).body.id
    await f.api('POST', `/admin/groups/${group}/channels/${ch.body.id}`)
    await f.api('POST', '/admin/users', { username: 'carol', password: 'carol-pass-1234' })
    w = await f.signedIn({ who: ['carol', 'carol-pass-1234'] })
  }, 240_000)

  afterAll(async () => f?.close(), 60_000)

  it('tells a new user they can call nothing, then lists only what their group reaches', async () => {
    const page = w.page
    await page.goto('/pricing')
    await page.getByTestId('pricing-none-available').waitFor()

    expect((await f.api('POST', `/admin/users/carol/groups/${group}`)).status).toBeLessThan(300)
    await page.goto('/pricing')
    await page.getByTestId('pricing-available-gpt-4o').waitFor()
    expect(await page.getByTestId('pricing-none-available').count()).toBe(0)
    expect(await page.getByText('claude-priced-only').count()).toBe(0)
    // All priced models on request, the ones out of reach marked so.
    await page.getByTestId('pricing-only-mine').click()
    await page.getByTestId('pricing-unavailable-claude-priced-only').waitFor()
    expect(w.errors).toEqual([])
  })
})
