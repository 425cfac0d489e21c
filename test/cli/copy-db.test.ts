import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer } from '../support/build-test-app.ts'
import { MODELS, startProxyFixture, waitForOutcomes, type ProxyFixture } from '../support/proxy-fixture.ts'
import { requireService } from '../support/services.ts'
import { createEmptyPostgres, type EmptyPostgres } from '../support/create-empty-postgres.ts'
import { REPO_ROOT, spawnGateway } from '../support/spawn-gateway.ts'
import { createDb, type Db } from '../../src/infra/db/create-db.ts'
import { CLI, runAnyGateway } from './run-any-gateway.ts'

const hasPostgres = await requireService('PostgreSQL', '127.0.0.1', 5432)

/** Every table's rows, as comparable text, in a fixed order: what must be identical on both sides. */
async function dump(db: Db, table: string): Promise<string[]> {
  const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db.db)
  return rows
    .map((r) =>
      JSON.stringify(
        Object.keys(r)
          .sort()
          .map((k) => [k, r[k] === null ? null : String(r[k] as string | number | bigint)]),
      ),
    )
    .sort()
}

describe.skipIf(!hasPostgres)(
  'any-gateway copy-db: a populated SQLite gateway moves to PostgreSQL',
  { timeout: 300_000 },
  () => {
    let f: ProxyFixture
    let target: EmptyPostgres
    let copied: Db
    let sqlitePath: string
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gw-copied-'))

    const chat = (key: string) =>
      request(`${f.gateway}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: 'hi' }] }),
      })
    const admin = async (method: 'POST' | 'PUT', url: string, payload: unknown, jwt = f.adminJwt) => {
      const res = await f.t.inject({ method, url, headers: bearer(jwt), payload: payload as object })
      expect(res.statusCode, res.body).toBeLessThan(300)
      return res.json() as Record<string, unknown>
    }

    beforeAll(async () => {
      f = await startProxyFixture('sqlite')
      sqlitePath = f.t.tdb.url.slice('sqlite:'.length)
      target = await createEmptyPostgres('gw_copy')
      // Something in every table: prices, a group price, a rule, vouchers (one redeemed), memberships, an
      // unlimited user, charged requests (usage rows, ledger rows), admin audit rows.
      await admin('POST', '/admin/prices', {
        model_name: MODELS.openai,
        unit: 'input_token',
        price_per_unit: 2.5,
      })
      await admin('POST', '/admin/prices', {
        model_name: MODELS.openai,
        unit: 'output_token',
        price_per_unit: 10,
      })
      await admin('POST', '/admin/group-prices', {
        group_id: f.groupId,
        model_name: 'gpt-5',
        unit: 'input_token',
        price_per_unit: 1.25,
      })
      await admin('POST', '/admin/rate-limits', {
        group_id: f.groupId,
        window_sec: 60,
        limit_type: 'request_limit',
        value: 100,
      })
      const vouchers = (await admin('POST', '/admin/vouchers', { amount_usd: 7.5, count: 2 })) as {
        vouchers: { code: string }[]
      }
      await admin('POST', '/user/vouchers/redeem', { code: vouchers.vouchers[0].code }, f.userJwt)
      const other = await admin('POST', '/admin/groups', { name: 'other', priority: 1 })
      await admin('POST', `/admin/users/user/groups/${String(other.id)}`, undefined)
      await f.t.createUser('rich', 'rich-password', 'user', null)
      const n = f.outcomes.length
      for (let i = 0; i < 3; i++) expect((await chat(f.key)).statusCode).toBe(200)
      await waitForOutcomes(f, n + 3)
      await f.t.audit.drain(10_000)
    }, 300_000)
    afterAll(async () => {
      await copied?.close()
      await f?.close()
      await target?.drop()
      rmSync(dataDir, { recursive: true, force: true })
    })

    it('copies every table with the same rows and balances, and refuses to copy into it a second time', async () => {
      const r = await runAnyGateway(
        ['copy-db', '--from', `sqlite:${sqlitePath}`, '--to', target.url, '--json'],
        {},
      )
      expect(r.status, r.stdout + r.stderr).toBe(0)
      const out = r.json<{ tables: { table: string; rows: number }[]; balances: Record<string, unknown> }>()

      copied = createDb({ kind: 'postgres', postgresUrl: target.url, poolSize: 2 })
      const source = f.t.tdb.db
      const { rows: tables } = await sql<{ name: string }>`
      select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(
        source.db,
      )
      const names = tables.map((t) => t.name)
      for (const required of [
        'users',
        'tokens',
        'channels',
        'balance_ledger',
        'usage_logs',
        'vouchers',
        'admin_audit',
      ]) {
        expect(names).toContain(required)
      }
      for (const table of names) {
        const [a, b] = [await dump(source, table), await dump(copied, table)]
        expect(b.length, table).toBe(a.length)
        if (!table.startsWith('kysely_')) {
          expect(b, table).toEqual(a)
          expect(out.tables.find((t) => t.table === table)?.rows, table).toBe(a.length)
        }
        if (
          ['users', 'tokens', 'usage_logs', 'balance_ledger', 'vouchers', 'group_members'].includes(table)
        ) {
          expect(a.length, `${table} holds rows`).toBeGreaterThan(0)
        }
      }
      // The balances, said again in numbers.
      const balances = async (db: Db) =>
        (
          await db.db
            .selectFrom('users')
            .select(['username', 'quota_nano', 'used_nano'])
            .orderBy('username')
            .execute()
        ).map((u) => [u.username, u.quota_nano === null ? null : String(u.quota_nano), String(u.used_nano)])
      expect(await balances(copied)).toEqual(await balances(source))
      expect((await balances(source)).find((u) => u[0] === 'rich')?.[1]).toBeNull()
      expect(out.balances).toMatchObject({ unlimited_users: expect.any(Number) as number })

      const again = await runAnyGateway(['copy-db', '--from', `sqlite:${sqlitePath}`, '--to', target.url], {})
      expect(again.status).toBe(1)
      expect(again.stderr).toContain('not empty')
      expect(await dump(copied, 'usage_logs')).toEqual(await dump(source, 'usage_logs'))
    })

    it('serves the same keys, logins and balances from PostgreSQL with the same secrets', async () => {
      const me = await f.t.inject({ method: 'GET', url: '/auth/me', headers: bearer(f.userJwt) })
      const gateway = await spawnGateway({
        command: process.execPath,
        args: [CLI, 'start'],
        cwd: REPO_ROOT,
        env: {
          DATABASE_URL: target.url,
          JWT_SECRET: f.t.secrets.jwt,
          ENCRYPTION_KEY: f.t.secrets.encryptionKey,
          DATA_DIR: dataDir,
        },
      })
      try {
        const login = await request(`${gateway.url}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'user', password: 'user-password' }),
        })
        expect(login.statusCode).toBe(200)
        const jwt = ((await login.body.json()) as { access_token: string }).access_token
        const meThere = await request(`${gateway.url}/auth/me`, { headers: bearer(jwt) })
        expect(await meThere.body.json()).toMatchObject({
          quota_usd: (me.json() as { quota_usd: number }).quota_usd,
        })

        // The key made on SQLite, and the channel key encrypted there, work as they did.
        f.upstream.clearRequests()
        const res = await request(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: 'hi' }] }),
        })
        expect(res.statusCode, await res.body.text()).toBe(200)
        expect(f.upstream.requests.at(-1)?.headers.authorization).toBe(
          'Bearer sk-upstream-openai-canary-7Hq2',
        )
        const bad = await request(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: {
            authorization: 'Bearer sk-never-issued-0000000000000000',
            'content-type': 'application/json',
          },
          body: '{}',
        })
        await bad.body.text()
        expect(bad.statusCode).toBe(401)
      } finally {
        expect(await gateway.stop()).toBe(0)
      }
    })
  },
)
