import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { hashApiKey } from '../../src/infra/crypto/api-key.ts'

const kinds = await testDbKinds()

describe.each(kinds)(
  'API keys are private to their owner and never stored or shown in plaintext (%s)',
  (kind) => {
    let t: TestApp
    let alice: string
    let bob: string
    let admin: string
    const responses: string[] = []
    const CHANNEL_KEY = 'sk-channel-canary-Zq8Hk2Vn5Tx9Wc3Ry7Pm4Ls6'

    async function call(
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
      url: string,
      jwt: string,
      payload?: unknown,
    ) {
      const res = await t.inject({ method, url, headers: bearer(jwt), payload: payload as object })
      responses.push(JSON.stringify(res.headers) + res.body)
      return res
    }

    beforeAll(async () => {
      t = await buildTestApp(kind)
      await t.createUser('alice', 'alice-password')
      await t.createUser('bob', 'bob-password')
      await t.createUser('root', 'root-password', 'admin')
      alice = await t.login('alice', 'alice-password')
      bob = await t.login('bob', 'bob-password')
      admin = await t.login('root', 'root-password')
    })
    afterAll(async () => t?.close())

    it('isolates keys between users, lets admins freeze and revoke, and never leaks a plaintext key', async () => {
      const created = await call('POST', '/user/tokens', alice, { name: 'alice-key' })
      expect(created.statusCode).toBe(201)
      const token = created.json() as { id: string; key: string; key_prefix: string }
      expect(token.key).toMatch(/^sk-[A-Za-z0-9]{48}$/)
      const plaintext = token.key

      // Bob cannot see, change, freeze or delete Alice's key: 404, as if it did not exist.
      expect((await call('GET', `/user/tokens/${token.id}`, bob)).statusCode).toBe(404)
      expect((await call('PATCH', `/user/tokens/${token.id}`, bob, { name: 'pwned' })).statusCode).toBe(404)
      expect((await call('POST', `/user/tokens/${token.id}/freeze`, bob)).statusCode).toBe(404)
      expect((await call('PATCH', `/user/tokens/${token.id}/freeze`, bob)).statusCode).toBe(404)
      expect((await call('DELETE', `/user/tokens/${token.id}`, bob)).statusCode).toBe(404)
      const bobList = (await call('GET', '/user/tokens', bob)).json() as { data: unknown[]; total: number }
      expect(bobList.total).toBe(0)
      const row = await t.tdb.db.db
        .selectFrom('tokens')
        .selectAll()
        .where('id', '=', token.id)
        .executeTakeFirstOrThrow()
      expect(row.name).toBe('alice-key')
      expect(Number(row.frozen)).toBe(0)
      expect(row.key_hash).toBe(hashApiKey(plaintext))

      // A group Alice cannot see: 403; an all-visible group: fine.
      const hidden = (
        await call('POST', '/admin/groups', admin, { name: 'hidden', all_visible: false })
      ).json() as { id: string }
      const open = (
        await call('POST', '/admin/groups', admin, { name: 'open', all_visible: true })
      ).json() as { id: string }
      expect(
        (await call('PATCH', `/user/tokens/${token.id}`, alice, { group_id: hidden.id })).statusCode,
      ).toBe(403)
      expect((await call('POST', '/user/tokens', alice, { name: 'x', group_id: hidden.id })).statusCode).toBe(
        403,
      )
      expect((await call('PATCH', `/user/tokens/${token.id}`, alice, { group_id: open.id })).statusCode).toBe(
        200,
      )
      await call('POST', `/admin/users/alice/groups/${hidden.id}`, admin)
      expect(
        (await call('PATCH', `/user/tokens/${token.id}`, alice, { group_id: hidden.id })).statusCode,
      ).toBe(200)

      // Alice's own freeze and unfreeze.
      expect((await call('POST', `/user/tokens/${token.id}/freeze`, alice)).json()).toMatchObject({
        frozen: true,
      })
      expect((await call('PATCH', `/user/tokens/${token.id}/freeze`, alice)).json()).toMatchObject({
        frozen: false,
      })

      // An admin sees every key (prefix only), freezes and revokes.
      const all = (await call('GET', '/admin/tokens', admin)).json() as {
        data: { id: string; username: string }[]
      }
      expect(all.data.find((k) => k.id === token.id)?.username).toBe('alice')
      expect((await call('POST', `/admin/tokens/${token.id}/freeze`, admin)).json()).toMatchObject({
        frozen: true,
      })
      expect((await call('DELETE', `/admin/tokens/${token.id}`, admin)).statusCode).toBe(204)
      expect((await call('GET', `/user/tokens/${token.id}`, alice)).statusCode).toBe(404)
      const audit = await t.tdb.db.db
        .selectFrom('admin_audit')
        .select('action')
        .where('target', '=', token.id)
        .execute()
      expect(audit.map((a) => a.action).sort()).toEqual(['token.freeze', 'token.revoke'])

      // A channel key: encrypted at rest, masked in every response.
      const ch = await call('POST', '/admin/channels', admin, {
        name: 'c',
        provider: 'openai',
        base_url: 'http://127.0.0.1:9/v1',
        api_key: CHANNEL_KEY,
        models: ['m'],
      })
      expect(ch.statusCode).toBe(201)
      expect((ch.json() as { api_key: string }).api_key).toBe(
        'sk-…Lls6'.replace('Lls6', CHANNEL_KEY.slice(-4)),
      )
      await call('GET', '/admin/channels', admin)
      await call('PATCH', `/admin/channels/${(ch.json() as { id: string }).id}`, admin, {
        api_key: CHANNEL_KEY + 'X',
      })
      await call('GET', '/admin/audit', admin)

      // Scan every response after creation, the process output and the database bytes.
      const afterCreation = responses.slice(1).join('\n')
      for (const secret of [plaintext, CHANNEL_KEY]) {
        expect(afterCreation.includes(secret)).toBe(false)
        expect(t.logs.join('\n').includes(secret)).toBe(false)
      }
      if (kind === 'sqlite') {
        // Force nothing: the WAL file must be clean too, so scan it before any checkpoint.
        const files = readdirSync(t.tdb.dir).filter((f) => f.startsWith('gateway.db'))
        expect(files).toContain('gateway.db-wal')
        for (const f of files) {
          const bytes = readFileSync(path.join(t.tdb.dir, f))
          for (const secret of [plaintext, CHANNEL_KEY, CHANNEL_KEY.slice(3)]) {
            expect(bytes.includes(Buffer.from(secret)), `${f} holds a secret`).toBe(false)
          }
        }
      } else {
        const dump = await sql<{
          t: string
        }>`select concat_ws('|', (select string_agg(row_to_json(x)::text, ',') from tokens x), (select string_agg(row_to_json(c)::text, ',') from channels c), (select string_agg(row_to_json(a)::text, ',') from admin_audit a)) as t`.execute(
          t.tdb.db.db,
        )
        const text = dump.rows[0].t
        expect(text.length).toBeGreaterThan(100)
        for (const secret of [plaintext, CHANNEL_KEY]) expect(text.includes(secret)).toBe(false)
      }
    })
  },
)
