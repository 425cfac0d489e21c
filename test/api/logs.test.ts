import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { createAuditWriter } from '../../src/infra/audit/create-audit-writer.ts'
import { makeTestAuditRecord } from '../support/make-test-audit-record.ts'

/** Every file the app opens through `fs/promises`, to prove that path-like ids never reach the file system. */
const opened = vi.hoisted(() => [] as string[])
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>()
  const open: typeof real.open = (file, ...rest) => {
    opened.push(String(file))
    return real.open(file, ...rest)
  }
  return { ...real, open, default: { ...real, open } }
})

const kinds = await testDbKinds()

interface Row {
  id: string
  user: string
  token: string | null
  channel: string | null
  model: string
  at: string
  status: number
  cost: bigint
  ip?: string
}

const ROWS: Row[] = [
  {
    id: 'log-a1',
    user: 'alice',
    token: 'tok-a1',
    channel: 'ch-1',
    model: 'gpt-4o',
    at: '2024-03-09T12:00:00Z',
    status: 200,
    cost: 1_000_000_000n,
    ip: '203.0.113.7',
  },
  {
    id: 'log-a2',
    user: 'alice',
    token: 'tok-a1',
    channel: 'ch-1',
    model: 'gpt-4o',
    at: '2024-03-09T23:30:00Z',
    status: 429,
    cost: 0n,
    ip: '2001:db8::1',
  },
  {
    id: 'log-a3',
    user: 'alice',
    token: 'tok-a2',
    channel: 'ch-2',
    model: 'claude-3',
    at: '2024-03-10T06:30:00Z',
    status: 500,
    cost: 0n,
  },
  {
    id: 'log-a4',
    user: 'alice',
    token: 'tok-a2',
    channel: 'ch-2',
    model: 'claude-3',
    at: '2024-03-10T08:00:00Z',
    status: 201,
    cost: 9_007_199_254_740_993n,
  },
  {
    id: 'log-b1',
    user: 'bob',
    token: 'tok-b1',
    channel: 'ch-1',
    model: 'gpt-4o',
    at: '2024-03-09T18:00:00Z',
    status: 200,
    cost: 2_000_000_000n,
    ip: '203.0.113.7',
  },
]

type Page = { data: Record<string, unknown>[]; total: number; page: number; page_size: number }

describe.each(kinds)('request logs and their audit records (%s)', (kind) => {
  let t: TestApp
  let alice: string
  let bob: string
  let admin: string

  const get = async (url: string, jwt: string) => t.inject({ method: 'GET', url, headers: bearer(jwt) })
  const list = async (url: string, jwt: string): Promise<Page> => {
    const res = await get(url, jwt)
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200)
    return res.json() as Page
  }
  const ids = (p: Page) => p.data.map((d) => d.request_id)

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
    await db
      .insertInto('groups')
      .values({
        id: 'grp-1',
        name: 'default',
        priority: 0,
        multiplier: 1,
        all_visible: 1,
        description: null,
        created_at: now,
      })
      .execute()
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
    for (const r of ROWS) {
      await db
        .insertInto('usage_logs')
        .values({
          request_id: r.id,
          token_id: r.token,
          username: r.user,
          channel_id: r.channel,
          group_id: 'grp-1',
          protocol: 'openai',
          endpoint: 'chat/completions',
          model: r.model,
          upstream_model: `${r.model}-2024`,
          input_tokens: 10,
          output_tokens: 5,
          cache_read_tokens: 2,
          cache_write_tokens: 1,
          reasoning_tokens: 3,
          cost_nano: r.cost,
          covered_by_package: 0,
          usage_source: 'reported',
          status: r.status,
          error_code: r.status >= 400 ? 'upstream_error' : null,
          is_stream: r.id === 'log-a1' ? 1 : 0,
          duration_ms: 120,
          ttft_ms: r.id === 'log-a1' ? 40 : null,
          created_at: Date.parse(r.at),
          client_ip: r.ip ?? null,
        })
        .execute()
    }
    // Audit files for every row except log-a4 (its file is "missing").
    const writer = createAuditWriter({
      dir: path.join(t.deps.config.DATA_DIR, 'sessions'),
      consumers: 2,
      mode: 'full',
    })
    for (const r of ROWS.filter((x) => x.id !== 'log-a4')) {
      writer.enqueue(
        makeTestAuditRecord(r.id, {
          created_at: new Date(r.at).toISOString(),
          username: r.user,
          token_id: r.token ?? undefined,
          channel_id: r.channel ?? undefined,
          channel_name: r.channel === 'ch-1' ? 'primary' : 'backup',
          upstream_url: 'https://upstream.example.com/v1/chat/completions',
          model: r.model,
          status: r.status,
        }),
      )
    }
    expect(await writer.close(10_000)).toBe(true)
  })
  afterAll(async () => t?.close())

  it('lists only the caller’s rows, newest first, with key names and no channel fields', async () => {
    const mine = await list('/user/logs', alice)
    expect(mine).toMatchObject({ total: 4, page: 1, page_size: 20 })
    expect(ids(mine)).toEqual(['log-a4', 'log-a3', 'log-a2', 'log-a1'])
    const first = mine.data.find((d) => d.request_id === 'log-a1')
    expect(first).toEqual({
      request_id: 'log-a1',
      created_at: '2024-03-09T12:00:00.000Z',
      username: 'alice',
      token_id: 'tok-a1',
      token_name: 'alice-main',
      model: 'gpt-4o',
      upstream_model: 'gpt-4o-2024',
      endpoint: 'chat/completions',
      protocol: 'openai',
      is_stream: true,
      status: 200,
      error_code: null,
      input_tokens: 10,
      output_tokens: 5,
      cache_read_tokens: 2,
      cache_write_tokens: 1,
      reasoning_tokens: 3,
      cost_usd: 1,
      cost_nano: '1000000000',
      covered_by_package: false,
      usage_source: 'reported',
      duration_ms: 120,
      ttft_ms: 40,
    })
    expect(mine.data.find((d) => d.request_id === 'log-a4')?.cost_nano).toBe('9007199254740993')
    for (const row of mine.data) {
      expect(row).not.toHaveProperty('channel_id')
      expect(row).not.toHaveProperty('channel_name')
      expect(row).not.toHaveProperty('group_id')
      expect(row).not.toHaveProperty('client_ip')
    }
    // `username` is not a user filter: Bob still sees only his own row.
    expect(ids(await list('/user/logs?username=alice', bob))).toEqual(['log-b1'])
    expect(ids(await list('/user/logs?token_id=tok-a1', bob))).toEqual([])
  })

  it('admin: everyone’s rows with channel and group, and the username filter', async () => {
    const all = await list('/admin/logs', admin)
    expect(all.total).toBe(5)
    expect(ids(all)).toEqual(['log-a4', 'log-a3', 'log-a2', 'log-b1', 'log-a1'])
    expect(all.data[0]).toMatchObject({ channel_id: 'ch-2', channel_name: 'backup', group_id: 'grp-1' })
    expect(ids(await list('/admin/logs?username=bob', admin))).toEqual(['log-b1'])
    expect((await get('/admin/logs', alice)).statusCode).toBe(403)
  })

  it('filters by model, status (success, error, class, exact code) and key', async () => {
    expect(ids(await list('/user/logs?model=claude-3', alice))).toEqual(['log-a4', 'log-a3'])
    expect(ids(await list('/user/logs?status=success', alice))).toEqual(['log-a4', 'log-a1'])
    expect(ids(await list('/user/logs?status=error', alice))).toEqual(['log-a3', 'log-a2'])
    expect(ids(await list('/user/logs?status=429', alice))).toEqual(['log-a2'])
    expect(ids(await list('/user/logs?status=5xx', alice))).toEqual(['log-a3'])
    expect(ids(await list('/user/logs?token_id=tok-a2', alice))).toEqual(['log-a4', 'log-a3'])
    expect(ids(await list('/admin/logs?token_id=tok-b1&status=success', admin))).toEqual(['log-b1'])
    expect((await get('/user/logs?status=ok', alice)).statusCode).toBe(400)
  })

  it('filters by date range in a time zone; a date-only end covers that whole day', async () => {
    expect(ids(await list('/user/logs?start_date=2024-03-09&end_date=2024-03-09', alice))).toEqual([
      'log-a2',
      'log-a1',
    ])
    // In Shanghai the 23:30 UTC row is on 03-10.
    expect(
      ids(await list('/user/logs?start_date=2024-03-09&end_date=2024-03-09&timezone=Asia/Shanghai', alice)),
    ).toEqual(['log-a1'])
    expect(ids(await list('/user/logs?start_date=2024-03-10&timezone=Asia/Shanghai', alice))).toEqual([
      'log-a4',
      'log-a3',
      'log-a2',
    ])
    expect(ids(await list('/user/logs?end_date=2024-03-09T23:30:00Z', alice))).toEqual(['log-a2', 'log-a1'])
    expect(ids(await list('/user/logs?start_date=2024-03-10T07:00:00%2B01:00', alice))).toEqual([
      'log-a4',
      'log-a3',
    ])
  })

  it('pages with a bounded page size', async () => {
    const p2 = await list('/user/logs?page=2&page_size=3', alice)
    expect(p2).toMatchObject({ total: 4, page: 2, page_size: 3 })
    expect(ids(p2)).toEqual(['log-a1'])
    expect(ids(await list('/user/logs?offset=1&limit=2', alice))).toEqual(['log-a3', 'log-a2'])
    const tooBig = await get('/user/logs?page_size=201', alice)
    expect(tooBig.statusCode).toBe(400)
    expect(tooBig.body).toContain('page_size')
  })

  it('filters by key name or id and (admins) by channel; a user’s channel filter has no effect', async () => {
    expect(ids(await list('/user/logs?key=alice-second', alice))).toEqual(['log-a4', 'log-a3'])
    expect(ids(await list('/user/logs?key=tok-a1', alice))).toEqual(['log-a2', 'log-a1'])
    // Another user's key name finds nothing of theirs.
    expect(ids(await list('/user/logs?key=bob-key', alice))).toEqual([])
    expect(ids(await list('/admin/logs?channel_id=ch-1', admin))).toEqual(['log-a2', 'log-b1', 'log-a1'])
    expect(ids(await list('/admin/logs?channel_id=ch-2&key=alice-second', admin))).toEqual([
      'log-a4',
      'log-a3',
    ])
    expect((await list('/user/logs?channel_id=ch-1', alice)).total).toBe(4)
  })

  it('admins see each row’s client IP and filter by it exactly; a user’s IP filter has no effect', async () => {
    const all = await list('/admin/logs', admin)
    expect(Object.fromEntries(all.data.map((d) => [d.request_id, d.client_ip]))).toEqual({
      'log-a1': '203.0.113.7',
      'log-a2': '2001:db8::1',
      'log-a3': null,
      'log-a4': null,
      'log-b1': '203.0.113.7',
    })
    expect(ids(await list('/admin/logs?ip=203.0.113.7', admin))).toEqual(['log-b1', 'log-a1'])
    expect(ids(await list('/admin/logs?ip=2001:db8::1&username=alice', admin))).toEqual(['log-a2'])
    // Exact: a prefix of an address is not that address.
    expect(ids(await list('/admin/logs?ip=203.0.113', admin))).toEqual([])
    expect((await list('/user/logs?ip=198.51.100.1', alice)).total).toBe(4)
    const csv = (await get('/admin/logs/export?ip=203.0.113.7', admin)).body.trim().split('\r\n')
    const column = csv[0].split(',').indexOf('client_ip')
    expect(column).toBeGreaterThan(0)
    expect(csv.slice(1).map((l) => [l.split(',')[0], l.split(',')[column]])).toEqual([
      ['log-b1', '203.0.113.7'],
      ['log-a1', '203.0.113.7'],
    ])
    expect((await get('/user/logs/export', alice)).body.split('\r\n')[0]).not.toContain('client_ip')
  })

  it('sorts by cost, time to first token and time, either way, ties by request id', async () => {
    expect(ids(await list('/user/logs?sort_by=cost', alice))).toEqual([
      'log-a4',
      'log-a1',
      'log-a3',
      'log-a2',
    ])
    expect(ids(await list('/user/logs?sort_by=cost&sort_order=asc', alice))).toEqual([
      'log-a2',
      'log-a3',
      'log-a1',
      'log-a4',
    ])
    // Rows without a first-token time come last either way.
    expect(ids(await list('/user/logs?sort_by=ttft', alice))[0]).toBe('log-a1')
    expect(ids(await list('/user/logs?sort_by=ttft&sort_order=asc', alice))[0]).toBe('log-a1')
    expect(ids(await list('/user/logs?sort_by=created_at&sort_order=asc', alice))).toEqual([
      'log-a1',
      'log-a2',
      'log-a3',
      'log-a4',
    ])
    expect((await get('/user/logs?sort_by=username', alice)).statusCode).toBe(400)
  })

  it('exports the filtered, sorted rows as CSV: exact money, channel only for admins', async () => {
    const mine = await get('/user/logs/export?sort_by=cost&status=success', alice)
    expect(mine.statusCode).toBe(200)
    expect(mine.headers['content-type']).toContain('text/csv')
    expect(mine.headers['content-disposition']).toContain('attachment')
    const lines = mine.body.trim().split('\r\n')
    expect(lines[0]).not.toContain('channel')
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['log-a4', 'log-a1'])
    expect(lines[1]).toContain('9007199.254740993')
    const all = await get('/admin/logs/export?channel_id=ch-1', admin)
    const rows = all.body.trim().split('\r\n')
    expect(rows[0].split(',').slice(0, 4)).toEqual(['request_id', 'created_at', 'username', 'channel'])
    expect(rows.slice(1).map((l) => l.split(',').slice(0, 1).concat(l.split(',')[3]))).toEqual([
      ['log-a2', 'primary'],
      ['log-b1', 'primary'],
      ['log-a1', 'primary'],
    ])
    expect((await get('/admin/logs/export', alice)).statusCode).toBe(403)
  })

  it('returns the stored record: whole for admins, without channel and upstream URL for its owner', async () => {
    const full = await get('/admin/logs/log-a1/messages', admin)
    expect(full.statusCode).toBe(200)
    expect(full.json()).toMatchObject({
      request_id: 'log-a1',
      upstream_url: 'https://upstream.example.com/v1/chat/completions',
      channel_id: 'ch-1',
      channel_name: 'primary',
      request: { body: { messages: [{ role: 'user', content: 'hello log-a1' }] } },
    })
    const own = await get('/user/logs/log-a1/messages', alice)
    expect(own.statusCode).toBe(200)
    const record = own.json() as Record<string, unknown>
    expect(record).toMatchObject({ request_id: 'log-a1', username: 'alice', response: { status: 200 } })
    expect(record).not.toHaveProperty('upstream_url')
    expect(record).not.toHaveProperty('channel_id')
    expect(record).not.toHaveProperty('channel_name')
    expect(own.body).not.toContain('upstream.example.com')
    expect(own.body).not.toContain('primary')
    // The 23:30 UTC row's file is found too.
    expect((await get('/user/logs/log-a2/messages', alice)).statusCode).toBe(200)
  })

  it('answers 404 alike for another user’s id and an unknown id, and names a missing file', async () => {
    const foreign = await get('/user/logs/log-b1/messages', alice)
    const unknown = await get('/user/logs/no-such-request/messages', alice)
    expect(foreign.statusCode).toBe(404)
    expect(unknown.statusCode).toBe(404)
    expect(foreign.json()).toEqual(unknown.json())
    expect(foreign.body).not.toContain('bob')
    const noFile = await get('/user/logs/log-a4/messages', alice)
    expect(noFile.statusCode).toBe(404)
    expect(noFile.json()).toEqual({ error: { code: 'not_found', message: 'Log record file not found' } })
    expect((await get('/admin/logs/log-a4/messages', admin)).json()).toEqual({
      error: { code: 'not_found', message: 'Log record file not found' },
    })
  })

  it('never lets a path-like id reach the file system', async () => {
    // A usage row whose id is a path: without the id check it would be found and its "file" opened.
    await t.tdb.db.db
      .insertInto('usage_logs')
      .values({
        request_id: '../etc/passwd',
        token_id: null,
        username: 'alice',
        channel_id: null,
        group_id: null,
        protocol: 'openai',
        endpoint: 'chat/completions',
        model: 'x',
        upstream_model: null,
        input_tokens: 0,
        output_tokens: 0,
        cache_read_tokens: 0,
        cache_write_tokens: 0,
        reasoning_tokens: 0,
        cost_nano: 0,
        covered_by_package: 0,
        usage_source: 'none',
        status: 200,
        error_code: null,
        is_stream: 0,
        duration_ms: 0,
        ttft_ms: null,
        created_at: Date.parse('2024-03-09T12:00:00Z'),
      })
      .execute()
    opened.length = 0
    expect((await get('/admin/logs/log-a1/messages', admin)).statusCode).toBe(200)
    expect(opened.length).toBeGreaterThan(0) // the spy does see the reader's opens
    opened.length = 0
    for (const prefix of ['/user/logs', '/admin/logs']) {
      const jwt = prefix === '/admin/logs' ? admin : alice
      for (const id of ['..%2Fetc%2Fpasswd', '..%2F..%2Fx', '..%5C..%5Cx', '...', 'a%5Cb', 'a.json']) {
        const res = await get(`${prefix}/${id}/messages`, jwt)
        expect(res.statusCode, `${prefix} ${id}`).toBe(404)
        expect(res.json(), id).toEqual({ error: { code: 'not_found', message: 'Log record not found' } })
      }
      // Longer than the router's parameter limit: refused before the handler.
      expect((await get(`${prefix}/${'x'.repeat(129)}/messages`, jwt)).statusCode).toBe(414)
      // URLs that the router normalises or does not match at all: a 404 all the same.
      for (const raw of ['../etc/passwd', 'a/b', '..', '%2E%2E', '.%2E']) {
        expect((await get(`${prefix}/${raw}/messages`, jwt)).statusCode, raw).toBe(404)
      }
    }
    expect(opened).toEqual([])
    await t.tdb.db.db.deleteFrom('usage_logs').where('request_id', '=', '../etc/passwd').execute()
  })
})
