import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { toBool } from '../../src/infra/db/convert-row-values.ts'

const kinds = await testDbKinds()

describe.each(kinds)('channel flag responses_api (issue 17, %s)', (kind) => {
  let t: TestApp
  let admin: string
  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => {
    const res = await t.inject({ method, url, headers: bearer(admin), payload: payload as object })
    return { status: res.statusCode, body: res.json() as Record<string, unknown> }
  }
  const stored = async (id: string) =>
    toBool(
      (
        await t.tdb.db.db
          .selectFrom('channels')
          .select('responses_api')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).responses_api,
    )

  beforeAll(async () => {
    t = await buildTestApp(kind)
    await t.createUser('root', 'root-password', 'admin')
    admin = await t.login('root', 'root-password')
  })
  afterAll(async () => t?.close())

  it('defaults to true, can be created false, and is changed by an update', async () => {
    const base = {
      provider: 'openai',
      base_url: 'http://127.0.0.1:1/v1',
      api_key: 'sk-test-1234',
      models: ['m'],
    }
    const plain = await call('POST', '/admin/channels', { ...base, name: 'openai-default' })
    expect(plain.status).toBe(201)
    expect(plain.body.responses_api).toBe(true)
    expect(await stored(plain.body.id as string)).toBe(true)

    const chatOnly = await call('POST', '/admin/channels', {
      ...base,
      name: 'deepseek',
      responses_api: false,
    })
    const id = chatOnly.body.id as string
    expect(chatOnly.body.responses_api).toBe(false)
    expect(await stored(id)).toBe(false)
    expect((await call('GET', `/admin/channels/${id}`)).body.responses_api).toBe(false)

    const on = await call('PATCH', `/admin/channels/${id}`, { responses_api: true })
    expect(on.status).toBe(200)
    expect(await stored(id)).toBe(true)
    // An update that does not name it leaves it alone.
    await call('PATCH', `/admin/channels/${id}`, { responses_api: false })
    await call('PATCH', `/admin/channels/${id}`, { weight: 3 })
    expect(await stored(id)).toBe(false)
  })

  it('refuses a value that is not a boolean', async () => {
    const r = await call('POST', '/admin/channels', {
      name: 'bad-flag',
      provider: 'openai',
      base_url: 'http://127.0.0.1:1/v1',
      api_key: 'sk-test-1234',
      responses_api: 'no',
    })
    expect(r.status).toBe(400)
  })
})
