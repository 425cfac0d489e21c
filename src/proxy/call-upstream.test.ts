import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Pool } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { callUpstream, ClientGoneError, UpstreamBody, type UpstreamFlow } from './call-upstream.ts'
import { ClientGoneSignal } from './client-gone-signal.ts'

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms))

function recordingFlow() {
  const calls: string[] = []
  const flow: UpstreamFlow = {
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
    abort: (reason) => calls.push(`abort:${reason.name}`),
  }
  return { calls, flow }
}

describe('UpstreamBody', () => {
  it('keeps what arrives before its reader, then hands it over in order, then the end', () => {
    const body = new UpstreamBody(null)
    body.push(Buffer.from('a'))
    body.push(Buffer.from('b'))
    body.finish(null)
    const seen: string[] = []
    body.attach({
      data: (c) => seen.push(c.toString()),
      end: () => seen.push('end'),
      error: () => seen.push('error'),
    })
    expect(seen).toEqual(['a', 'b', 'end'])
  })

  it('stops handing over queued chunks while paused, and pauses the producer', () => {
    const { calls, flow } = recordingFlow()
    const body = new UpstreamBody(flow)
    body.push(Buffer.from('a'))
    body.push(Buffer.from('b'))
    body.finish(null)
    const seen: string[] = []
    body.attach({
      data: (c) => {
        seen.push(c.toString())
        body.pause()
      },
      end: () => seen.push('end'),
      error: () => seen.push('error'),
    })
    expect(seen).toEqual(['a'])
    body.resume()
    expect(seen).toEqual(['a', 'b'])
    body.resume()
    expect(seen).toEqual(['a', 'b', 'end'])
    expect(calls).toEqual(['pause', 'pause', 'resume'])
  })

  it('drops the request when destroyed, and tells its reader nothing more', () => {
    const { calls, flow } = recordingFlow()
    const body = new UpstreamBody(flow)
    const seen: string[] = []
    body.attach({
      data: (c) => seen.push(c.toString()),
      end: () => seen.push('end'),
      error: () => seen.push('error'),
    })
    body.push(Buffer.from('a'))
    body.destroy()
    body.push(Buffer.from('b'))
    body.finish(new Error('aborted'))
    expect(seen).toEqual(['a'])
    expect(calls).toEqual(['abort:AbortError'])
  })
})

describe('callUpstream', () => {
  let server: Server | undefined
  let pool: Pool | undefined
  afterEach(async () => {
    await pool?.destroy()
    server?.closeAllConnections()
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
    server = undefined
    pool = undefined
  })

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<Pool> {
    server = createServer(handler)
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()))
    const { port } = server.address() as AddressInfo
    pool = new Pool(`http://127.0.0.1:${port}`)
    return pool
  }
  const post = { path: '/', method: 'POST' as const, body: Buffer.from('{}'), headers: {} }

  it('pauses the provider while the reader waits, and reads the rest once resumed', async () => {
    const total = 16 * 1024 * 1024
    let written = 0
    const p = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      const chunk = Buffer.alloc(64 * 1024, 120)
      const more = () => {
        while (written < total) {
          written += chunk.length
          if (!res.write(chunk)) return void res.once('drain', more)
        }
        res.end()
      }
      more()
    })
    const answer = await callUpstream(p, post, new ClientGoneSignal())
    expect(answer.statusCode).toBe(200)
    let received = 0
    const ended = new Promise<void>((resolve, reject) =>
      answer.body.attach({
        data: (c) => {
          received += c.length
          if (received === c.length) answer.body.pause()
        },
        end: resolve,
        error: reject,
      }),
    )
    await tick(300)
    // Held back: the socket buffers fill and the provider's writes wait; far from the whole body was sent.
    expect(received).toBeLessThan(total / 4)
    expect(written).toBeLessThan(total)
    answer.body.resume()
    await ended
    expect(received).toBe(total)
  })

  it('does not send a request whose client is already gone', async () => {
    let requests = 0
    const p = await serve((_req, res) => {
      requests++
      res.end('{}')
    })
    const gone = new ClientGoneSignal()
    gone.abort()
    await expect(callUpstream(p, post, gone)).rejects.toBeInstanceOf(ClientGoneError)
    await tick(50)
    expect(requests).toBe(0)
  })

  it('drops the provider when the client leaves mid-answer: the body ends as the client’s doing', async () => {
    let providerClosed = false
    const p = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: 1\n\n')
      res.on('close', () => (providerClosed = true))
    })
    const gone = new ClientGoneSignal()
    const answer = await callUpstream(p, post, gone)
    const outcome = new Promise<string>((resolve) =>
      answer.body.attach({
        data: () => gone.abort(),
        end: () => resolve('end'),
        error: (err) => resolve(err.name),
      }),
    )
    expect(await outcome).toBe('AbortError')
    expect(answer.body.abortedByClient).toBe(true)
    await tick(100)
    expect(providerClosed).toBe(true)
  })

  it('rejects with the headers timeout when the provider does not answer', async () => {
    const p = await serve(() => undefined)
    await expect(
      callUpstream(p, { ...post, headersTimeout: 100 }, new ClientGoneSignal()),
    ).rejects.toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' })
  })
})
