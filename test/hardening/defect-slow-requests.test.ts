import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProxyFixture, MODELS, type ProxyFixture } from '../support/proxy-fixture.ts'

/**
 * Issue 15 defect 4: slow uploads held connections forever (request and socket timeouts were 0). Bounds under test:
 * the silence allowed while a body is arriving, and the time allowed for headers; neither may cut a slow but steady
 * upload or a long answer.
 */
const IDLE_MS = 600
const HEADERS_MS = 1500

let f: ProxyFixture
let port: number

beforeAll(async () => {
  f = await startProxyFixture('sqlite', {
    env: { REQUEST_IDLE_TIMEOUT_MS: String(IDLE_MS), REQUEST_HEADERS_TIMEOUT_MS: String(HEADERS_MS) },
  })
  port = Number(new URL(f.gateway).port)
})
afterAll(async () => f.close())

interface RawConnection {
  socket: net.Socket
  /** Resolves with the time the server closed the connection and everything it sent. */
  closed: Promise<{ afterMs: number; received: string }>
}

function openRaw(): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    const started = performance.now()
    let received = ''
    socket.setEncoding('utf8')
    socket.on('data', (d: string) => (received += d))
    const closed = new Promise<{ afterMs: number; received: string }>((res) => {
      socket.on('close', () => res({ afterMs: performance.now() - started, received }))
    })
    socket.on('error', () => {})
    socket.once('connect', () => resolve({ socket, closed }))
    socket.once('error', reject)
  })
}

/** Whichever comes first: the close, or `ms` passing (then `undefined`). */
async function closedWithin(c: RawConnection, ms: number) {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<undefined>((res) => (timer = setTimeout(() => res(undefined), ms)))
  const result = await Promise.race([c.closed, timeout])
  clearTimeout(timer)
  return result
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('issue 15 defect 4: slow requests are bounded, slow but live transfers are not', () => {
  it.each([
    ['/auth/login', {}],
    ['/v1/chat/completions', { authorization: 'Bearer sk-unknown' }],
  ])('closes %s when its body stops arriving (no login needed)', async (path, headers) => {
    const c = await openRaw()
    const head = Object.entries({ host: 'localhost', 'content-type': 'application/json', ...headers })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')
    c.socket.write(`POST ${path} HTTP/1.1\r\n${head}content-length: 1000\r\n\r\n{"a":`)
    const closed = await closedWithin(c, 8000)
    c.socket.destroy()
    expect(closed, 'the connection was still open after 8 s').toBeDefined()
    expect(closed!.afterMs).toBeGreaterThanOrEqual(IDLE_MS - 50)
  })

  it('closes a connection whose headers never end, even when bytes keep trickling', async () => {
    const c = await openRaw()
    c.socket.write('POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\nx-slow: ')
    const trickle = setInterval(() => c.socket.write('a'), 100)
    const closed = await closedWithin(c, 8000)
    clearInterval(trickle)
    c.socket.destroy()
    expect(closed, 'the connection was still open after 8 s').toBeDefined()
    expect(closed!.afterMs).toBeGreaterThanOrEqual(HEADERS_MS - 50)
    expect(closed!.received).toMatch(/^HTTP\/1\.1 408/)
  })

  it('lets a slow but steady upload finish (each pause shorter than the bound, the whole longer)', async () => {
    const body = Buffer.from(
      JSON.stringify({
        model: MODELS.openai,
        messages: [{ role: 'user', content: 'slow upload ' + 'x'.repeat(3000) }],
      }),
    )
    const c = await openRaw()
    c.socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${f.key}\r\n` +
        `content-type: application/json\r\nconnection: close\r\ncontent-length: ${body.length}\r\n\r\n`,
    )
    const chunks = 12
    const size = Math.ceil(body.length / chunks)
    const started = performance.now()
    for (let i = 0; i < chunks; i++) {
      c.socket.write(body.subarray(i * size, (i + 1) * size))
      await sleep(IDLE_MS / 3)
    }
    const { received } = await c.closed
    expect(performance.now() - started).toBeGreaterThan(HEADERS_MS + IDLE_MS)
    expect(received).toMatch(/^HTTP\/1\.1 200/)
    expect(received).toContain('chat.completion')
  })

  it('never cuts an answer that is silent or streams for longer than both bounds', async () => {
    const silent = await fetch(`${f.gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${f.key}`,
        'content-type': 'application/json',
        'x-fake-scenario': `delay:${HEADERS_MS + IDLE_MS * 2}`,
      },
      body: JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: 'think long' }] }),
    })
    expect(silent.status).toBe(200)
    expect(((await silent.json()) as { object: string }).object).toBe('chat.completion')

    const streamed = await fetch(`${f.gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${f.key}`,
        'content-type': 'application/json',
        'x-fake-scenario': `slow-events:${IDLE_MS + 200}`,
      },
      body: JSON.stringify({
        model: MODELS.openai,
        stream: true,
        messages: [{ role: 'user', content: 'stream slowly' }],
      }),
    })
    expect(streamed.status).toBe(200)
    const text = await streamed.text()
    expect(text).toContain('data: [DONE]')
  }, 60_000)
})
