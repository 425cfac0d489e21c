import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PassThrough } from 'node:stream'
import type { Dispatcher } from 'undici'
import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { HEARTBEAT_MS, relayResponse } from './relay-response.ts'
import { OPENAI_SURFACES } from './surfaces.ts'

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('relayResponse heartbeats', () => {
  let server: Server | undefined
  afterEach(async () => {
    server?.closeAllConnections()
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
  })

  it('sends a heartbeat on an idle stream only between events, never inside one (CRLF line ends)', async () => {
    const upstreamBody = new PassThrough()
    let clock = 0
    server = createServer((_req, res) => {
      void relayResponse({
        upstream: {
          statusCode: 200,
          headers: { 'content-type': 'text/event-stream' },
          body: upstreamBody,
        } as unknown as Dispatcher.ResponseData,
        res,
        surface: OPENAI_SURFACES['chat/completions'],
        stripUsageChunk: false,
        startedAt: 0,
        now: () => clock,
        keepAuditText: false,
        onClientClose: () => undefined,
      })
    })
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()))
    const { port } = server.address() as AddressInfo
    const res = await request(`http://127.0.0.1:${port}/`)
    let received = ''
    res.body.setEncoding('utf8')
    res.body.on('data', (d: string) => (received += d))

    // A line of an event has ended but the event has not: a ping now would land inside it.
    upstreamBody.write('data: {"a":1}\r\n')
    await tick(50)
    clock += HEARTBEAT_MS * 2
    await tick(HEARTBEAT_MS / 3 + 500)
    expect(received).toBe('data: {"a":1}\r\n')

    // The event ends; after another idle spell a ping goes out between events.
    upstreamBody.write('\r\n')
    await tick(50)
    clock += HEARTBEAT_MS * 2
    await tick(HEARTBEAT_MS / 3 + 500)
    expect(received).toBe('data: {"a":1}\r\n\r\n: ping\n\n')
    upstreamBody.end()
  }, 20_000)
})
