import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'

const kinds = await testDbKinds()

type Op = 'demote' | 'disable' | 'delete'

describe.each(kinds)(
  'issue 15 defect 12: removing the last superadmins at once leaves one, never none (%s)',
  (kind) => {
    let t: TestApp
    /** A second gateway on the same database, as a second process would be. */
    let t2: TestApp
    let root: string
    let round = 0

    beforeAll(async () => {
      t = await buildTestApp(kind)
      t2 = await buildTestApp(kind, { shared: t })
      // The break-glass superadmin is no user row: it can remove both without being one of them.
      root = await t.login('_admin_fallback', t.secrets.fallbackKey)
    })
    afterAll(async () => {
      await t2?.close()
      await t?.close()
    })

    function run(op: Op, username: string, on: TestApp = t) {
      const headers = bearer(root)
      if (op === 'demote')
        return on.inject({
          method: 'PUT',
          url: `/admin/users/${username}/role`,
          headers,
          payload: { role: 'admin' },
        })
      if (op === 'disable')
        return t.inject({
          method: 'PATCH',
          url: `/admin/users/${username}`,
          headers,
          payload: { disabled: true },
        })
      return on.inject({ method: 'DELETE', url: `/admin/users/${username}`, headers })
    }

    async function activeSuperadmins(): Promise<string[]> {
      const rows = await t.tdb.db.db
        .selectFrom('users')
        .select('username')
        .where('role', '=', 'superadmin')
        .where('disabled', '=', 0)
        .execute()
      return rows.map((r) => r.username)
    }

    const pairs: [Op, Op][] = [
      ['demote', 'demote'],
      ['disable', 'disable'],
      ['delete', 'delete'],
      ['demote', 'disable'],
      ['demote', 'delete'],
      ['disable', 'delete'],
    ]

    it.each(pairs)('%s one and %s the other at the same time: exactly one succeeds', async (a, b) => {
      for (let i = 0; i < 4; i++) {
        // Only these two are superadmins in this round.
        await t.tdb.db.db.updateTable('users').set({ role: 'user' }).execute()
        const one = `sa${++round}a`
        const two = `sa${round}b`
        await t.createUser(one, 'password-one', 'superadmin')
        await t.createUser(two, 'password-two', 'superadmin')

        // Round by round, both on one gateway and on two gateways sharing the database.
        const [ra, rb] = await Promise.all([run(a, one), run(b, two, i % 2 === 0 ? t : t2)])
        const ok = [ra, rb].filter((r) => r.statusCode < 300)
        const refused = [ra, rb].filter((r) => r.statusCode >= 300)
        expect(ok, `${ra.statusCode} ${ra.body} / ${rb.statusCode} ${rb.body}`).toHaveLength(1)
        expect(refused[0].statusCode).toBe(409)
        expect((refused[0].json() as { error: { code: string } }).error.code).toBe('last_superadmin')
        expect(await activeSuperadmins()).toHaveLength(1)
      }
    })

    it('still lets one of two superadmins go, and refuses the last one alone', async () => {
      await t.tdb.db.db.updateTable('users').set({ role: 'user' }).execute()
      await t.createUser('keep', 'password-keep', 'superadmin')
      await t.createUser('leave', 'password-leave', 'superadmin')
      expect((await run('demote', 'leave')).statusCode).toBe(200)
      for (const op of ['demote', 'disable', 'delete'] as const) {
        const res = await run(op, 'keep')
        expect(res.statusCode).toBe(409)
      }
      expect(await activeSuperadmins()).toEqual(['keep'])
    })
  },
)
