/** The Anthropic SDK, pointed directly at the fake upstream, parses its plain and streamed messages. */
import Anthropic from '@anthropic-ai/sdk'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { extractAnthropicUsage } from '../../src/protocol/anthropic/extract-anthropic-usage.ts'
import { startFakeUpstream, type FakeUpstream } from './start-fake-upstream.ts'
import { trackStream, weatherParameters } from './track-fake-stream.ts'

let anthropic: Anthropic

let fake: FakeUpstream

beforeAll(async () => {
  fake = await startFakeUpstream()
  anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: fake.url, maxRetries: 0 })
})

afterAll(async () => {
  await fake.close()
})

beforeEach(() => {
  fake.setScenario(null)
  fake.clearRequests()
})

describe('Anthropic SDK against the fake upstream', () => {
  const messages = [{ role: 'user' as const, content: 'Say hello 👋' }]
  const model = 'claude-sonnet-5-5'

  it('parses a plain message with disjoint cache counts', async () => {
    const msg = await anthropic.messages.create({ model, max_tokens: 1024, messages })
    expect(msg.content).toEqual([{ type: 'text', text: 'Hello 你好 👋 from claude-sonnet-5-5' }])
    expect(msg.stop_reason).toBe('end_turn')
    const u = msg.usage
    expect(u.cache_read_input_tokens).toBeGreaterThan(0)
    expect(u.cache_creation_input_tokens).toBeGreaterThan(0)
    expect(u.cache_creation?.ephemeral_1h_input_tokens).toBeGreaterThan(0)
    expect(fake.requests[0].headers['anthropic-version']).toBeDefined()
  })

  it('streams the same message, with message_delta repeating cumulative usage', async () => {
    const plain = await anthropic.messages.create({ model, max_tokens: 1024, messages })
    const stream = anthropic.messages.stream({ model, max_tokens: 1024, messages })
    const events: string[] = []
    stream.on('streamEvent', (event) => events.push(event.type))
    const final = await stream.finalMessage()
    expect(final.content).toEqual(plain.content)
    expect(final.usage.output_tokens).toBe(plain.usage.output_tokens)
    expect(final.usage.input_tokens).toBe(plain.usage.input_tokens)
    expect(events[0]).toBe('message_start')
    expect(events.at(-1)).toBe('message_stop')

    const raw = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      body: JSON.stringify({ model, max_tokens: 1024, messages, stream: true }),
    }).then((res) => res.text())
    expect(raw).toContain('event: ping\ndata: {"type": "ping"}\n\n')
    const tracked = await trackStream(fake.url, 'anthropic', '/v1/messages', {
      model,
      max_tokens: 1024,
      messages,
      stream: true,
    })
    expect(tracked.usage).toEqual(extractAnthropicUsage(plain))
    expect(tracked.text).toBe('Hello 你好 👋 from claude-sonnet-5-5')
  })

  it('streams thinking and tool_use blocks', async () => {
    const tools = [
      {
        name: 'get_weather',
        description: 'Weather',
        input_schema: weatherParameters as Anthropic.Tool.InputSchema,
      },
    ]
    const body = {
      model,
      max_tokens: 2048,
      messages,
      tools,
      thinking: { type: 'enabled' as const, budget_tokens: 1024 },
    }
    const plain = await anthropic.messages.create(body)
    const final = await anthropic.messages.stream(body).finalMessage()
    expect(final.content).toEqual(plain.content)
    expect(final.stop_reason).toBe('tool_use')
    expect(final.content.map((b) => b.type)).toEqual(['thinking', 'text', 'tool_use'])
    expect(final.content[2]).toMatchObject({
      name: 'get_weather',
      input: { city: 'Paris 巴黎 🗼', days: 42 },
    })
    expect(final.content[0]).toMatchObject({ thinking: 'Let me think 🤔 about 这个.' })
  })

  it('counts tokens and lists models', async () => {
    const count = await anthropic.messages.countTokens({ model, messages })
    const msg = await anthropic.messages.create({ model, max_tokens: 1024, messages })
    const u = msg.usage
    expect(count.input_tokens).toBe(
      u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0),
    )
    const ids: string[] = []
    for await (const m of anthropic.models.list()) ids.push(m.id)
    expect(ids).toContain('claude-sonnet-5-5')
  })

  it('returns errors in Anthropic shape (529 overloaded)', async () => {
    fake.setScenario('status:529')
    const error = await anthropic.messages
      .create({ model, max_tokens: 10, messages })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Anthropic.APIError)
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(529)
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'overloaded_error' },
    })
  })
})
