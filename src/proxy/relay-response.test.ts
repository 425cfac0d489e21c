import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PassThrough } from 'node:stream'
import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { endOfLastBlankLine, HEARTBEAT_MS, relayResponse } from './relay-response.ts'
import { OPENAI_SURFACES } from '../protocol/openai/openai-protocol.ts'
import { UpstreamBody, type UpstreamAnswer } from './call-upstream.ts'

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
        upstream: eventStream(upstreamBody),
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

    // A line of an event has ended but the event has not: the event is held back until it is whole, so a ping
    // sent meanwhile reaches the client before it, never inside it.
    upstreamBody.write('data: {"a":1}\r\n')
    await tick(50)
    clock += HEARTBEAT_MS * 2
    await tick(HEARTBEAT_MS / 3 + 500)
    expect(received).toBe(': ping\n\n')

    // The event ends; after another idle spell a ping goes out between events.
    upstreamBody.write('\r\n')
    await tick(50)
    clock += HEARTBEAT_MS * 2
    await tick(HEARTBEAT_MS / 3 + 500)
    expect(received).toBe(': ping\n\ndata: {"a":1}\r\n\r\n: ping\n\n')
    upstreamBody.end()
  }, 20_000)
})

/** Relays `frames` (written one by one) through relayResponse; resolves with what the client received. */
const relayFrames = (frames: string[]) => relayFramesBytes(frames.map((f) => Buffer.from(f)))

/** A provider's 200 answer streaming server-sent events from `body`. */
function eventStream(body: PassThrough): UpstreamAnswer {
  return { statusCode: 200, headers: { 'content-type': 'text/event-stream' }, body: bodyOf(body) }
}

/** An upstream body fed by a Node stream, paused and dropped through it. */
function bodyOf(stream: PassThrough): UpstreamBody {
  const body = new UpstreamBody({
    pause: () => stream.pause(),
    resume: () => stream.resume(),
    abort: (reason) => stream.destroy(reason),
  })
  stream.on('data', (chunk: Buffer) => body.push(chunk))
  stream.on('end', () => body.finish(null))
  stream.on('error', (err) => body.finish(err))
  return body
}

async function relayFramesBytes(
  frames: Buffer[],
  surfaceName: keyof typeof OPENAI_SURFACES = 'chat/completions',
) {
  const upstreamBody = new PassThrough()
  const server = createServer((_req, res) => {
    void relayResponse({
      upstream: eventStream(upstreamBody),
      res,
      surface: OPENAI_SURFACES[surfaceName],
      stripUsageChunk: false,
      secrets: ['sk-channel-key-canary'],
      startedAt: 0,
      now: () => 0,
      keepAuditText: true,
      onClientClose: () => undefined,
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  try {
    const { port } = server.address() as AddressInfo
    const res = await request(`http://127.0.0.1:${port}/`)
    const text = res.body.text()
    for (const f of frames) {
      upstreamBody.write(f)
      await new Promise((r) => setImmediate(r))
    }
    upstreamBody.end()
    return await text
  } finally {
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => r()))
  }
}

describe('relayResponse error events (issue 15 defect 9)', () => {
  const content = 'data: {"choices":[{"delta":{"content":"see https://example.com/x and 10.1.2.3"}}]}\n\n'
  const error =
    'data: {"error":{"message":"bad key sk-channel-key-canary at http://10.0.0.5:18182/v1?key=abc","type":"server_error"}}\n\n'
  const clean = 'data: {"error":{"message":"bad key *** at [url]","type":"server_error"}}\n\n'

  it('sanitises an error event however the upstream splits the stream, and leaves answer text alone', async () => {
    const stream = content + error
    for (let at = 1; at < stream.length; at += 3) {
      const got = await relayFrames([stream.slice(0, at), stream.slice(at)])
      expect(got, `split at ${at}`).toBe(content + clean)
    }
  })

  it('passes a stream without error events through byte for byte, split anywhere', async () => {
    const stream = content + ': comment\r\n\r\n' + 'event: x\r\ndata: {"a":"\u00e9"}\r\r' + content
    for (let at = 1; at < stream.length; at += 2) {
      const got = await relayFrames([stream.slice(0, at), stream.slice(at)])
      expect(got, `split at ${at}`).toBe(stream)
    }
  })

  it('keeps a character split right after an event whole', async () => {
    const stream = Buffer.from('data: a\n\n\u00e9vent: x\ndata: b\n\n')
    const cut = stream.indexOf(0xc3) + 1
    const got = await relayFramesBytes([stream.subarray(0, cut), stream.subarray(cut)])
    expect(got).toBe(stream.toString('utf8'))
  })

  it('finds where the last blank line ends, whatever the line ends', () => {
    expect(endOfLastBlankLine('data: a\n\ndata: b', 0)).toBe(9)
    expect(endOfLastBlankLine('data: a\r\n\r\ndata: b\r\n', 0)).toBe(11)
    expect(endOfLastBlankLine('data: a\r\rdata', 0)).toBe(9)
    expect(endOfLastBlankLine('data: a\n\r', 0)).toBe(9)
    expect(endOfLastBlankLine('data: a\r\ndata: b\r\n', 0)).toBe(0)
    expect(endOfLastBlankLine('\ndata: a', 0)).toBe(0)
  })
})
