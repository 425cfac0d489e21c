import { readdir, readFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { Readable } from 'node:stream'
import { brotliDecompressSync, gzipSync } from 'node:zlib'
import { request } from 'undici'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readAuditRecord } from '../../src/infra/audit/read-audit-record.ts'
import { MODELS, startProxyFixture, type ProxyFixture } from '../support/proxy-fixture.ts'

/**
 * Proxied POSTs over a real socket take the fast path (straight from the HTTP server); `inject` goes through
 * Fastify's routes. Both entries must answer alike.
 */
let f: ProxyFixture
const LIMIT = 64 * 1024

beforeAll(async () => {
  f = await startProxyFixture('sqlite', { env: { MAX_BODY_BYTES: String(LIMIT) } })
})
afterAll(async () => {
  await f?.close()
})

async function post(path: string, body: string | Buffer, headers: Record<string, string>) {
  const res = await request(`${f.gateway}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })
  const text = await res.body.text()
  return { status: res.statusCode, headers: res.headers, text }
}

describe('fast proxy path', () => {
  it('refuses a body over MAX_BODY_BYTES with 413 in the client protocol, declared or streamed', async () => {
    const big = JSON.stringify({
      model: MODELS.openai,
      messages: [{ role: 'user', content: 'x'.repeat(LIMIT) }],
    })
    const declared = await post('/v1/chat/completions', big, { authorization: `Bearer ${f.key}` })
    expect(declared.status).toBe(413)
    expect(JSON.parse(declared.text)).toMatchObject({ error: { code: 'payload_too_large' } })

    const chunked = await request(`${f.gateway}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': f.key, 'content-type': 'application/json' },
      // A stream has no length: the limit must hold while the body streams in.
      body: Readable.from(
        (function* () {
          for (let i = 0; i < 4; i++) yield Buffer.alloc(LIMIT / 2, 0x61)
        })(),
      ),
    })
    expect(chunked.statusCode).toBe(413)
    expect(JSON.parse(await chunked.body.text())).toMatchObject({
      type: 'error',
      error: { type: expect.any(String) as string },
    })
    expect(f.upstream.requests.filter((r) => r.body.length >= LIMIT)).toHaveLength(0)
  })

  it('audits what it refuses before the proxy, on either entry: metadata only, with the request id it answered', async () => {
    const big = JSON.stringify({
      model: MODELS.openai,
      messages: [{ role: 'user', content: 'x'.repeat(LIMIT) }],
    })
    const declared = await post('/v1/chat/completions', big, { authorization: `Bearer ${f.key}` })
    const undecodable = await post('/v1/chat/completions', Buffer.from('not gzip at all'), {
      authorization: `Bearer ${f.key}`,
      'content-encoding': 'gzip',
    })
    const viaFastify = await f.t.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json' },
      payload: big,
    })
    const answers = [
      { status: declared.status, id: declared.headers['x-request-id'], code: 'payload_too_large' },
      { status: undecodable.status, id: undecodable.headers['x-request-id'], code: 'bad_request' },
      { status: viaFastify.statusCode, id: viaFastify.headers['x-request-id'], code: 'payload_too_large' },
    ]
    expect(answers.map((a) => a.status)).toEqual([413, 400, 413])
    // Fastify closes the connection after a body over its limit; the audited answer keeps that.
    expect(viaFastify.headers.connection).toBe('close')
    await f.t.audit.drain(5000)
    const sessions = path.join(f.t.deps.config.DATA_DIR, 'sessions')
    for (const a of answers) {
      expect(typeof a.id).toBe('string')
      const record = await readAuditRecord(sessions, String(a.id), new Date())
      expect(record, a.code).toMatchObject({
        kind: 'metadata',
        status: a.status,
        rejection_reason: a.code,
        client_path: '/v1/chat/completions',
      })
      expect(record?.request.body).toBeUndefined()
      expect(JSON.stringify(record)).not.toContain(f.key)
    }
  })

  it('records an upload its client abandons as 499, without answering, on either entry', async () => {
    const marker = `abandoned${Date.now()}`
    // The plain path takes the fast path; an encoded Gemini model name is left to Fastify's route.
    const paths = [
      `/v1/chat/completions?probe=${marker}a`,
      `/v1beta/models/${MODELS.gemini.replace('-', '%2D')}:generateContent?probe=${marker}b`,
    ]
    const { port } = new URL(f.gateway)
    const upstreamBefore = f.upstream.requests.length
    for (const target of paths) {
      const received = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(
            `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${f.key}\r\n` +
              `x-goog-api-key: ${f.key}\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n` +
              '{"model":"x","messages":[',
          )
          setTimeout(() => socket.destroy(), 100)
        })
        let text = ''
        socket.on('data', (d: Buffer) => (text += d.toString()))
        socket.on('close', () => resolve(text))
        socket.on('error', reject)
      })
      expect(received, target).toBe('')
    }
    await new Promise((r) => setTimeout(r, 200))
    await f.t.audit.drain(5000)
    const sessions = path.join(f.t.deps.config.DATA_DIR, 'sessions')
    const records: {
      client_path: string
      status: number
      kind: string
      rejection_reason?: string
      timings: { duration_ms: number }
    }[] = []
    for (const day of await readdir(sessions))
      for (const file of await readdir(path.join(sessions, day)))
        records.push(
          JSON.parse(brotliDecompressSync(await readFile(path.join(sessions, day, file))).toString()),
        )
    for (const suffix of ['a', 'b']) {
      const found = records.filter((r) => r.client_path.includes(`probe=${marker}${suffix}`))
      expect(found, suffix).toHaveLength(1)
      expect(found[0]).toMatchObject({ status: 499, kind: 'metadata', rejection_reason: 'bad_request' })
      // Timed from the request's arrival: the client sent for 100 ms before it went away (less the server's lag in
      // reading the request on a loaded machine, seen up to ~11 ms; never the 0 ms of a request timed from its end).
      expect(found[0].timings.duration_ms, suffix).toBeGreaterThanOrEqual(50)
      expect(found[0].timings.duration_ms, suffix).toBeLessThan(5000)
    }
    expect(f.upstream.requests.length).toBe(upstreamBefore)
  })

  it('answers errors exactly as the Fastify route does', async () => {
    const body = JSON.stringify({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] })
    const viaSocket = await post('/v1/chat/completions', body, { authorization: `Bearer ${f.key}` })
    const viaFastify = await f.t.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json' },
      payload: body,
    })
    expect(viaSocket.status).toBe(viaFastify.statusCode)
    expect(JSON.parse(viaSocket.text)).toEqual(viaFastify.json())
    const noKey = await post('/v1/messages', body, {})
    expect(noKey.status).toBe(401)
    expect(JSON.parse(noKey.text)).toMatchObject({ type: 'error', error: { type: 'authentication_error' } })
  })

  it('decodes a gzip body and serves Gemini paths, leaving encoded ones to Fastify', async () => {
    const body = JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: 'zipped' }] })
    const zipped = await post('/v1/chat/completions', gzipSync(body), {
      authorization: `Bearer ${f.key}`,
      'content-encoding': 'gzip',
    })
    expect(zipped.status).toBe(200)
    expect(JSON.parse(zipped.text)).toMatchObject({ object: 'chat.completion' })

    const gem = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }
    const plain = await post(`/v1beta/models/${MODELS.gemini}:generateContent`, JSON.stringify(gem), {
      'x-goog-api-key': f.key,
    })
    expect(plain.status).toBe(200)
    const encoded = await post(
      `/v1beta/models/${MODELS.gemini.replace('.', '%2E')}%3AgenerateContent`,
      JSON.stringify(gem),
      { 'x-goog-api-key': f.key },
    )
    expect(encoded.status).toBe(200)
    expect(JSON.parse(encoded.text)).toEqual(JSON.parse(plain.text))
    const unknown = await post(`/v1beta/models/${MODELS.gemini}:frobnicate`, JSON.stringify(gem), {
      'x-goog-api-key': f.key,
    })
    expect(unknown.status).toBe(404)
  })

  it('leaves GET, unknown paths and bad Host headers to Fastify', async () => {
    const models = await request(`${f.gateway}/v1/models`, { headers: { authorization: `Bearer ${f.key}` } })
    expect(models.statusCode).toBe(200)
    await models.body.dump()
    const unknown = await post('/v1/not-a-surface', '{}', { authorization: `Bearer ${f.key}` })
    expect(unknown.status).toBe(404)
    const badHost = await post('/v1/chat/completions', '{}', {
      authorization: `Bearer ${f.key}`,
      host: 'a/b',
    })
    expect(badHost.status).toBe(400)
  })
})
