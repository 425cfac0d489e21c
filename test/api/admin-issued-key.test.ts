import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'

const kinds = await testDbKinds()

describe.each(kinds)('issue 19: an administrator issues a key for a user (%s)', (kind) => {
  let t: TestApp
  let alice: string
  let admin: string

  beforeAll(async () => {
    t = await buildTestApp(kind)
    await t.createUser('alice', 'alice-password')
    await t.createUser('root', 'root-password', 'admin')
    alice = await t.login('alice', 'alice-password')
    admin = await t.login('root', 'root-password')
  })
  afterAll(async () => t?.close())

  const issue = (jwt: string, payload: object) =>
    t.inject({ method: 'POST', url: '/admin/tokens', headers: bearer(jwt), payload })

  it("creates the key as the user's, returns its plaintext once, and audits it without the secret", async () => {
    const res = await issue(admin, { username: 'alice', name: 'issued-by-admin', quota_usd: 2.5 })
    expect(res.statusCode).toBe(201)
    const key = res.json() as { id: string; key: string; username: string; quota_usd: number }
    expect(key).toMatchObject({ username: 'alice', quota_usd: 2.5 })
    expect(key.key).toMatch(/^sk-/)

    const mine = (await t.inject({ method: 'GET', url: '/user/tokens', headers: bearer(alice) })).json() as {
      data: { id: string; key?: string }[]
    }
    expect(mine.data.map((k) => k.id)).toContain(key.id)
    expect(mine.data.find((k) => k.id === key.id)?.key).toBeUndefined()

    const audit = await t.tdb.db.db
      .selectFrom('admin_audit')
      .selectAll()
      .where('action', '=', 'token.issue')
      .execute()
    expect(audit).toHaveLength(1)
    const row = Object.values(audit[0]).map(String).join(' ')
    expect(row).toContain(key.id)
    expect(row).toContain('issued-by-admin')
    expect(row).not.toContain(key.key)
  })

  it('refuses an unknown user (404), a user caller (403) and a bad body (400), writing nothing', async () => {
    const before = await t.tdb.db.db.selectFrom('tokens').select('id').execute()
    expect((await issue(admin, { username: 'nobody', name: 'x' })).statusCode).toBe(404)
    expect((await issue(alice, { username: 'alice', name: 'x' })).statusCode).toBe(403)
    expect((await issue(admin, { username: 'alice', name: '' })).statusCode).toBe(400)
    expect(await t.tdb.db.db.selectFrom('tokens').select('id').execute()).toHaveLength(before.length)
  })
})
