/** The misbehaviours the fake upstream produces on demand. */
import Anthropic from '@anthropic-ai/sdk'
import { GoogleGenAI } from '@google/genai'
import { request } from 'node:http'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createSseParser, type SseEvent } from '../../src/protocol/sse/parse-sse-stream.ts'
import { createStreamUsageTracker } from '../../src/protocol/usage/track-stream-usage.ts'
import { extractOpenAiUsage } from '../../src/protocol/openai/extract-openai-usage.ts'
import {
  modelWithScenario,
  SCENARIO_NAMES,
  startFakeUpstream,
  type FakeUpstream,
} from './start-fake-upstream.ts'

let fake: FakeUpstream

beforeAll(async () => {
  fake = await startFakeUpstream()
})

afterAll(async () => {
  await fake.close()
})

beforeEach(() => {
  fake.setScenario(null)
  fake.clearRequests()
})

const chatBody = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi 你好' }] }
const streamBody = { ...chatBody, stream: true, stream_options: { include_usage: true } }

interface RawAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  chunks: Array<{ at: number; bytes: Buffer }>
  body: Buffer
  error?: Error
}

/** Posts with node:http and records every chunk as it arrives (and when). */
function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const started = performance.now()
    const req = request(
      fake.url + path,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const answer: RawAnswer = {
          status: res.statusCode ?? 0,
          headers: res.headers,
          chunks: [],
          body: Buffer.alloc(0),
        }
        res.on('data', (bytes: Buffer) => answer.chunks.push({ at: performance.now() - started, bytes }))
        const done = (error?: Error) => {
          answer.body = Buffer.concat(answer.chunks.map((c) => c.bytes))
          answer.error = error
          resolve(answer)
        }
        res.on('end', () => done())
        res.on('error', done)
        res.on('aborted', () => done(new Error('aborted')))
      },
    )
    req.on('error', (error) => resolve({ status: 0, headers: {}, chunks: [], body: Buffer.alloc(0), error }))
    req.end(JSON.stringify(body))
  })
}

function parseEvents(bytes: Buffer): SseEvent[] {
  const events: SseEvent[] = []
  const parser = createSseParser((ev) => events.push(ev))
  parser.push(bytes)
  parser.end()
  return events
}

describe('scenario selection', () => {
  it('knows every documented scenario name', () => {
    expect(SCENARIO_NAMES).toEqual(
      expect.arrayContaining([
        'stall-headers',
        'stall-mid-stream',
        'reset',
        'split-bytes',
        'slow-events',
        'bad-json',
        'html-502',
        'status',
        'redirect',
        'echo-headers',
        'no-usage',
        'error-mid-stream',
      ]),
    )
  })

  it('lets the header win over the model prefix and the server-wide scenario', async () => {
    fake.setScenario('status:500')
    expect((await post('/v1/chat/completions', chatBody)).status).toBe(500)
    expect(
      (await post('/v1/chat/completions', { ...chatBody, model: modelWithScenario('status:503', 'gpt-4o') }))
        .status,
    ).toBe(503)
    const viaHeader = await post(
      '/v1/chat/completions',
      { ...chatBody, model: modelWithScenario('status:503', 'gpt-4o') },
      { 'x-fake-scenario': 'status:401' },
    )
    expect(viaHeader.status).toBe(401)
    expect(JSON.parse(viaHeader.body.toString())).toMatchObject({ error: { code: 'invalid_api_key' } })
    expect(fake.requests.map((r) => r.scenario)).toEqual(['status', 'status', 'status'])
  })

  it('selects a scenario by a Gemini model in the path', async () => {
    const answer = await post(
      `/v1beta/models/${modelWithScenario('status:403', 'gemini-2.5-flash')}:generateContent`,
      { contents: [] },
    )
    expect(answer.status).toBe(403)
    expect(JSON.parse(answer.body.toString())).toEqual({
      error: { code: 403, message: expect.any(String), status: 'PERMISSION_DENIED' },
    })
  })

  it('rejects an unknown scenario loudly', async () => {
    const answer = await post('/v1/chat/completions', chatBody, { 'x-fake-scenario': 'no-such-thing' })
    expect(answer.status).toBe(400)
    expect(answer.body.toString()).toContain('unknown scenario')
  })

  it('bounds and clears the recorded requests', async () => {
    const small = await startFakeUpstream({ maxRecordedRequests: 2 })
    try {
      for (let i = 0; i < 3; i++) await fetch(`${small.url}/v1/models`)
      expect(small.requests).toHaveLength(2)
      small.clearRequests()
      expect(small.requests).toHaveLength(0)
    } finally {
      await small.close()
    }
  })
})

describe('connection misbehaviours', () => {
  it('stall-headers never answers, and close() still returns', async () => {
    const stalled = await startFakeUpstream()
    stalled.setScenario('stall-headers')
    const error = await fetch(`${stalled.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify(chatBody),
      signal: AbortSignal.timeout(300),
    }).catch((e: unknown) => e)
    expect((error as Error).name).toBe('TimeoutError')
    const pending = fetch(`${stalled.url}/v1/models`).catch((e: unknown) => e)
    await new Promise((resolve) => setTimeout(resolve, 50))
    await stalled.close()
    expect(await pending).toBeInstanceOf(Error)
  })

  it('stall-mid-stream sends some events then goes silent', async () => {
    const res = await fetch(`${fake.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'x-fake-scenario': 'stall-mid-stream:2' },
      body: JSON.stringify(streamBody),
    })
    expect(res.status).toBe(200)
    const reader = res.body!.getReader()
    let received = ''
    const decoder = new TextDecoder()
    const timeout = new Promise<'silent'>((resolve) => setTimeout(() => resolve('silent'), 300))
    for (;;) {
      const next = await Promise.race([reader.read(), timeout])
      if (next === 'silent' || next.done) break
      received += decoder.decode(next.value, { stream: true })
    }
    await reader.cancel()
    expect(parseEvents(Buffer.from(received))).toHaveLength(2)
  })

  it('reset destroys the socket mid-stream', async () => {
    const answer = await post('/v1/chat/completions', streamBody, { 'x-fake-scenario': 'reset' })
    expect(answer.status).toBe(200)
    expect(answer.error).toBeDefined()
    expect(answer.body.toString()).toContain('data: ')
    expect(answer.body.toString()).not.toContain('[DONE]')
  })

  it('reset-before-headers destroys the socket before any answer', async () => {
    const answer = await post('/v1/chat/completions', chatBody, { 'x-fake-scenario': 'reset-before-headers' })
    expect(answer.status).toBe(0)
    expect(answer.error).toBeDefined()
    const alias = await post('/v1/chat/completions', chatBody, { 'x-fake-scenario': 'reset:before-headers' })
    expect(alias.error).toBeDefined()
  })

  it('reset cuts a plain body in the middle', async () => {
    const answer = await post(
      '/v1/messages',
      { model: 'claude-sonnet-5-5', max_tokens: 10, messages: [] },
      { 'x-fake-scenario': 'reset' },
    )
    expect(answer.status).toBe(200)
    expect(answer.error).toBeDefined()
  })

  it('redirect answers 302 towards another URL', async () => {
    const res = await fetch(`${fake.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'x-fake-scenario': 'redirect' },
      body: JSON.stringify(chatBody),
      redirect: 'manual',
    })
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe(`${fake.url}/redirect-target`)
    expect(fake.requests.map((r) => r.path)).toEqual(['/v1/chat/completions'])
  })

  it('delay answers normally after a pause', async () => {
    const started = performance.now()
    const answer = await post('/v1/chat/completions', chatBody, { 'x-fake-scenario': 'delay:150' })
    expect(answer.status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(140)
  })
})

describe('byte-level and timing misbehaviours', () => {
  it('split-bytes delivers a stream one byte at a time, including inside UTF-8 characters', async () => {
    const normal = await post('/v1/chat/completions', streamBody)
    const split = await post('/v1/chat/completions', streamBody, { 'x-fake-scenario': 'split-bytes' })
    expect(split.body.equals(normal.body)).toBe(true)
    expect(split.chunks.length).toBeGreaterThan(normal.body.length / 4)
    const midChar = split.chunks.some(({ bytes }) => bytes.length > 0 && (bytes[0] & 0xc0) === 0x80)
    expect(midChar).toBe(true)
    expect(parseEvents(split.body)).toEqual(parseEvents(normal.body))
  })

  it('split-bytes with a size and delay applies to plain bodies too', async () => {
    const normal = await post('/v1/messages', { model: 'claude-sonnet-5-5', max_tokens: 100, messages: [] })
    const split = await post(
      '/v1/messages',
      { model: 'claude-sonnet-5-5', max_tokens: 100, messages: [] },
      { 'x-fake-scenario': 'split-bytes:7:1' },
    )
    expect(split.body.equals(normal.body)).toBe(true)
    expect(split.chunks.length).toBeGreaterThan(normal.body.length / 7 / 2)
  })

  it('slow-events spaces events and counts each one as it is sent', async () => {
    const sent: number[] = []
    const unsubscribe = fake.onEventSent((info) => sent.push(info.index))
    const before = fake.eventsSent
    const answer = await post('/v1/chat/completions', streamBody, { 'x-fake-scenario': 'slow-events:60' })
    unsubscribe()
    const events = parseEvents(answer.body)
    expect(fake.eventsSent - before).toBe(events.length)
    expect(sent).toEqual(events.map((_, i) => i))
    // Each event arrived in its own chunk, about 60 ms after the previous one.
    expect(answer.chunks.length).toBe(events.length)
    const gaps = answer.chunks.slice(1).map((c, i) => c.at - answer.chunks[i].at)
    expect(Math.min(...gaps)).toBeGreaterThan(40)
  })

  it('lets a client observe that event i arrived before event i+1 was sent', async () => {
    let sentWhenFirstArrived = -1
    const before = fake.eventsSent
    const res = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-fake-scenario': 'slow-events:100' },
      body: JSON.stringify({ model: 'claude-sonnet-5-5', max_tokens: 100, messages: [], stream: true }),
    })
    const reader = res.body!.getReader()
    await reader.read()
    sentWhenFirstArrived = fake.eventsSent - before
    await reader.cancel()
    expect(sentWhenFirstArrived).toBe(1)
  })
})

describe('content misbehaviours', () => {
  it('bad-json truncates a plain body and injects a broken stream event', async () => {
    const client = new OpenAI({ apiKey: 'sk', baseURL: `${fake.url}/v1`, maxRetries: 0 })
    fake.setScenario('bad-json')
    const plain = await post('/v1/chat/completions', chatBody)
    expect(plain.status).toBe(200)
    expect(() => JSON.parse(plain.body.toString()) as unknown).toThrow()
    await expect(
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toThrow()
    const stream = await post('/v1/chat/completions', streamBody)
    const datas = parseEvents(stream.body).map((e) => e.data)
    expect(datas.filter((d) => d !== '[DONE]' && !isJson(d))).toHaveLength(1)
    expect(datas.at(-1)).toBe('[DONE]')
  })

  it('html-502 answers an HTML page', async () => {
    const answer = await post('/v1/messages', {}, { 'x-fake-scenario': 'html-502' })
    expect(answer.status).toBe(502)
    expect(answer.headers['content-type']).toBe('text/html')
    expect(answer.body.toString()).toContain('<h1>502 Bad Gateway</h1>')
  })

  it.each([
    ['/v1/chat/completions', 'openai'],
    ['/v1/messages', 'anthropic'],
    ['/v1beta/models/gemini-2.5-flash:generateContent', 'gemini'],
  ])('status:429 on %s answers the %s error body with retry-after', async (path, protocol) => {
    const answer = await post(path, {}, { 'x-fake-scenario': 'status:429:7' })
    expect(answer.status).toBe(429)
    expect(answer.headers['retry-after']).toBe('7')
    const body = JSON.parse(answer.body.toString())
    if (protocol === 'openai')
      expect(body).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded', param: null } })
    if (protocol === 'anthropic')
      expect(body).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } })
    if (protocol === 'gemini')
      expect(body).toMatchObject({ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } })
  })

  it('echo-headers returns the received headers in the answer text', async () => {
    const client = new OpenAI({
      apiKey: 'sk-echo',
      baseURL: `${fake.url}/v1`,
      maxRetries: 0,
      defaultHeaders: { 'x-fake-scenario': 'echo-headers', 'x-trace': 'abc' },
    })
    const c = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'x' }],
    })
    const echoed = JSON.parse(c.choices[0].message.content ?? '')
    expect(echoed.headers).toMatchObject({ authorization: 'Bearer sk-echo', 'x-trace': 'abc' })
    expect(echoed.url).toBe('/v1/chat/completions')

    const anthropic = new Anthropic({
      apiKey: 'sk-ant-echo',
      baseURL: fake.url,
      maxRetries: 0,
      defaultHeaders: { 'x-fake-scenario': 'echo-headers' },
    })
    const final = await anthropic.messages
      .stream({ model: 'claude-sonnet-5-5', max_tokens: 4096, messages: [{ role: 'user', content: 'x' }] })
      .finalMessage()
    const block = final.content[0]
    expect(JSON.parse(block.type === 'text' ? block.text : '').headers['anthropic-version']).toBeDefined()
  })

  it('no-usage reports no usage, plain or streamed, even when include_usage is asked', async () => {
    fake.setScenario('no-usage')
    const plain = JSON.parse((await post('/v1/chat/completions', chatBody)).body.toString())
    expect(plain).not.toHaveProperty('usage')
    const events = parseEvents((await post('/v1/chat/completions', streamBody)).body)
    expect(events.some((e) => e.data.includes('"usage"'))).toBe(false)
    const tracker = createStreamUsageTracker('openai-chat')
    events.forEach((e) => tracker.push(e))
    expect(tracker.result()).toMatchObject({ usage: { reported: false }, text: 'Hello 你好 👋 from gpt-4o' })
  })

  it.each(['usage-every-chunk', 'usage-on-content-chunk'])(
    '%s is metered like the plain answer',
    async (scenario) => {
      const plain = JSON.parse((await post('/v1/chat/completions', chatBody)).body.toString())
      const events = parseEvents(
        (await post('/v1/chat/completions', { ...chatBody, stream: true }, { 'x-fake-scenario': scenario }))
          .body,
      )
      const withUsage = events.filter((e) => e.data.includes('"usage":{'))
      expect(withUsage.length).toBeGreaterThan(0)
      expect(withUsage.every((e) => !e.data.includes('"choices":[]'))).toBe(true)
      const tracker = createStreamUsageTracker('openai-chat')
      events.forEach((e) => tracker.push(e))
      expect(tracker.result().usage).toEqual(extractOpenAiUsage(plain))
    },
  )

  it('error-mid-stream ends each protocol with its own error event', async () => {
    const openai = new OpenAI({ apiKey: 'sk', baseURL: `${fake.url}/v1`, maxRetries: 0 })
    const anthropic = new Anthropic({ apiKey: 'sk-ant', baseURL: fake.url, maxRetries: 0 })
    const gemini = new GoogleGenAI({ apiKey: 'gm', httpOptions: { baseUrl: fake.url } })
    fake.setScenario('error-mid-stream')

    const chat = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    })
    await expect(
      (async () => {
        for await (const _ of chat) void _
      })(),
    ).rejects.toBeInstanceOf(OpenAI.APIError)

    await expect(
      anthropic.messages
        .stream({ model: 'claude-sonnet-5-5', max_tokens: 100, messages: [{ role: 'user', content: 'x' }] })
        .finalMessage(),
    ).rejects.toMatchObject({ error: { type: 'error', error: { type: 'overloaded_error' } } })

    await expect(
      (async () => {
        for await (const _ of await gemini.models.generateContentStream({
          model: 'gemini-2.5-flash',
          contents: 'x',
        }))
          void _
      })(),
    ).rejects.toMatchObject({ status: 500 })

    const responses = parseEvents(
      (await post('/v1/responses', { model: 'gpt-5', input: 'x', stream: true })).body,
    )
    const last = responses.at(-1)!
    expect(last.event).toBe('response.failed')
    const tracker = createStreamUsageTracker('openai-responses')
    responses.forEach((e) => tracker.push(e))
    expect(tracker.result()).toMatchObject({ sawError: true, completed: true, usage: { reported: true } })

    const geminiRaw = (
      await post('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', { contents: [] })
    ).body.toString()
    expect(geminiRaw.endsWith('"status":"INTERNAL"}}\r\n\r\n')).toBe(true)
  })
})

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}
