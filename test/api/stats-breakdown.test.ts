import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'

const kinds = await testDbKinds()

/** Above 2^53 nano-USD: a sum that ever passed through a JS number would be off. */
const HUGE = 9_007_199_254_740_993n

type Series = {
  id: string | null
  name: string | null
  other?: true
  request_count: number
  cost_nano: string
}
type Breakdown = {
  by: string
  series: Series[]
  data: { date: string; request_count: number[]; cost_nano: string[] }[]
}

describe.each(kinds)(
  'spend and requests over time split by user, model, key or group; top users (%s)',
  (kind) => {
    let t: TestApp
    let admin: string
    let alice: string
    const range = 'start_at=2024-03-09T00:00:00Z&end_at=2024-03-11T00:00:00Z&timezone=UTC'

    beforeAll(async () => {
      t = await buildTestApp(kind)
      await t.createUser('alice', 'alice-password')
      await t.createUser('bob', 'bob-password')
      await t.createUser('root', 'root-password', 'admin')
      alice = await t.login('alice', 'alice-password')
      admin = await t.login('root', 'root-password')
      const db = t.tdb.db.db
      const now = Date.now()
      await db
        .insertInto('groups')
        .values({
          id: 'grp-1',
          name: 'team-a',
          priority: 0,
          multiplier: 1,
          all_visible: 0,
          description: null,
          created_at: now,
        })
        .execute()
      for (const [id, name, user] of [
        ['tok-a', 'alice-main', 'alice'],
        ['tok-b', 'bob-key', 'bob'],
      ]) {
        await sql`INSERT INTO tokens (id, name, key_hash, key_prefix, username, created_at)
        VALUES (${id}, ${name}, ${`hash-${id}`}, 'sk-x', ${user}, ${now})`.execute(db)
      }
      const rows: [string, string, string, string | null, string, string, bigint][] = [
        ['r1', 'alice', 'tok-a', 'grp-1', 'gpt-4o', '2024-03-09T10:00:00Z', 1_000n],
        ['r2', 'alice', 'tok-a', 'grp-1', 'gpt-4o', '2024-03-10T10:00:00Z', 2_000n],
        ['r3', 'bob', 'tok-b', null, 'claude-3', '2024-03-10T11:00:00Z', HUGE],
        ['r4', 'bob', 'tok-b', null, 'gpt-4o', '2024-03-10T12:00:00Z', HUGE],
        // Outside the range.
        ['r5', 'alice', 'tok-a', 'grp-1', 'gpt-4o', '2024-03-12T10:00:00Z', 5n],
      ]
      for (const [id, user, token, group, model, at, cost] of rows) {
        await db
          .insertInto('usage_logs')
          .values({
            request_id: id,
            token_id: token,
            username: user,
            channel_id: null,
            group_id: group,
            protocol: 'openai',
            endpoint: 'chat/completions',
            model,
            upstream_model: model,
            input_tokens: 1,
            output_tokens: 1,
            cache_read_tokens: 0,
            cache_write_tokens: 0,
            reasoning_tokens: 0,
            cost_nano: cost,
            covered_by_package: 0,
            usage_source: 'reported',
            status: 200,
            error_code: null,
            is_stream: 0,
            duration_ms: 10,
            ttft_ms: null,
            created_at: Date.parse(at),
          })
          .execute()
      }
    })

    afterAll(async () => {
      await t?.close()
    })

    const get = async <T>(url: string, jwt: string): Promise<T> => {
      const res = await t.inject({ method: 'GET', url, headers: bearer(jwt) })
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200)
      return res.json() as T
    }

    it('splits by user: one series per user, ranked by spend, per day, sums exact', async () => {
      const r = await get<Breakdown>(`/admin/stats/breakdown?by=user&${range}`, admin)
      expect(r.series.map((s) => [s.id, s.request_count, s.cost_nano])).toEqual([
        ['bob', 2, (HUGE * 2n).toString()],
        ['alice', 2, '3000'],
      ])
      expect(r.data).toEqual([
        { date: '2024-03-09', request_count: [0, 1], cost_nano: ['0', '1000'], cost_usd: [0, 0.000001] },
        {
          date: '2024-03-10',
          request_count: [2, 1],
          cost_nano: [(HUGE * 2n).toString(), '2000'],
          cost_usd: [expect.any(Number), 0.000002],
        },
      ])
    })

    it('splits by model, key (with its name) and group (rows without a group as their own series)', async () => {
      const byModel = await get<Breakdown>(`/admin/stats/breakdown?by=model&${range}`, admin)
      expect(byModel.series.map((s) => [s.id, s.request_count])).toEqual([
        ['gpt-4o', 3],
        ['claude-3', 1],
      ])
      const byKey = await get<Breakdown>(`/admin/stats/breakdown?by=key&${range}`, admin)
      expect(byKey.series.map((s) => s.name)).toEqual(['bob-key', 'alice-main'])
      const byGroup = await get<Breakdown>(`/admin/stats/breakdown?by=group&${range}`, admin)
      expect(byGroup.series.map((s) => [s.id, s.name, s.request_count])).toEqual([
        [null, null, 2],
        ['grp-1', 'team-a', 2],
      ])
    })

    it('a user sees only their own rows, whatever they ask for', async () => {
      const r = await get<Breakdown>(`/user/stats/breakdown?by=user&${range}`, alice)
      expect(r.series.map((s) => s.id)).toEqual(['alice'])
      // A `username` is not part of the user route's query: it is dropped, and the answer is still the caller's.
      const asked = await get<Breakdown>(`/user/stats/breakdown?by=user&username=bob&${range}`, alice)
      expect(asked.series.map((s) => s.id)).toEqual(['alice'])
      expect(
        (await t.inject({ method: 'GET', url: `/admin/stats/top-users?${range}`, headers: bearer(alice) }))
          .statusCode,
      ).toBe(403)
    })

    it('lists the top users by spend with their requests', async () => {
      const r = await get<{ data: { username: string; request_count: number; cost_nano: string }[] }>(
        `/admin/stats/top-users?${range}`,
        admin,
      )
      expect(r.data.map((u) => [u.username, u.request_count, u.cost_nano])).toEqual([
        ['bob', 2, (HUGE * 2n).toString()],
        ['alice', 2, '3000'],
      ])
    })
  },
)
