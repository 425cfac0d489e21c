/**
 * The official SDKs, pointed directly at the fake upstream, parse its plain and streamed answers: this is
 * what proves the fake speaks each provider's wire format (tool calls included). OpenAI here; Anthropic and
 * Gemini in the sibling files.
 */
import OpenAI, { toFile } from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { extractOpenAiResponsesUsage } from '../../src/protocol/openai/extract-openai-responses-usage.ts'
import { extractOpenAiUsage } from '../../src/protocol/openai/extract-openai-usage.ts'
import { startFakeUpstream, type FakeUpstream } from './start-fake-upstream.ts'
import { trackStream, weatherParameters } from './track-fake-stream.ts'

let openai: OpenAI

let fake: FakeUpstream

beforeAll(async () => {
  fake = await startFakeUpstream()
  openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${fake.url}/v1`, maxRetries: 0 })
})

afterAll(async () => {
  await fake.close()
})

beforeEach(() => {
  fake.setScenario(null)
  fake.clearRequests()
})

describe('OpenAI SDK against the fake upstream', () => {
  const messages = [{ role: 'user' as const, content: 'Say hello 👋' }]

  it('parses a plain chat completion with cached and reasoning details', async () => {
    const c = await openai.chat.completions.create({ model: 'gpt-4o', messages })
    expect(c.model).toBe('gpt-4o')
    expect(c.choices[0].message.content).toBe('Hello 你好 👋 from gpt-4o')
    expect(c.choices[0].finish_reason).toBe('stop')
    const usage = c.usage!
    expect(usage.prompt_tokens_details?.cached_tokens).toBeGreaterThan(0)
    expect(usage.prompt_tokens_details!.cached_tokens!).toBeLessThan(usage.prompt_tokens)
    expect(usage.completion_tokens_details?.reasoning_tokens).toBe(16)
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens)
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions' })
    expect(fake.requests[0].headers.authorization).toBe('Bearer sk-test')
  })

  it('answers deterministically', async () => {
    const a = await openai.chat.completions.create({ model: 'gpt-4o', messages })
    const b = await openai.chat.completions.create({ model: 'gpt-4o', messages })
    expect(a).toEqual(b)
  })

  it('streams chunks with usage: null and a final choices: [] usage chunk only when include_usage is set', async () => {
    const plain = await openai.chat.completions.create({ model: 'gpt-4o', messages })
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    const usages: unknown[] = []
    let emptyChoiceChunks = 0
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      usages.push(chunk.usage)
      if (chunk.choices.length === 0) emptyChoiceChunks++
    }
    expect(text).toBe(plain.choices[0].message.content)
    expect(emptyChoiceChunks).toBe(1)
    expect(usages.slice(0, -1).every((u) => u === null)).toBe(true)
    expect(usages.at(-1)).toEqual(plain.usage)

    const withoutUsage = await openai.chat.completions.create({ model: 'gpt-4o', messages, stream: true })
    for await (const chunk of withoutUsage) {
      expect(chunk.choices).toHaveLength(1)
      expect(chunk).not.toHaveProperty('usage')
    }
  })

  it('gives the same usage through the gateway stream tracker as in the plain body', async () => {
    const body = { model: 'gpt-4o', messages }
    const plain = await openai.chat.completions.create(body)
    const tracked = await trackStream(fake.url, 'openai-chat', '/v1/chat/completions', {
      ...body,
      stream: true,
      stream_options: { include_usage: true },
    })
    expect(tracked.usage).toEqual(extractOpenAiUsage(plain))
    expect(tracked.text).toBe(plain.choices[0].message.content)
  })

  it('calls tools, plain and streamed as fragments', async () => {
    const tools = [
      { type: 'function' as const, function: { name: 'get_weather', parameters: weatherParameters } },
    ]
    const plain = await openai.chat.completions.create({ model: 'gpt-4o', messages, tools })
    const call = plain.choices[0].message.tool_calls![0]
    expect(plain.choices[0].finish_reason).toBe('tool_calls')
    expect(call.type === 'function' && call.function.name).toBe('get_weather')
    expect(JSON.parse(call.type === 'function' ? call.function.arguments : '')).toEqual({
      city: 'Paris 巴黎 🗼',
      days: 42,
    })

    const final = await openai.chat.completions
      .stream({ model: 'gpt-4o', messages, tools })
      .finalChatCompletion()
    expect(final.choices[0].message.tool_calls).toEqual(plain.choices[0].message.tool_calls)

    const raw = await openai.chat.completions.create({ model: 'gpt-4o', messages, tools, stream: true })
    const fragments: Array<{ id?: string; name?: string }> = []
    for await (const chunk of raw) {
      for (const t of chunk.choices[0]?.delta.tool_calls ?? [])
        fragments.push({ id: t.id, name: t.function?.name })
    }
    expect(fragments.length).toBeGreaterThan(2)
    expect(fragments[0]).toEqual({ id: call.id, name: 'get_weather' })
    expect(fragments.slice(1).every((f) => f.id === undefined && f.name === undefined)).toBe(true)

    const afterResult = await openai.chat.completions.create({
      model: 'gpt-4o',
      tools,
      messages: [
        ...messages,
        plain.choices[0].message,
        { role: 'tool', tool_call_id: call.id, content: '21°C' },
      ],
    })
    expect(afterResult.choices[0].message.content).toContain('Hello')
  })

  it('stops at max_completion_tokens with finish_reason length', async () => {
    const c = await openai.chat.completions.create({ model: 'gpt-4o', messages, max_completion_tokens: 18 })
    expect(c.choices[0].finish_reason).toBe('length')
    expect(c.usage?.completion_tokens).toBe(18)
    expect(c.choices[0].message.content).toBe('Hello 你好')
  })

  it('parses legacy completions, plain and streamed', async () => {
    const plain = await openai.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say 你好' })
    expect(plain.choices[0].text).toBe('Hello 你好 👋 from gpt-3.5-turbo-instruct')
    const stream = await openai.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Say 你好',
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let usage: unknown
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? ''
      if (chunk.usage) usage = chunk.usage
    }
    expect(text).toBe(plain.choices[0].text)
    expect(usage).toEqual(plain.usage)
  })

  it('parses embeddings in the SDK default base64 encoding and as floats', async () => {
    const viaBase64 = await openai.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['a', '漢字'],
    })
    expect(JSON.parse(fake.requests[0].body).encoding_format).toBe('base64')
    const viaFloat = await openai.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['a', '漢字'],
      encoding_format: 'float',
      dimensions: 16,
    })
    expect(viaBase64.data.map((d) => d.embedding)).toEqual(viaFloat.data.map((d) => d.embedding))
    expect(viaFloat.data[1].embedding).toHaveLength(16)
    expect(viaFloat.usage.prompt_tokens).toBeGreaterThan(0)
  })

  it('parses a plain and a streamed Responses answer with usage', async () => {
    const plain = await openai.responses.create({
      model: 'gpt-5',
      input: 'Hi 你好',
      instructions: 'Be brief',
    })
    expect(plain.output_text).toBe('Hello 你好 👋 from gpt-5')
    expect(plain.usage?.input_tokens_details.cached_tokens).toBeGreaterThan(0)
    expect(plain.usage?.output_tokens_details.reasoning_tokens).toBe(16)

    const stream = openai.responses.stream({ model: 'gpt-5', input: 'Hi 你好', instructions: 'Be brief' })
    const types: string[] = []
    const sequence: number[] = []
    for await (const event of stream) {
      types.push(event.type)
      sequence.push(event.sequence_number)
    }
    const final = await stream.finalResponse()
    expect(final.output_text).toBe(plain.output_text)
    expect(final.usage).toEqual(plain.usage)
    expect(types[0]).toBe('response.created')
    expect(types.at(-1)).toBe('response.completed')
    expect(sequence).toEqual(sequence.map((_, i) => i))

    const tracked = await trackStream(fake.url, 'openai-responses', '/v1/responses', {
      model: 'gpt-5',
      input: 'Hi 你好',
      instructions: 'Be brief',
      stream: true,
    })
    expect(tracked.usage).toEqual(extractOpenAiResponsesUsage(plain))
  })

  it('calls a function tool in the Responses API, plain and streamed', async () => {
    const tools = [
      { type: 'function' as const, name: 'get_weather', parameters: weatherParameters, strict: false },
    ]
    const plain = await openai.responses.create({ model: 'gpt-5', input: 'Weather?', tools })
    const call = plain.output.find((o) => o.type === 'function_call')
    expect(call).toMatchObject({ name: 'get_weather' })
    const final = await openai.responses.stream({ model: 'gpt-5', input: 'Weather?', tools }).finalResponse()
    expect(final.output.find((o) => o.type === 'function_call')).toMatchObject(call!)
  })

  it('reports response.incomplete when max_output_tokens cuts the answer', async () => {
    const stream = openai.responses.stream({ model: 'gpt-5', input: 'Hi', max_output_tokens: 17 })
    const final = await stream.finalResponse()
    expect(final.status).toBe('incomplete')
    expect(final.incomplete_details?.reason).toBe('max_output_tokens')
    expect(final.usage?.output_tokens).toBe(17)
  })

  it('serves images, transcriptions, speech, moderations and models', async () => {
    const image = await openai.images.generate({ model: 'gpt-image-1', prompt: 'a cat 🐱' })
    expect(image.data?.[0].b64_json).toMatch(/^iVBOR/)
    expect(image.usage?.output_tokens).toBe(272)

    const file = await toFile(Buffer.alloc(32000, 1), 'speech.mp3', { type: 'audio/mpeg' })
    const transcript = await openai.audio.transcriptions.create({ file, model: 'whisper-1' })
    expect(transcript.text).toBe('Hello 你好 👋 from whisper-1')
    expect(fake.requests.at(-1)?.headers['content-type']).toMatch(/^multipart\/form-data/)
    const plainText = await openai.audio.transcriptions.create({
      file,
      model: 'gpt-4o-transcribe',
      response_format: 'text',
    })
    expect(plainText).toContain('gpt-4o-transcribe')

    const speech = await openai.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hello' })
    expect(speech.headers.get('content-type')).toBe('audio/mpeg')
    expect(
      Buffer.from(await speech.arrayBuffer())
        .subarray(0, 3)
        .toString(),
    ).toBe('ID3')

    const moderation = await openai.moderations.create({ input: ['fine', 'also fine'] })
    expect(moderation.results).toHaveLength(2)
    expect(moderation.results[0].flagged).toBe(false)

    const ids: string[] = []
    for await (const model of openai.models.list()) ids.push(model.id)
    expect(ids).toContain('gpt-4o')
  })

  it('maps provider errors to the SDK error classes', async () => {
    fake.setScenario('status:429')
    const error = await openai.chat.completions.create({ model: 'gpt-4o', messages }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OpenAI.RateLimitError)
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('rate_limit_exceeded')
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('1')
    expect(fake.requests).toHaveLength(1)
  })
})
