/**
 * The bench's fast upstream (issue 20): nginx in front of the Node mock must answer what the Node mock answers,
 * byte for byte (usage included, which the gateway bills), and pass every x-mock-* request to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LONG_TEXT_EVENTS } from '../../bench/mock-bodies.mjs'
import { nginxMissing, nginxMockConfig, nginxString } from '../../bench/nginx-mock.ts'
import { allowedCpus, type MockUpstream, splitStartScript, startMock } from '../../bench/processes.ts'

describe('splitStartScript', () => {
  it("separates npm start's leading environment from the command, as sh reads it", () => {
    expect(splitStartScript('MALLOC_ARENA_MAX=2 node --flag dist/main.js')).toEqual({
      env: { MALLOC_ARENA_MAX: '2' },
      words: ['node', '--flag', 'dist/main.js'],
    })
    expect(splitStartScript(' A=1  B_2=x=y node main.js --opt=3')).toEqual({
      env: { A: '1', B_2: 'x=y' },
      words: ['node', 'main.js', '--opt=3'],
    })
    // Only leading words are the environment; a lowercase word or a flag ends it.
    expect(splitStartScript('node --max=1 X=2')).toEqual({ env: {}, words: ['node', '--max=1', 'X=2'] })
  })
})

describe('nginxString', () => {
  it('quotes what nginx reads back as the same text', () => {
    expect(nginxString('a\'b\\c\nd\re\tf"g')).toBe("'a\\'b\\\\c\\nd\\re\\tf\"g'")
  })
  it('refuses a variable sign and a word longer than nginx reads', () => {
    expect(() => nginxString('cost: $5')).toThrow(/\$/)
    expect(() => nginxString('x'.repeat(4000))).toThrow(/over 4000/)
  })
  it('builds a configuration with both surfaces and the Node mock behind them', () => {
    const conf = nginxMockConfig({ port: 1, nodePort: 2, dir: '/tmp/x' })
    expect(conf).toContain('location ~ /chat/completions$')
    expect(conf).toContain('location ~ /messages$')
    expect(conf).toContain('server 127.0.0.1:2;')
    expect(conf).toContain('"total_tokens":19')
  })
})

const missing = nginxMissing()

describe.skipIf(missing !== undefined)('nginx in front of the Node mock', () => {
  let fast: MockUpstream
  let node: MockUpstream
  beforeAll(async () => {
    const cores = allowedCpus('self')
    fast = await startMock(cores)
    node = await startMock(cores, { fast: false })
  }, 30_000)
  afterAll(async () => {
    await fast?.stop()
    await node?.stop()
  })

  const post = async (base: string, path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      length: res.headers.get('content-length'),
      body: await res.text(),
    }
  }
  const messages = [{ role: 'user', content: 'hi' }]

  it('is nginx, not the fallback', () => {
    expect(fast.kind).toBe('nginx')
    expect(fast.fallback).toBeUndefined()
  })

  for (const path of ['/v1/chat/completions', '/v1/messages'])
    for (const stream of [false, true])
      it(`answers ${path}${stream ? ' streamed' : ''} as the Node mock does`, async () => {
        const body = { model: 'm', messages, ...(stream ? { stream: true } : {}) }
        const a = await post(fast.url, path, body)
        const b = await post(node.url, path, body)
        expect(a.status).toBe(200)
        expect(a.body).toBe(b.body)
        expect(a.type).toBe(b.type)
        // Streams are chunked in both; answers carry their length in both.
        expect(a.length).toBe(b.length)
        expect(a.body).toMatch(
          stream ? /"(total_tokens|output_tokens)":(19|7)/ : /"(prompt_tokens|input_tokens)":12/,
        )
      })

  it('paces a stream itself: the same events, in separate writes, 1 ms apart', async () => {
    for (const path of ['/v1/chat/completions', '/v1/messages']) {
      const body = JSON.stringify({ messages, stream: true })
      const headers = { 'content-type': 'application/json', 'x-mock-pace': '1' }
      const started = performance.now()
      const res = await fetch(fast.url + path, { method: 'POST', headers, body })
      const chunks: string[] = []
      const decoder = new TextDecoder()
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) chunks.push(decoder.decode(chunk))
      const elapsed = performance.now() - started
      const whole = (await post(node.url, path, { messages, stream: true })).body
      expect(chunks.join('')).toBe(whole)
      const events = whole.split('\n\n').length - 1
      // A busy reader may take two writes in one read: more than one chunk, and the time the pauses take.
      expect(chunks.length).toBeGreaterThan(1)
      expect(elapsed).toBeGreaterThanOrEqual(events - 1)
      // A paced request without a stream in its body is the plain answer.
      const plain = await post(fast.url, path, { messages }, { 'x-mock-pace': '1' })
      expect(plain.body).toBe((await post(node.url, path, { messages })).body)
    }
  })

  it('paces the long stream (x-mock-pace: long) as the Node mock does, usage still at its end', async () => {
    for (const path of ['/v1/chat/completions', '/v1/messages']) {
      const body = { messages, stream: true }
      const headers = { 'x-mock-pace': 'long' }
      const started = performance.now()
      const a = await post(fast.url, path, body, headers)
      const elapsed = performance.now() - started
      const b = await post(node.url, path, body, headers)
      expect(a.status).toBe(200)
      expect(a.body).toBe(b.body)
      const contentEvents = a.body.split('\n\n').filter((e) => e.includes('word')).length
      expect(contentEvents).toBe(LONG_TEXT_EVENTS)
      expect(elapsed).toBeGreaterThanOrEqual(LONG_TEXT_EVENTS)
      expect(a.body).toMatch(/"(total_tokens|output_tokens)":(19|7)\}[^]*$/)
    }
  })

  it('passes other x-mock-* requests, stats and unknown paths to the Node mock', async () => {
    const error = await post(fast.url, '/v1/chat/completions', { messages }, { 'x-mock-status': '500' })
    expect(error.status).toBe(500)
    expect(error.body).toContain('mock upstream error')
    const held = await post(
      fast.url,
      '/v1/messages',
      { messages, stream: true },
      { 'x-mock-pace': '1', 'x-mock-hold': '5' },
    )
    expect(held.body).toBe((await post(node.url, '/v1/messages', { messages, stream: true })).body)
    expect((await post(fast.url, '/v1/other', {})).status).toBe(404)
    const stats = (await (await fetch(`${fast.url}/_mock/stats`)).json()) as { served: number }
    expect(stats.served).toBe(3)
  })
})
