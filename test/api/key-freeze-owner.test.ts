import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'

const kinds = await testDbKinds()

describe.each(kinds)("issue 15 defect 5: an owner cannot lift an administrator's freeze (%s)", (kind) => {
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

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, jwt: string, payload?: unknown) =>
    t.inject({ method, url, headers: bearer(jwt), payload: payload as object })

  async function newKey(): Promise<string> {
    const res = await call('POST', '/user/tokens', alice, { name: `k-${Math.random()}` })
    return (res.json() as { id: string }).id
  }
  async function stored(id: string) {
    const row = await t.tdb.db.db
      .selectFrom('tokens')
      .select(['frozen', 'frozen_by'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    return { frozen: Number(row.frozen) === 1, frozen_by: row.frozen_by }
  }

  it('keeps a key frozen by an admin frozen: the owner gets 403 key_frozen_by_admin on every way to unfreeze', async () => {
    const id = await newKey()
    const frozen = await call('POST', `/admin/tokens/${id}/freeze`, admin)
    expect(frozen.statusCode).toBe(200)
    expect(frozen.json()).toMatchObject({ frozen: true })

    for (const [method, body] of [
      ['PATCH', undefined],
      ['PATCH', { frozen: false }],
      ['POST', { frozen: false }],
    ] as const) {
      const res = await call(method, `/user/tokens/${id}/freeze`, alice, body)
      expect(res.statusCode, `${method} ${JSON.stringify(body)}`).toBe(403)
      expect((res.json() as { error: { code: string } }).error.code).toBe('key_frozen_by_admin')
    }
    expect(frozen.json()).toMatchObject({ frozen_by: 'admin' })
    expect(await stored(id)).toEqual({ frozen: true, frozen_by: 'root' })
    // Freezing it again as the owner does not turn the admin's freeze into the owner's.
    expect((await call('POST', `/user/tokens/${id}/freeze`, alice)).statusCode).toBe(200)
    expect((await call('PATCH', `/user/tokens/${id}/freeze`, alice)).statusCode).toBe(403)
    expect(await stored(id)).toEqual({ frozen: true, frozen_by: 'root' })
    const listed = (await call('GET', '/user/tokens', alice)).json() as { data: { id: string }[] }
    expect(listed.data.find((k) => k.id === id)).toMatchObject({ frozen: true, frozen_by: 'admin' })

    // An admin lifts it; then the key is the owner's to freeze and unfreeze again.
    const lifted = await call('PATCH', `/admin/tokens/${id}/freeze`, admin)
    expect(lifted.json()).toMatchObject({ frozen: false, frozen_by: null })
    expect(await stored(id)).toEqual({ frozen: false, frozen_by: null })
    expect((await call('POST', `/user/tokens/${id}/freeze`, alice)).json()).toMatchObject({
      frozen: true,
      frozen_by: 'owner',
    })
    expect((await call('PATCH', `/user/tokens/${id}/freeze`, alice)).statusCode).toBe(200)
    expect(await stored(id)).toEqual({ frozen: false, frozen_by: null })
  })

  it("lets the owner lift their own freeze, and an admin's freeze of an owner-frozen key takes it over", async () => {
    const id = await newKey()
    expect((await call('POST', `/user/tokens/${id}/freeze`, alice)).statusCode).toBe(200)
    expect(await stored(id)).toEqual({ frozen: true, frozen_by: 'alice' })
    expect((await call('PATCH', `/user/tokens/${id}/freeze`, alice)).json()).toMatchObject({ frozen: false })

    expect((await call('POST', `/user/tokens/${id}/freeze`, alice)).statusCode).toBe(200)
    expect((await call('POST', `/admin/tokens/${id}/freeze`, admin)).statusCode).toBe(200)
    expect(await stored(id)).toEqual({ frozen: true, frozen_by: 'root' })
    expect((await call('PATCH', `/user/tokens/${id}/freeze`, alice)).statusCode).toBe(403)
  })

  it('treats a key frozen before who-froze-it was recorded as frozen by an admin', async () => {
    const id = await newKey()
    await t.tdb.db.db.updateTable('tokens').set({ frozen: 1, frozen_by: null }).where('id', '=', id).execute()
    expect((await call('PATCH', `/user/tokens/${id}/freeze`, alice)).statusCode).toBe(403)
    expect((await call('PATCH', `/admin/tokens/${id}/freeze`, admin)).statusCode).toBe(200)
  })

  it("an owner's unfreeze racing an admin's freeze never leaves the key unfrozen", async () => {
    for (let i = 0; i < 15; i++) {
      const id = await newKey()
      await call('POST', `/user/tokens/${id}/freeze`, alice)
      const [byAdmin, byOwner] = await Promise.all([
        call('POST', `/admin/tokens/${id}/freeze`, admin),
        call('PATCH', `/user/tokens/${id}/freeze`, alice),
      ])
      expect(byAdmin.statusCode).toBe(200)
      expect([200, 403]).toContain(byOwner.statusCode)
      // Whichever came first, the admin's freeze is the one that stands.
      expect(await stored(id)).toEqual({ frozen: true, frozen_by: 'root' })
    }
  })
})
