import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'

const kinds = await testDbKinds()

interface Ch {
  id: string
  name: string
  enabled: boolean
  status: string
  last_error: string | null
  response_ms: number | null
  groups: { id: string; name: string }[]
}

describe.each(kinds)('channels for the Channels page (%s)', (kind) => {
  let t: TestApp
  let admin: string
  let user: string
  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, jwt: string, payload?: unknown) => {
    const res = await t.inject({ method, url, headers: bearer(jwt), payload: payload as object })
    return { status: res.statusCode, body: res.json() as Record<string, unknown> }
  }
  const create = async (name: string, models: string[], port = 1) =>
    (
      await call('POST', '/admin/channels', admin, {
        name,
        provider: 'openai',
        base_url: `http://127.0.0.1:${port}/v1`,
        api_key: 'sk-admin-test-1234',
        models,
      })
    ).body as unknown as Ch

  beforeAll(async () => {
    t = await buildTestApp(kind)
    await t.createUser('root', 'root-password', 'admin')
    await t.createUser('dora', 'dora-password')
    admin = await t.login('root', 'root-password')
    user = await t.login('dora', 'dora-password')
  })
  afterAll(async () => t?.close())

  it('refuses a second channel of the same name (case and spaces ignored) with 409; a rename to itself is fine', async () => {
    const a = await create('Primary', ['gpt-4o'])
    const dup = await call('POST', '/admin/channels', admin, {
      name: ' primary ',
      provider: 'openai',
      base_url: 'http://127.0.0.1:1/v1',
      api_key: 'sk-x-1234',
    })
    expect(dup.status).toBe(409)
    const b = await create('secondary', ['gpt-4o'])
    expect((await call('PATCH', `/admin/channels/${b.id}`, admin, { name: 'PRIMARY' })).status).toBe(409)
    expect((await call('PATCH', `/admin/channels/${a.id}`, admin, { name: 'primary' })).status).toBe(200)
    expect((await call('PATCH', `/admin/channels/${a.id}`, admin, { weight: -5 })).status).toBe(400)
  })

  it('lists each channel’s groups, and a user’s models are those of enabled channels their groups link', async () => {
    const c = await create('grouped', ['model-a'], 2)
    const off = await create('grouped-off', ['model-b'], 3)
    const g = (await call('POST', '/admin/groups', admin, { name: 'team-dora' })).body as { id: string }
    for (const ch of [c, off]) await call('POST', `/admin/groups/${g.id}/channels/${ch.id}`, admin)
    await call('PATCH', `/admin/channels/${off.id}`, admin, { enabled: false })
    const list = (await call('GET', '/admin/channels', admin)).body.data as Ch[]
    expect(list.find((x) => x.id === c.id)?.groups).toEqual([{ id: g.id, name: 'team-dora' }])
    expect(list.find((x) => x.name === 'secondary')?.groups).toEqual([])
    expect((await call('GET', '/user/models', user)).body).toEqual({ data: [], total: 0 })
    await call('POST', `/admin/users/dora/groups/${g.id}`, admin)
    expect((await call('GET', '/user/models', user)).body).toEqual({ data: ['model-a'], total: 1 })
  })

  it('a test that cannot reach the upstream marks the channel unhealthy with the reason', async () => {
    const c = await create('unreachable', ['gpt-4o'], 9)
    const r = await call('POST', `/admin/channels/${c.id}/test`, admin, {})
    expect(r.status).toBe(200)
    expect(r.body.ok).toBe(false)
    const after = (await call('GET', `/admin/channels/${c.id}`, admin)).body as unknown as Ch
    expect(after.status).toBe('unhealthy')
    expect(after.last_error).toBeTruthy()
    expect(after.response_ms).not.toBeNull()
    const empty = await create('no-models', [], 9)
    expect((await call('POST', `/admin/channels/${empty.id}/test`, admin, {})).body.ok).toBe(false)
    expect(((await call('GET', `/admin/channels/${empty.id}`, admin)).body as unknown as Ch).status).toBe(
      'unhealthy',
    )
  })

  it('enables and disables several channels in one change, ignoring unknown ids', async () => {
    const a = await create('bulk-a', ['m'], 4)
    const b = await create('bulk-b', ['m'], 5)
    const r = await call('POST', '/admin/channels/bulk-enable', admin, {
      ids: [a.id, b.id, 'no-such-channel'],
      enabled: false,
    })
    expect(r.body).toMatchObject({ ok: true, count: 2 })
    for (const id of [a.id, b.id])
      expect(((await call('GET', `/admin/channels/${id}`, admin)).body as unknown as Ch).enabled).toBe(false)
    expect(
      (await call('POST', '/admin/channels/bulk-enable', user, { ids: [a.id], enabled: true })).status,
    ).toBe(403)
  })
})
