import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'

const kinds = await testDbKinds()

/** A money amount above 2^53 nano-USD: sums of it are wrong if they ever pass through a JS number. */
const HUGE = 9_007_199_254_740_993n

interface Row {
  id: string
  user: string
  token: string | null
  channel: string | null
  model: string | null
  at: string
  input: number
  output: number
  cacheRead?: number
  cacheWrite?: number
  cost: bigint
  covered?: boolean
  status: number
}

/**
 * The data set. Local days of each row (UTC / Asia/Shanghai +8 / America/New_York, DST from 2024-03-10 07:00Z):
 * r1 03-09/03-09/03-09, r2 03-09/03-10/03-09 (23:30 UTC), r3 03-10/03-10/03-10 (01:30 EST),
 * r7 03-09, r8 03-09, r4 03-11/03-11/03-11 (00:30 EDT — 03-10 with a fixed EST offset),
 * r5, r6 03-10/03-10/03-09 (23:30 and 23:45 EST — 03-10 with a fixed EDT offset).
 */
const row = (
  id: string,
  user: string,
  token: string | null,
  channel: string | null,
  model: string | null,
  at: string,
  [input, output]: [number, number],
  cost: bigint,
  status: number,
  extra: Partial<Row> = {},
): Row => ({ id, user, token, channel, model, at, input, output, cost, status, ...extra })

const ROWS: Row[] = [
  row('r1', 'alice', 'tok-a1', 'ch-1', 'gpt-4o', '2024-03-09T12:00:00Z', [100, 50], 1_000_000_000n, 200, {
    cacheRead: 10,
    cacheWrite: 5,
  }),
  row('r2', 'alice', 'tok-a1', 'ch-1', 'gpt-4o', '2024-03-09T23:30:00Z', [200, 100], 2_500_000_000n, 200, {
    cacheRead: 20,
    covered: true,
  }),
  row('r3', 'alice', 'tok-a2', 'ch-2', 'claude-3', '2024-03-10T06:30:00Z', [300, 0], 500_000_000n, 429),
  row('r7', 'alice', null, null, null, '2024-03-09T12:30:00Z', [0, 0], 0n, 401),
  row('r8', 'alice', 'tok-a2', 'ch-1', '=HYPERLINK("x")', '2024-03-09T13:00:00Z', [1, 1], 1n, 200),
  row('r4', 'bob', 'tok-b1', 'ch-1', 'gpt-4o', '2024-03-11T04:30:00Z', [1000, 500], 3_000_000_000n, 200),
  row('r5', 'bob', 'tok-b1', 'ch-2', 'gemini-pro', '2024-03-10T04:30:00Z', [1, 1], HUGE, 500),
  row('r6', 'bob', 'tok-b1', 'ch-2', 'gemini-pro', '2024-03-10T04:45:00Z', [1, 1], HUGE, 200),
]

const usd = (nano: bigint) => Number(nano) / 1e9

type List = { data: Record<string, unknown>[]; total: number; page: number; page_size: number }

describe.each(kinds)('stats computed in SQL, per time zone, per user (%s)', (kind) => {
  let t: TestApp
  let alice: string
  let bob: string
  let admin: string

  const get = async (url: string, jwt: string) => t.inject({ method: 'GET', url, headers: bearer(jwt) })
  const json = async <T = Record<string, unknown>>(url: string, jwt: string): Promise<T> => {
    const res = await get(url, jwt)
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200)
    return res.json() as T
  }

  beforeAll(async () => {
    t = await buildTestApp(kind)
    await t.createUser('alice', 'alice-password')
    await t.createUser('bob', 'bob-password')
    await t.createUser('root', 'root-password', 'admin')
    alice = await t.login('alice', 'alice-password')
    bob = await t.login('bob', 'bob-password')
    admin = await t.login('root', 'root-password')
    const db = t.tdb.db.db
    const now = Date.now()
    for (const [id, name] of [
      ['ch-1', 'primary'],
      ['ch-2', 'backup'],
    ]) {
      await sql`INSERT INTO channels (id, name, provider, base_url, api_key_enc, api_key_hint, created_at, updated_at)
        VALUES (${id}, ${name}, 'openai', 'http://127.0.0.1:1/v1', 'x', 'x', ${now}, ${now})`.execute(db)
    }
    for (const [id, name, user] of [
      ['tok-a1', 'alice-main', 'alice'],
      ['tok-a2', 'alice-second', 'alice'],
      ['tok-b1', 'bob-key', 'bob'],
    ]) {
      await sql`INSERT INTO tokens (id, name, key_hash, key_prefix, username, created_at)
        VALUES (${id}, ${name}, ${`hash-${id}`}, 'sk-x', ${user}, ${now})`.execute(db)
    }
    // One row of today, for the default ranges.
    const rows: Row[] = [
      ...ROWS,
      row('r9', 'alice', 'tok-a1', 'ch-1', 'gpt-4o', new Date(now).toISOString(), [3, 4], 7n, 200),
    ]
    for (const r of rows) {
      await db
        .insertInto('usage_logs')
        .values({
          request_id: r.id,
          token_id: r.token,
          username: r.user,
          channel_id: r.channel,
          group_id: null,
          protocol: 'openai',
          endpoint: 'chat/completions',
          model: r.model,
          upstream_model: r.model,
          input_tokens: r.input,
          output_tokens: r.output,
          cache_read_tokens: r.cacheRead ?? 0,
          cache_write_tokens: r.cacheWrite ?? 0,
          reasoning_tokens: 0,
          cost_nano: r.cost,
          covered_by_package: r.covered ? 1 : 0,
          usage_source: 'reported',
          status: r.status,
          error_code: r.status >= 400 ? 'upstream_error' : null,
          is_stream: 0,
          duration_ms: 10,
          ttft_ms: null,
          created_at: Date.parse(r.at),
        })
        .execute()
    }
  })
  afterAll(async () => t?.close())

  const MARCH = 'start_at=2024-03-09&end_at=2024-03-11'

  it('overview: exact sums, package-covered cost excluded from actual cost, user scope', async () => {
    const mine = await json(`/user/stats/overview?start_at=2024-03-09&end_at=2024-03-10`, alice)
    expect(mine).toMatchObject({
      total_cost_usd: 4.000000001,
      actual_cost_usd: 1.500000001,
      request_count: 5,
      total_token_usage: 752,
      input_tokens: 601,
      output_tokens: 151,
      total_cost_nano: '4000000001',
      actual_cost_nano: '1500000001',
      date: '2024-03-09',
    })
    // A user cannot widen the scope with `username`.
    const bobs = await json(`/user/stats/overview?${MARCH}&username=alice`, bob)
    const bobTotal = 2n * HUGE + 3_000_000_000n
    expect(bobs).toMatchObject({
      request_count: 3,
      total_cost_nano: bobTotal.toString(),
      total_cost_usd: usd(bobTotal),
    })

    const all = await json(`/admin/stats/overview?${MARCH}`, admin)
    const total = bobTotal + 4_000_000_001n
    expect(all).toMatchObject({
      request_count: 8,
      total_cost_nano: total.toString(),
      total_cost_usd: usd(total),
    })
    expect(all.actual_cost_nano).toBe((total - 2_500_000_000n).toString())
    const onlyBob = await json(`/admin/stats/overview?${MARCH}&username=bob`, admin)
    expect(onlyBob.total_cost_nano).toBe(bobTotal.toString())

    // Default: today (only r9 is today).
    const today = await json('/user/stats/overview', alice)
    expect(today).toMatchObject({ request_count: 1, total_cost_nano: '7', total_token_usage: 7 })
    expect(today.date).toBe(new Date().toISOString().slice(0, 10))
  })

  it('usage: daily × model buckets in UTC, sorted with deterministic ties', async () => {
    const r = await json<List>(`/user/stats/usage?${MARCH}`, alice)
    expect(r.total).toBe(4)
    expect(r.page).toBe(1)
    expect(r.page_size).toBe(20)
    expect(r.data.map((d) => [d.date, d.model])).toEqual([
      ['2024-03-10', 'claude-3'],
      ['2024-03-09', null],
      ['2024-03-09', '=HYPERLINK("x")'],
      ['2024-03-09', 'gpt-4o'],
    ])
    expect(r.data[3]).toEqual({
      date: '2024-03-09',
      model: 'gpt-4o',
      request_count: 2,
      input_tokens: 300,
      output_tokens: 150,
      cache_read_tokens: 30,
      cache_write_tokens: 5,
      cost_usd: 3.5,
      cost_nano: '3500000000',
      cache_creation_tokens: 5,
      total_cost_usd: 3.5,
    })
    expect(r.data.every((d) => !('username' in d))).toBe(true)
  })

  it('usage: a 23:30 UTC row belongs to the next day in Asia/Shanghai', async () => {
    const r = await json<List>(`/user/stats/usage?${MARCH}&timezone=Asia/Shanghai&sort_order=asc`, alice)
    expect(r.data.map((d) => [d.date, d.model, d.request_count, d.cost_nano])).toEqual([
      ['2024-03-09', null, 1, '0'],
      ['2024-03-09', '=HYPERLINK("x")', 1, '1'],
      ['2024-03-09', 'gpt-4o', 1, '1000000000'],
      ['2024-03-10', 'claude-3', 1, '500000000'],
      ['2024-03-10', 'gpt-4o', 1, '2500000000'],
    ])
  })

  it('usage (admin): America/New_York across the DST change, per user, sorted by cost, paged', async () => {
    const all = await json<List>(
      `/admin/stats/usage?${MARCH}&timezone=America/New_York&sort_by=cost&sort_order=desc`,
      admin,
    )
    expect(all.total).toBe(6)
    expect(all.data.map((d) => [d.date, d.username, d.model, d.request_count, d.cost_nano])).toEqual([
      ['2024-03-09', 'bob', 'gemini-pro', 2, (2n * HUGE).toString()],
      ['2024-03-09', 'alice', 'gpt-4o', 2, '3500000000'],
      ['2024-03-11', 'bob', 'gpt-4o', 1, '3000000000'],
      ['2024-03-10', 'alice', 'claude-3', 1, '500000000'],
      ['2024-03-09', 'alice', '=HYPERLINK("x")', 1, '1'],
      ['2024-03-09', 'alice', null, 1, '0'],
    ])
    const page2 = await json<{
      data: Record<string, unknown>[]
      total: number
      page: number
      page_size: number
    }>(`/admin/stats/usage?${MARCH}&timezone=America/New_York&sort_by=cost&page=2&page_size=2`, admin)
    expect(page2).toMatchObject({ total: 6, page: 2, page_size: 2 })
    expect(page2.data.map((d) => [d.date, d.username, d.model])).toEqual([
      ['2024-03-11', 'bob', 'gpt-4o'],
      ['2024-03-10', 'alice', 'claude-3'],
    ])
    const byTokens = await json<List>(
      `/admin/stats/usage?${MARCH}&sort_by=tokens&sort_order=desc&page_size=1`,
      admin,
    )
    expect(byTokens.data[0]).toMatchObject({ date: '2024-03-11', model: 'gpt-4o', username: 'bob' })
    const bobOnly = await json<List>(
      `/admin/stats/usage?${MARCH}&username=bob&sort_by=date&sort_order=asc`,
      admin,
    )
    expect(bobOnly.data.map((d) => [d.date, d.model])).toEqual([
      ['2024-03-10', 'gemini-pro'],
      ['2024-03-11', 'gpt-4o'],
    ])
    // Users never see another user's buckets.
    const bobsOwn = await json<List>(`/user/stats/usage?${MARCH}`, bob)
    expect(bobsOwn.data.map((d) => d.model).sort()).toEqual(['gemini-pro', 'gpt-4o'])
  })

  it('usage export: CSV with headers, no username column for users, formulas neutralised', async () => {
    const res = await get(`/user/stats/usage/export?start_at=2024-03-09&end_at=2024-03-10`, alice)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/csv/)
    expect(res.headers['content-disposition']).toBe('attachment; filename="usage-2024-03-09-2024-03-10.csv"')
    expect(res.body.split('\r\n')).toEqual([
      'date,model,request_count,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,cost_usd',
      '2024-03-10,claude-3,1,300,0,0,0,0.5',
      '2024-03-09,,1,0,0,0,0,0',
      `2024-03-09,"'=HYPERLINK(""x"")",1,1,1,0,0,0.000000001`,
      '2024-03-09,gpt-4o,2,300,150,30,5,3.5',
      '',
    ])
    const adminCsv = await get(
      `/admin/stats/usage/export?${MARCH}&sort_by=cost&timezone=America/New_York`,
      admin,
    )
    expect(adminCsv.statusCode).toBe(200)
    const lines = adminCsv.body.split('\r\n')
    expect(lines[0]).toBe(
      'date,username,model,request_count,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,cost_usd',
    )
    expect(lines[1]).toBe('2024-03-09,bob,gemini-pro,2,2,2,0,0,18014398.509481986')
    expect(lines).toHaveLength(8)
    const bobs = await get(`/user/stats/usage/export?${MARCH}`, bob)
    expect(bobs.body).not.toContain('alice')
    expect(bobs.body).not.toContain('claude')
  })

  it('tokens: top keys by spend with names; users only their own; default today', async () => {
    const all = await json<List>(`/admin/stats/tokens?${MARCH}`, admin)
    const bobTotal = 2n * HUGE + 3_000_000_000n
    const tokenFields = (d: Record<string, unknown>) => [
      d.token_id,
      d.token_name,
      d.username,
      d.total_cost_usd,
      d.cost_nano,
      d.request_count,
    ]
    expect(all.data.map(tokenFields)).toEqual([
      ['tok-b1', 'bob-key', 'bob', usd(bobTotal), bobTotal.toString(), 3],
      ['tok-a1', 'alice-main', 'alice', 3.5, '3500000000', 2],
      ['tok-a2', 'alice-second', 'alice', 0.500000001, '500000001', 2],
    ])
    expect(Object.keys(all.data[0])).toHaveLength(6)
    const mine = await json<List>(`/user/stats/tokens?${MARCH}`, alice)
    expect(mine.data.map((d) => d.token_id)).toEqual(['tok-a1', 'tok-a2'])
    const today = await json<List>('/user/stats/tokens', alice)
    expect(today.data.map(tokenFields)).toEqual([['tok-a1', 'alice-main', 'alice', 7e-9, '7', 1]])
    expect((await json<{ data: unknown[] }>('/user/stats/tokens', bob)).data).toEqual([])
  })

  it('models: per-model totals sorted by requests then name, paged; sort by model', async () => {
    const r = await json<List>(`/user/stats/models?${MARCH}`, alice)
    expect(r.total).toBe(4)
    expect(
      r.data.map((d) => [d.model, d.request_count, d.cost_usd, d.cost_nano, d.input_tokens, d.output_tokens]),
    ).toEqual([
      ['gpt-4o', 2, 3.5, '3500000000', 300, 150],
      [null, 1, 0, '0', 0, 0],
      ['=HYPERLINK("x")', 1, 1e-9, '1', 1, 1],
      ['claude-3', 1, 0.5, '500000000', 300, 0],
    ])
    expect(Object.keys(r.data[0]).sort()).toEqual([
      'cost_nano',
      'cost_usd',
      'input_tokens',
      'model',
      'output_tokens',
      'request_count',
    ])
    const page2 = await json<List>(`/user/stats/models?${MARCH}&page=2&page_size=2`, alice)
    expect(page2.data.map((d) => d.model)).toEqual(['=HYPERLINK("x")', 'claude-3'])
    const byName = await json<List>(`/user/stats/models?${MARCH}&sort_by=model&sort_order=asc`, alice)
    expect(byName.data.map((d) => d.model)).toEqual([null, '=HYPERLINK("x")', 'claude-3', 'gpt-4o'])
    const all = await json<List>(`/admin/stats/models?${MARCH}&sort_by=cost`, admin)
    expect(all.data[0]).toMatchObject({
      model: 'gemini-pro',
      request_count: 2,
      cost_nano: (2n * HUGE).toString(),
    })
    expect(all.data[1]).toMatchObject({ model: 'gpt-4o', request_count: 3, cost_nano: '6500000000' })
  })

  it('channels (admin only): requests, errors and spend per channel', async () => {
    const r = await json<List>(`/admin/stats/channels?${MARCH}`, admin)
    const ch2 = 2n * HUGE + 500_000_000n
    const fields = (d: Record<string, unknown>) => [
      d.channel_id,
      d.channel_name,
      d.request_count,
      d.error_count,
      d.cost_usd,
      d.cost_nano,
      d.input_tokens,
      d.output_tokens,
    ]
    expect(r.data.map(fields)).toEqual([
      ['ch-2', 'backup', 3, 2, usd(ch2), ch2.toString(), 302, 2],
      ['ch-1', 'primary', 4, 0, 6.500000001, '6500000001', 1301, 651],
      [null, null, 1, 1, 0, '0', 0, 0],
    ])
    expect(Object.keys(r.data[0])).toHaveLength(8)
    expect((await get(`/admin/stats/channels?${MARCH}`, alice)).statusCode).toBe(403)
  })

  it('timeseries: one point per local day of the range, empty days as zeros', async () => {
    const r = await json<List>(
      '/user/stats/timeseries?start_at=2024-03-08&end_at=2024-03-11&timezone=Asia/Shanghai',
      alice,
    )
    expect(r.data).toEqual([
      { date: '2024-03-08', request_count: 0, cost_usd: 0, cost_nano: '0', tokens: 0 },
      { date: '2024-03-09', request_count: 3, cost_usd: 1.000000001, cost_nano: '1000000001', tokens: 152 },
      { date: '2024-03-10', request_count: 2, cost_usd: 3, cost_nano: '3000000000', tokens: 600 },
      { date: '2024-03-11', request_count: 0, cost_usd: 0, cost_nano: '0', tokens: 0 },
    ])
    const ny = await json<List>(
      `/admin/stats/timeseries?${MARCH}&timezone=America/New_York&username=bob`,
      admin,
    )
    expect(ny.data.map((d) => [d.date, d.request_count])).toEqual([
      ['2024-03-09', 2],
      ['2024-03-10', 0],
      ['2024-03-11', 1],
    ])
  })

  it('refuses a bad time zone, a bad date and a reversed range with 400 naming the field', async () => {
    for (const [url, field] of [
      ['/user/stats/usage?timezone=Mars/Phobos', 'timezone'],
      ['/user/stats/overview?start_at=yesterday', 'start_at'],
      ['/user/stats/overview?start_at=2024-02-30', 'start_at'],
      ['/user/stats/overview?start_at=2024-03-10&end_at=2024-03-09', 'end_at'],
      ['/user/stats/usage?sort_by=password', 'sort_by'],
    ]) {
      const res = await get(url, alice)
      expect(res.statusCode, url).toBe(400)
      expect(res.body, url).toContain(field)
    }
  })
})
