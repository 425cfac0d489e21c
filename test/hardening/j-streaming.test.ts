import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
import { once } from 'node:events'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MODELS, startProxyFixture, waitForOutcomes, type ProxyFixture } from '../support/proxy-fixture.ts'
import { bearer } from '../support/build-test-app.ts'
import { sleep } from './hardening-support.ts'

/**
 * Catalogue group J (docs/security.md): streaming faults, #69, #72–#74. #70 and #71 are shown by
 * src/proxy/relay-response.test.ts, src/protocol/sse/parse-sse-stream.test.ts and test/proxy/proxy-streams.test.ts.
 */

type Script = (res: http.ServerResponse, state: { closed: boolean }) => Promise<void>

/** A provider stand-in that streams whatever the current script writes, and counts its open connections. */
async function startStreamingUpstream() {
  let script: Script = async (res) => void res.end()
  let open = 0
  let accepted = 0
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const state = { closed: false }
      res.on('close', () => (state.closed = true))
      void script(res, state).catch(() => res.destroy())
    })
  })
  server.on('connection', (s: net.Socket) => {
    open++
    accepted++
    s.on('close', () => open--)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get open() {
      return open
    },
    get accepted() {
      return accepted
    },
    use(s: Script) {
      script = s
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

const sseHead = { 'content-type': 'text/event-stream' }
const chunk = (text: string) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: text } }] })}\n\n`

describe('J. streaming faults', () => {
  let f: ProxyFixture
  let up: Awaited<ReturnType<typeof startStreamingUpstream>>
  const crashes: unknown[] = []
  const onCrash = (e: unknown) => void crashes.push(e)

  beforeAll(async () => {
    process.on('unhandledRejection', onCrash)
    process.on('uncaughtException', onCrash)
    f = await startProxyFixture('sqlite')
    up = await startStreamingUpstream()
    const ch = await f.t.inject({
      method: 'POST',
      url: '/admin/channels',
      headers: bearer(f.adminJwt),
      payload: {
        name: 'scripted',
        provider: 'openai',
        base_url: `${up.url}/v1`,
        api_key: 'sk-scripted-canary',
        models: ['scripted'],
        idle_timeout_ms: 600,
        first_byte_timeout_ms: 5000,
      },
    })
    await f.t.inject({
      method: 'POST',
      url: `/admin/groups/${f.groupId}/channels/${ch.json<{ id: string }>().id}`,
      headers: bearer(f.adminJwt),
    })
    for (const [unit, price] of [
      ['input_token', 2],
      ['output_token', 8],
    ] as const)
      await f.t.inject({
        method: 'POST',
        url: '/admin/prices',
        headers: bearer(f.adminJwt),
        payload: { model_name: 'scripted', unit, price_per_unit: price },
      })
  })
  afterAll(async () => {
    process.off('unhandledRejection', onCrash)
    process.off('uncaughtException', onCrash)
    await f?.close()
    await up?.close()
  })

  const stream = (model = 'scripted', signal?: AbortSignal) =>
    request(`${f.gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'stream to me' }] }),
      signal,
    })

  it('#69 a stream that goes silent after its first events ends with an SSE error within the idle timeout, billed as partial', async () => {
    up.use(async (res) => {
      res.writeHead(200, sseHead)
      res.write(chunk('first '))
      res.write(chunk('second '))
      // …and then nothing, connection open.
    })
    const n = f.outcomes.length
    const started = Date.now()
    const res = await stream()
    expect(res.statusCode).toBe(200)
    const text = await res.body.text()
    const took = Date.now() - started
    expect(took).toBeGreaterThanOrEqual(500)
    expect(took).toBeLessThan(3000)
    expect(text).toContain('first ')
    expect(text).toMatch(/data: \{"error":\{.*"code":"upstream_timeout"/)
    await waitForOutcomes(f, n + 1)
    const s = f.outcomes.find((o) => o.requestId === res.headers['x-request-id'])!.settlement!
    expect(s.usageSource).toBe('partial')
    expect(s.costNano).toBeGreaterThan(0n)
  })

  it('#72 malformed, unterminated, failing and mislabelled upstream streams end cleanly, are billed once, and crash nothing', async () => {
    const scripts: [string, Script][] = [
      [
        'non-JSON data',
        async (res) => {
          res.writeHead(200, sseHead)
          res.end(
            `${chunk('ok ')}data: {not json at all\n\ndata: <html>oops</html>\n\n${chunk('more')}data: [DONE]\n\n`,
          )
        },
      ],
      [
        'no [DONE], no usage',
        async (res) => {
          res.writeHead(200, sseHead)
          res.end(chunk('cut short'))
        },
      ],
      [
        'error object mid-stream',
        async (res) => {
          res.writeHead(200, sseHead)
          res.end(
            `${chunk('half ')}data: ${JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } })}\n\n`,
          )
        },
      ],
      [
        'HTML with 200 on a stream request',
        async (res) => {
          res.writeHead(200, { 'content-type': 'text/html' })
          res.end('<html><body>maintenance</body></html>')
        },
      ],
      [
        'SSE labelled as JSON',
        async (res) => {
          res.writeHead(200, { 'content-type': 'application/json' })
          res.end(`${chunk('x')}data: [DONE]\n\n`)
        },
      ],
      [
        'a 2 MB line',
        async (res) => {
          res.writeHead(200, sseHead)
          res.end(`data: ${'x'.repeat(2 * 1024 * 1024)}\n\n${chunk('after')}data: [DONE]\n\n`)
        },
      ],
      [
        'reset after headers',
        async (res) => {
          res.writeHead(200, sseHead)
          res.write(chunk('bye'))
          await sleep(50)
          res.socket?.destroy()
        },
      ],
    ]
    for (const [name, script] of scripts) {
      up.use(script)
      const res = await stream()
      const text = await res.body.text().catch((e: Error) => `(connection broke: ${e.message})`)
      expect(res.statusCode, name).toBeLessThan(600)
      // Outcomes of earlier requests may still be arriving: wait for this request's own.
      await expect
        .poll(() => f.outcomes.some((x) => x.requestId === res.headers['x-request-id']), { timeout: 5000 })
        .toBe(true)
      const o = f.outcomes.find((x) => x.requestId === res.headers['x-request-id'])!
      await expect
        .poll(
          async () =>
            (
              await f.t.tdb.db.db
                .selectFrom('usage_logs')
                .select('request_id')
                .where('request_id', '=', o.requestId)
                .execute()
            ).length,
          { timeout: 3000 },
        )
        .toBe(1)
      if (name === 'reset after headers') expect(text).toMatch(/data: \{"error":\{/)
      // The gateway still serves the next request normally.
      const ok = await request(`${f.gateway}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: 'still alive?' }] }),
      })
      expect(ok.statusCode, `after ${name}`).toBe(200)
      await ok.body.dump()
    }
    // The fake provider's own broken stream and error events, in each protocol.
    for (const [path, body] of [
      [
        '/v1/chat/completions',
        { model: MODELS.openai, stream: true, messages: [{ role: 'user', content: 'x' }] },
      ],
      ['/v1/responses', { model: MODELS.openai, stream: true, input: 'x' }],
      [
        '/v1/messages',
        { model: MODELS.anthropic, stream: true, max_tokens: 30, messages: [{ role: 'user', content: 'x' }] },
      ],
      [
        `/v1beta/models/${MODELS.gemini}:streamGenerateContent?alt=sse`,
        { contents: [{ role: 'user', parts: [{ text: 'x' }] }] },
      ],
    ] as const) {
      for (const scenario of ['bad-json', 'error-mid-stream']) {
        const r = await request(`${f.gateway}${path}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${f.key}`,
            'content-type': 'application/json',
            'x-fake-scenario': scenario,
          },
          body: JSON.stringify(body),
        })
        expect(r.statusCode, `${path} ${scenario}`).toBe(200)
        await r.body.text()
      }
    }
    expect(crashes).toEqual([])
  })

  it('#73 a client that stops reading holds the provider back (bounded buffering), then gets every byte', async () => {
    const TOTAL = 96 * 1024 * 1024
    let written = 0
    let finished = false
    up.use(async (res, state) => {
      res.writeHead(200, sseHead)
      const piece = Buffer.from(chunk('y'.repeat(16 * 1024)))
      while (written < TOTAL && !state.closed) {
        written += piece.length
        if (!res.write(piece)) await once(res, 'drain')
      }
      res.end('data: [DONE]\n\n')
      finished = true
    })
    const port = Number(new URL(f.gateway).port)
    const body = JSON.stringify({
      model: 'scripted',
      stream: true,
      messages: [{ role: 'user', content: 'big' }],
    })
    const socket = net.connect(port, '127.0.0.1')
    await once(socket, 'connect')
    socket.pause()
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${f.key}\r\n` +
        `content-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
    )
    // The client reads nothing for two seconds: the provider must be held back, not buffered in the gateway.
    await sleep(2000)
    const heldAt = written
    expect(heldAt).toBeGreaterThan(0)
    expect(heldAt).toBeLessThan(TOTAL / 3)
    expect(finished).toBe(false)
    let received = 0
    let tail = ''
    socket.on('data', (d: Buffer) => {
      received += d.length
      tail = (tail + d.toString('latin1')).slice(-64)
    })
    socket.resume()
    await once(socket, 'close')
    expect(finished).toBe(true)
    expect(received).toBeGreaterThan(TOTAL)
    expect(tail).toContain('[DONE]')
  }, 60_000)

  it('#74 many streams abandoned by their clients release the provider connection, the slot and every handle', async () => {
    up.use(async (res, state) => {
      res.writeHead(200, sseHead)
      for (let i = 0; i < 600 && !state.closed; i++) {
        res.write(chunk(`t${i} `))
        await sleep(50)
      }
      res.end('data: [DONE]\n\n')
    })
    // #73's 96 MB answer was billed by estimate; give the user room for this test's streams.
    await f.t.inject({
      method: 'PATCH',
      url: '/admin/users/user',
      headers: bearer(f.adminJwt),
      payload: { quota_usd: null },
    })
    const N = 60
    const activeHandles = () =>
      (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length
    const handlesBefore = activeHandles()
    const port = Number(new URL(f.gateway).port)
    const body = JSON.stringify({
      model: 'scripted',
      stream: true,
      messages: [{ role: 'user', content: 'leave me' }],
    })
    const n = f.outcomes.length
    // Raw sockets, closed by the test itself: no client library keeps a connection around on its behalf.
    await Promise.all(
      Array.from({ length: N }, async () => {
        const socket = net.connect(port, '127.0.0.1')
        await once(socket, 'connect')
        socket.write(
          `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${f.key}\r\n` +
            `content-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
        )
        let seen = ''
        for await (const d of socket) {
          seen += (d as Buffer).toString('latin1')
          if (seen.includes('data: ') || (seen.includes('\r\n\r\n') && !seen.startsWith('HTTP/1.1 200')))
            break
        }
        socket.destroy()
      }),
    )
    await waitForOutcomes(f, n + N, 15_000)
    // Only this test's requests: an earlier test's last request may finish in the meantime.
    const aborted = f.outcomes.slice(n).filter((o) => o.status === 499)
    expect(aborted).toHaveLength(N)
    // Every provider connection is closed, the gateway holds no request in flight, and handles come back down.
    await expect.poll(() => up.open, { timeout: 5000 }).toBe(0)
    expect(f.t.proxy.inflight.count).toBe(0)
    await expect.poll(activeHandles, { timeout: 5000 }).toBeLessThanOrEqual(handlesBefore + 2)
    const ids = aborted.map((o) => o.requestId)
    await expect
      .poll(
        async () =>
          (
            await f.t.tdb.db.db
              .selectFrom('usage_logs')
              .select('request_id')
              .where('request_id', 'in', ids)
              .execute()
          ).length,
        { timeout: 5000 },
      )
      .toBe(N)
    expect(crashes).toEqual([])
  }, 60_000)
})
