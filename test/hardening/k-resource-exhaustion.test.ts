import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MODELS, startProxyFixture, waitForOutcomes, type ProxyFixture } from '../support/proxy-fixture.ts'
import { bearer } from '../support/build-test-app.ts'
import { createKeyCache } from '../../src/proxy/key-cache.ts'
import { hashApiKey } from '../../src/infra/crypto/api-key.ts'
import { recordStatements, rawRequest } from './hardening-support.ts'

/**
 * Catalogue group K (docs/security.md): resource exhaustion, #75–#78, #80, #81. Pool exhaustion (#79) and the
 * dependency faults behind #81 are shown by the fault-injection suites (test/hardening/faults-*.test.ts).
 */
const LIMIT = 1024 * 1024

describe('K. resource exhaustion', () => {
  let f: ProxyFixture
  let port: number

  beforeAll(async () => {
    f = await startProxyFixture('sqlite', { env: { MAX_BODY_BYTES: String(LIMIT) } })
    port = Number(new URL(f.gateway).port)
  })
  afterAll(async () => f?.close())

  async function post(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
    const res = await request(`${f.gateway}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json', ...headers },
      body,
    })
    return {
      status: res.statusCode,
      text: await res.body.text(),
      requestId: String(res.headers['x-request-id'] ?? ''),
    }
  }

  it('#75 compression bombs stop at the decompressed limit (413), unknown encodings get 415, on both entries', async () => {
    // 64 MiB of one JSON string, compressed to a few tens of KiB.
    const bomb = Buffer.from(
      `{"model":"${MODELS.openai}","messages":[{"role":"user","content":"${'A'.repeat(64 * 1024 * 1024)}"}]}`,
    )
    const encodings: [string, Buffer][] = [
      ['gzip', gzipSync(bomb, { level: 9 })],
      ['x-gzip', gzipSync(bomb, { level: 9 })],
      ['br', brotliCompressSync(bomb)],
      ['deflate', deflateSync(bomb, { level: 9 })],
    ]
    for (const [, packed] of encodings) expect(packed.length).toBeLessThan(LIMIT)
    const before = f.upstream.requests.length
    const rssBefore = process.memoryUsage().rss
    for (const [enc, packed] of encodings) {
      const socket = await post('/v1/chat/completions', packed, { 'content-encoding': enc })
      expect(socket.status, `${enc} (socket)`).toBe(413)
      const viaFastify = await f.t.inject({
        method: 'POST',
        url: '/v1/chat/completions',
        headers: {
          authorization: `Bearer ${f.key}`,
          'content-type': 'application/json',
          'content-encoding': enc,
        },
        payload: packed,
      })
      expect(viaFastify.statusCode, `${enc} (fastify)`).toBe(413)
      // Gemini's surface decodes the same way.
      expect(
        (await post(`/v1beta/models/${MODELS.gemini}:generateContent`, packed, { 'content-encoding': enc }))
          .status,
      ).toBe(413)
    }
    // Decoding stopped at the limit: nothing like 64 MiB per request was held.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024)
    for (const enc of ['zstd', 'compress', 'gzip, br', 'identity;q=0', 'x-unknown']) {
      const r = await post('/v1/chat/completions', gzipSync('{}'), { 'content-encoding': enc })
      expect([400, 415], enc).toContain(r.status)
    }
    expect((await post('/v1/chat/completions', gzipSync('{}'), { 'content-encoding': 'zstd' })).status).toBe(
      415,
    )
    expect(f.upstream.requests.length).toBe(before)
    // A small compressed body is fine.
    const ok = await post(
      '/v1/chat/completions',
      gzipSync(JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: 'hi' }] })),
      { 'content-encoding': 'gzip' },
    )
    expect(ok.status).toBe(200)
  })

  it('#76 multipart uploads: over the limit 413; a huge boundary or thousands of parts are handled in bounded time', async () => {
    const form = (boundary: string, parts: string[]) =>
      Buffer.from(parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('') + `--${boundary}--\r\n`, 'latin1')
    const field = (name: string, value: string) =>
      `Content-Disposition: form-data; name="${name}"\r\n\r\n${value}`
    const file = (size: number) =>
      `Content-Disposition: form-data; name="file"; filename="../../etc/passwd"\r\nContent-Type: audio/wav\r\n\r\n${'R'.repeat(size)}`
    const send = async (boundary: string, parts: string[]) => {
      const started = Date.now()
      const res = await request(`${f.gateway}/v1/audio/transcriptions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${f.key}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        body: form(boundary, parts),
      })
      const text = await res.body.text()
      return { status: res.statusCode, text, ms: Date.now() - started }
    }
    const tooBig = await send('b', [field('model', 'whisper-1'), file(LIMIT + 1)])
    expect(tooBig.status).toBe(413)
    const cases = [
      ['boundary of 8 KiB', 'x'.repeat(8 * 1024), [field('model', 'whisper-1'), file(100)]],
      [
        '20 000 parts',
        'b',
        [field('model', 'whisper-1'), ...Array.from({ length: 20_000 }, (_, i) => field(`f${i}`, 'v'))],
      ],
      [
        '20 000 empty parts before the model',
        'b',
        [...Array.from({ length: 20_000 }, () => ''), field('model', 'whisper-1'), file(10)],
      ],
      ['no model', 'b', [file(100)]],
      [
        'an unterminated part',
        'b',
        ['Content-Disposition: form-data; name="model"\r\n\r\nwhisper-1' + '\r\n--b'.repeat(10_000)],
      ],
    ] as const
    for (const [name, boundary, parts] of cases) {
      const r = await send(boundary, [...parts])
      expect(r.status, `${name}: ${r.text.slice(0, 100)}`).toBeLessThan(500)
      expect(r.ms, name).toBeLessThan(3000)
    }
    // The file name is the provider's business: the gateway writes no upload to disk under any name.
    expect(f.upstream.requests.some((r) => r.path.includes('audio/transcriptions'))).toBe(true)
  })

  it('#77 deep JSON, huge n and max_tokens, and __proto__/constructor keys: a 4xx or a bounded hold, never a 500 or a polluted prototype', async () => {
    const deep = (d: number) =>
      `{"model":"${MODELS.openai}","messages":[{"role":"user","content":"x"}],"x":${'['.repeat(d)}${']'.repeat(d)}}`
    for (const stream of [false, true]) {
      const body = deep(100_000).replace('"x":', `"stream":${stream},"x":`)
      const r = await post('/v1/chat/completions', body)
      expect([200, 400], `stream=${stream}: ${r.text.slice(0, 100)}`).toContain(r.status)
    }
    for (const extra of [
      { n: 1000 },
      { n: -5 },
      { n: 1.5 },
      { max_tokens: -1 },
      { max_tokens: 1e12 },
      { max_tokens: 2 ** 60 },
      { max_tokens: 'lots' },
      { max_completion_tokens: Number.MAX_SAFE_INTEGER },
    ]) {
      const r = await post(
        '/v1/chat/completions',
        JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: 'x' }], ...extra }),
      )
      expect(r.status, JSON.stringify(extra)).toBeLessThan(500)
    }
    const hostile = `{"model":"${MODELS.openai}","messages":[{"role":"user","content":"x"}],"__proto__":{"polluted":true,"role":"superadmin"},"constructor":{"prototype":{"polluted":true}},"metadata":{"__proto__":{"polluted":true}}}`
    expect((await post('/v1/chat/completions', hostile)).status).toBe(200)
    expect(
      (await post('/v1/chat/completions', hostile.replace('"messages"', '"stream":true,"messages"'))).status,
    ).toBe(200)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
    // A 10 MB message is over this gateway's 1 MiB limit: refused before it is read.
    expect(
      (
        await post(
          '/v1/chat/completions',
          JSON.stringify({
            model: MODELS.openai,
            messages: [{ role: 'user', content: 'x'.repeat(10 * 1024 * 1024) }],
          }),
        )
      ).status,
    ).toBe(413)
  })

  it('#77 n and max_tokens raise the hold: a request that could cost more than the balance is refused up front', async () => {
    for (const [unit, price] of [
      ['input_token', 0],
      ['output_token', 1000],
    ] as const)
      await f.t.inject({
        method: 'POST',
        url: '/admin/prices',
        headers: bearer(f.adminJwt),
        payload: { model_name: MODELS.openai, unit, price_per_unit: price },
      })
    await f.t.inject({
      method: 'PATCH',
      url: '/admin/users/user',
      headers: bearer(f.adminJwt),
      payload: { quota_usd: 5 },
    })
    const msgs = [{ role: 'user', content: 'x' }]
    // 1000 output tokens at $1000/1M = $1: affordable once; × n = 8 is $8: refused.
    expect(
      (
        await post(
          '/v1/chat/completions',
          JSON.stringify({ model: MODELS.openai, max_tokens: 1000, messages: msgs }),
        )
      ).status,
    ).toBe(200)
    expect(
      (
        await post(
          '/v1/chat/completions',
          JSON.stringify({ model: MODELS.openai, max_tokens: 1000, n: 8, messages: msgs }),
        )
      ).status,
    ).toBe(402)
    // No max_tokens (or a nonsense one): the default reservation (4096 tokens = $4.1) still applies.
    await f.t.inject({
      method: 'PATCH',
      url: '/admin/users/user',
      headers: bearer(f.adminJwt),
      payload: { quota_usd: 3 },
    })
    for (const extra of [{}, { max_tokens: -1 }, { max_tokens: 1e12 }])
      expect(
        (
          await post(
            '/v1/chat/completions',
            JSON.stringify({ model: MODELS.openai, messages: msgs, ...extra }),
          )
        ).status,
        JSON.stringify(extra),
      ).toBe(402)
    // Unlimited again, so the tests after this one hold nothing.
    await f.t.inject({
      method: 'PATCH',
      url: '/admin/users/user',
      headers: bearer(f.adminJwt),
      payload: { quota_usd: null },
    })
  })

  it('#78 the key lookup cache is bounded: old entries are evicted, not kept for ever', async () => {
    const db = f.t.tdb.db.db
    const cache = createKeyCache(db, 60_000, 60_000, 100)
    const rec = recordStatements(db)
    try {
      const lookups = (key: string) => rec.log.filter((s) => s.parameters.includes(hashApiKey(key))).length
      const now = Date.now()
      await cache.lookup(f.key, now)
      await cache.lookup(f.key, now + 1)
      expect(lookups(f.key)).toBe(1)
      for (let i = 0; i < 300; i++) await cache.lookup(`sk-flood-${i.toString().padStart(30, '0')}`, now + 2)
      await cache.lookup(f.key, now + 3)
      expect(lookups(f.key)).toBe(2)
    } finally {
      rec.stop()
    }
  })

  it('#79 a key is read from the database once, not per request', async () => {
    const key = await f.createKey({ name: 'cached' })
    const rec = recordStatements(f.t.tdb.db.db)
    try {
      for (let i = 0; i < 30; i++)
        expect(
          (
            await post(
              '/v1/chat/completions',
              JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: 'x' }] }),
              { authorization: `Bearer ${key}` },
            )
          ).status,
        ).toBe(200)
    } finally {
      rec.stop()
    }
    expect(rec.log.filter((s) => s.parameters.includes(hashApiKey(key))).length).toBe(1)
  })

  it('#80 SQLite runs in WAL with a busy timeout; 60 concurrent proxied requests, admin writes and redemptions all land', async () => {
    const db = f.t.tdb.db.db
    const { sql } = await import('kysely')
    const mode = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(db)
    expect(mode.rows[0].journal_mode).toBe('wal')
    const busy = await sql<{ timeout: number }>`PRAGMA busy_timeout`.execute(db)
    expect(Number(busy.rows[0].timeout)).toBeGreaterThanOrEqual(5000)
    const vouchers = await f.t.inject({
      method: 'POST',
      url: '/admin/vouchers',
      headers: bearer(f.adminJwt),
      payload: { amount_usd: 0.01, count: 20 },
    })
    const codes = vouchers.json<{ vouchers: { code: string }[] }>().vouchers.map((v) => v.code)
    const n = f.outcomes.length
    const work: Promise<number>[] = []
    // This test's own requests, by the ids the gateway answered with (an earlier test's last request may finish
    // meanwhile and would otherwise be counted with them).
    const ids: string[] = []
    for (let i = 0; i < 60; i++)
      work.push(
        post(
          '/v1/chat/completions',
          JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: `w${i}` }] }),
        ).then((r) => {
          ids.push(r.requestId)
          return r.status
        }),
      )
    for (let i = 0; i < 20; i++) {
      work.push(
        f.t
          .inject({
            method: 'POST',
            url: '/admin/groups',
            headers: bearer(f.adminJwt),
            payload: { name: `busy-${i}` },
          })
          .then((r) => r.statusCode),
      )
      work.push(
        f.t
          .inject({
            method: 'POST',
            url: '/user/vouchers/redeem',
            headers: bearer(f.userJwt),
            payload: { code: codes[i] },
          })
          .then((r) => r.statusCode),
      )
    }
    const statuses = await Promise.all(work)
    expect(statuses.filter((s) => s >= 300)).toEqual([])
    await waitForOutcomes(f, n + 60)
    expect(new Set(ids).size).toBe(60)
    await expect
      .poll(
        async () =>
          (await db.selectFrom('usage_logs').select('request_id').where('request_id', 'in', ids).execute())
            .length,
        { timeout: 5000 },
      )
      .toBe(60)
    expect(f.t.logs.join('\n')).not.toMatch(/SQLITE_BUSY|database is locked/)
  })

  it('#81 liveness never waits on a dependency; readiness reports the database and Redis', async () => {
    const started = Date.now()
    const health = await rawRequest(
      port,
      'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nconnection: close\r\n\r\n',
    )
    expect(health.status).toBe(200)
    expect(Date.now() - started).toBeLessThan(1000)
    const ready = await f.t.inject({ method: 'GET', url: '/ready' })
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toMatchObject({ status: 'ready', database: 'ok', redis: 'not_configured' })
  })
})
