/**
 * The fake upstream's answers that follow the request (fake-features.ts, check-history.ts): parallel tool calls,
 * answers echoing tool results, images and JSON schemas, the Responses reasoning summary, Gemini 3 call ids
 * and the providers' 400s for broken tool histories — in each provider's own wire format.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSseParser } from '../../src/protocol/sse/parse-sse-stream.ts'
import { FAKE_THINKING_TEXT, hashText, TINY_PNG_BASE64 } from './fake-content.ts'
import { sampleFromSchema } from './fake-features.ts'
import { type FakeUpstream, startFakeUpstream } from './start-fake-upstream.ts'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- wire JSON, checked by the assertions

const params = (props: Record<string, string>) => ({
  type: 'object',
  properties: Object.fromEntries(Object.entries(props).map(([k, t]) => [k, { type: t }])),
})
const weather = params({ city: 'string', days: 'integer' })
const time = params({ city: 'string' })
const schema = {
  type: 'object',
  properties: { city: { type: 'string' }, n: { type: 'integer' }, ok: { type: 'boolean' } },
  required: ['city', 'n', 'ok'],
  additionalProperties: false,
}
const imageBytes = Buffer.from(TINY_PNG_BASE64, 'base64').length
const imageSeen = `Images: image/png ${imageBytes} bytes #${hashText(TINY_PNG_BASE64)}.`

describe('fake upstream: answers that follow the request', () => {
  let fake: FakeUpstream
  beforeAll(async () => {
    fake = await startFakeUpstream()
  })
  afterAll(async () => fake?.close())

  async function post(path: string, body: unknown): Promise<{ status: number; json: Json }> {
    const res = await fetch(fake.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return { status: res.status, json: (await res.json()) as Json }
  }

  async function events(path: string, body: unknown): Promise<Json[]> {
    const res = await fetch(fake.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    const out: Json[] = []
    const parser = createSseParser((ev) => {
      if (ev.data !== '[DONE]') out.push(JSON.parse(ev.data) as Json)
    })
    parser.push(new Uint8Array(await res.arrayBuffer()))
    parser.end()
    return out
  }

  describe('OpenAI chat', () => {
    const tools = [
      { type: 'function', function: { name: 'get_weather', parameters: weather } },
      { type: 'function', function: { name: 'get_time', parameters: time } },
    ]
    const ask = { role: 'user', content: 'Weather and time, in parallel please' }

    it('calls two tools in one turn when asked for parallel calls, streamed by index', async () => {
      const { json } = await post('/v1/chat/completions', { model: 'gpt-4o', messages: [ask], tools })
      const calls = json.choices[0].message.tool_calls
      expect(calls.map((c: Json) => [c.function.name, JSON.parse(c.function.arguments)])).toEqual([
        ['get_weather', { city: 'Paris 巴黎 🗼', days: 42 }],
        ['get_time', { city: 'Tokyo 東京 🗼' }],
      ])
      expect(calls[0].id).toMatch(/^call_/)
      expect(calls[1].id).not.toBe(calls[0].id)
      const chunks = await events('/v1/chat/completions', {
        model: 'gpt-4o',
        messages: [ask],
        tools,
        stream: true,
      })
      const args = ['', '']
      for (const c of chunks)
        for (const t of c.choices[0]?.delta.tool_calls ?? []) args[t.index] += t.function.arguments ?? ''
      expect(args).toEqual(calls.map((c: Json) => c.function.arguments))
      // A single request without the word calls one tool.
      const one = await post('/v1/chat/completions', {
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'hi' }],
        tools,
      })
      expect(one.json.choices[0].message.tool_calls).toHaveLength(1)
    })

    it('echoes the tool results, images and answers JSON for a schema', async () => {
      const { json: first } = await post('/v1/chat/completions', { model: 'gpt-4o', messages: [ask], tools })
      const message = first.choices[0].message
      const after = await post('/v1/chat/completions', {
        model: 'gpt-4o',
        tools,
        messages: [
          ask,
          message,
          ...message.tool_calls.map((c: Json, i: number) => ({
            role: 'tool',
            tool_call_id: c.id,
            content: `r${i}`,
          })),
        ],
      })
      const [a, b] = message.tool_calls
      expect(after.json.choices[0].message.content).toBe(
        `Hello 你好 👋 from gpt-4o Tool results: get_weather ${a.id}=r0; get_time ${b.id}=r1.`,
      )
      const image = await post('/v1/chat/completions', {
        model: 'gpt-4o',
        messages: [
          {
            role: 'user',
            content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${TINY_PNG_BASE64}` } }],
          },
        ],
      })
      expect(image.json.choices[0].message.content).toContain(imageSeen)
      const structured = await post('/v1/chat/completions', {
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'json' }],
        response_format: { type: 'json_schema', json_schema: { name: 's', schema, strict: true } },
      })
      expect(JSON.parse(structured.json.choices[0].message.content)).toEqual({
        city: 'Paris 巴黎 🗼',
        n: 42,
        ok: true,
      })
    })

    it('refuses a tool call left without its result, as OpenAI does', async () => {
      const { json: first } = await post('/v1/chat/completions', { model: 'gpt-4o', messages: [ask], tools })
      const message = first.choices[0].message
      const { status, json } = await post('/v1/chat/completions', {
        model: 'gpt-4o',
        messages: [ask, message, { role: 'tool', tool_call_id: message.tool_calls[0].id, content: 'r0' }],
      })
      expect(status).toBe(400)
      expect(json.error.message).toContain(message.tool_calls[1].id)
    })
  })

  describe('OpenAI Responses', () => {
    const tools = [
      { type: 'function', name: 'get_weather', parameters: weather },
      { type: 'function', name: 'get_time', parameters: time },
    ]
    const input = [{ role: 'user', content: 'parallel: weather and time' }]

    it('answers two function_call items, streamed with their argument deltas', async () => {
      const { json } = await post('/v1/responses', { model: 'gpt-5', input, tools })
      const calls = json.output.filter((i: Json) => i.type === 'function_call')
      expect(calls.map((c: Json) => c.name)).toEqual(['get_weather', 'get_time'])
      expect(calls.map((c: Json) => c.id.slice(0, 3))).toEqual(['fc_', 'fc_'])
      expect(new Set(calls.map((c: Json) => c.call_id)).size).toBe(2)
      const evs = await events('/v1/responses', { model: 'gpt-5', input, tools, stream: true })
      const done = evs.filter((e) => e.type === 'response.function_call_arguments.done')
      expect(done.map((e) => e.arguments)).toEqual(calls.map((c: Json) => c.arguments))
      expect(evs.at(-1)?.response.output).toEqual(json.output)
    })

    it('echoes function_call_output by call_id and refuses a replayed call whose id is not an fc_ id', async () => {
      const { json } = await post('/v1/responses', { model: 'gpt-5', input, tools })
      const calls = json.output.filter((i: Json) => i.type === 'function_call')
      const outputs = calls.map((c: Json, i: number) => ({
        type: 'function_call_output',
        call_id: c.call_id,
        output: `r${i}`,
      }))
      const after = await post('/v1/responses', {
        model: 'gpt-5',
        tools,
        input: [...input, ...calls, ...outputs],
      })
      const text = after.json.output.find((i: Json) => i.type === 'message').content[0].text
      expect(text).toContain(
        `Tool results: get_weather ${calls[0].call_id}=r0; get_time ${calls[1].call_id}=r1.`,
      )
      const bad = await post('/v1/responses', {
        model: 'gpt-5',
        input: [...input, { ...calls[0], id: calls[0].call_id }, outputs[0]],
      })
      expect(bad.status).toBe(400)
      expect(bad.json.error.message).toContain("Expected an ID that begins with 'fc'")
    })

    it('adds a reasoning summary only when asked, with its stream events; answers JSON for text.format', async () => {
      const body = { model: 'gpt-5', input: 'hi', reasoning: { effort: 'low', summary: 'auto' } }
      const { json } = await post('/v1/responses', body)
      expect(json.output[0].summary).toEqual([{ type: 'summary_text', text: FAKE_THINKING_TEXT }])
      const plain = await post('/v1/responses', { model: 'gpt-5', input: 'hi' })
      expect(plain.json.output[0].summary).toEqual([])
      const evs = await events('/v1/responses', { ...body, stream: true })
      const deltas = evs.filter((e) => e.type === 'response.reasoning_summary_text.delta').map((e) => e.delta)
      expect(deltas.join('')).toBe(FAKE_THINKING_TEXT)
      expect(evs.map((e) => e.sequence_number)).toEqual(evs.map((_, i) => i))
      const structured = await post('/v1/responses', {
        model: 'gpt-5',
        input: 'json',
        text: { format: { type: 'json_schema', name: 's', schema } },
      })
      expect(JSON.parse(structured.json.output[1].content[0].text)).toEqual(sampleFromSchema(schema))
    })
  })

  describe('Anthropic Messages', () => {
    const tools = [
      { name: 'get_weather', input_schema: weather },
      { name: 'get_time', input_schema: time },
    ]
    const ask = { role: 'user', content: 'In parallel: weather and time' }

    it('answers two tool_use blocks and echoes the results of one user message', async () => {
      const { json } = await post('/v1/messages', {
        model: 'claude-sonnet-5-5',
        max_tokens: 500,
        messages: [ask],
        tools,
      })
      const uses = json.content.filter((b: Json) => b.type === 'tool_use')
      expect(uses.map((u: Json) => [u.name, u.input])).toEqual([
        ['get_weather', { city: 'Paris 巴黎 🗼', days: 42 }],
        ['get_time', { city: 'Tokyo 東京 🗼' }],
      ])
      expect(uses.every((u: Json) => /^toolu_01/.test(u.id))).toBe(true)
      const results = uses.map((u: Json, i: number) => ({
        type: 'tool_result',
        tool_use_id: u.id,
        content: `r${i}`,
      }))
      const after = await post('/v1/messages', {
        model: 'claude-sonnet-5-5',
        max_tokens: 500,
        tools,
        messages: [ask, { role: 'assistant', content: json.content }, { role: 'user', content: results }],
      })
      expect(after.json.content[0].text).toContain(
        `Tool results: get_weather ${uses[0].id}=r0; get_time ${uses[1].id}=r1.`,
      )
      const evs = await events('/v1/messages', {
        model: 'claude-sonnet-5-5',
        max_tokens: 500,
        messages: [ask],
        tools,
        stream: true,
      })
      const starts = evs.filter((e) => e.type === 'content_block_start').map((e) => e.content_block.type)
      expect(starts).toEqual(['text', 'tool_use', 'tool_use'])
    })

    it('refuses results split over two user messages, and empty text blocks, as Anthropic does', async () => {
      const { json } = await post('/v1/messages', {
        model: 'claude-sonnet-5-5',
        max_tokens: 500,
        messages: [ask],
        tools,
      })
      const uses = json.content.filter((b: Json) => b.type === 'tool_use')
      const split = await post('/v1/messages', {
        model: 'claude-sonnet-5-5',
        max_tokens: 500,
        messages: [
          ask,
          { role: 'assistant', content: json.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: uses[0].id, content: 'r0' }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: uses[1].id, content: 'r1' }] },
        ],
      })
      expect(split.status).toBe(400)
      expect(split.json.error.message).toContain(uses[1].id)
      const empty = await post('/v1/messages', {
        model: 'claude-sonnet-5-5',
        max_tokens: 500,
        messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }],
      })
      expect(empty.status).toBe(400)
      expect(empty.json.error.message).toContain('text content blocks must be non-empty')
    })

    it('with thinking on, wants the signed thinking block back at the head of the tool loop', async () => {
      const body = {
        model: 'claude-sonnet-5-5',
        max_tokens: 4000,
        thinking: { type: 'enabled', budget_tokens: 1024 },
      }
      const { json } = await post('/v1/messages', {
        ...body,
        messages: [{ role: 'user', content: 'hi' }],
        tools,
      })
      expect(json.content.map((b: Json) => b.type)).toEqual(['thinking', 'text', 'tool_use'])
      const use = json.content[2]
      const result = { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'r0' }] }
      const turn = (content: Json[]) => [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content },
        result,
      ]
      expect((await post('/v1/messages', { ...body, tools, messages: turn(json.content) })).status).toBe(200)
      const dropped = await post('/v1/messages', { ...body, tools, messages: turn(json.content.slice(1)) })
      expect(dropped.status).toBe(400)
      expect(dropped.json.error.message).toContain('must start with a thinking block')
      const forged = [{ ...json.content[0], signature: 'c2lnbmF0dXJl' }, ...json.content.slice(1)]
      const bad = await post('/v1/messages', { ...body, tools, messages: turn(forged) })
      expect(bad.status).toBe(400)
      expect(bad.json.error.message).toContain('Invalid `signature`')
    })

    it('sees base64 images and answers JSON for output_config.format', async () => {
      const image = await post('/v1/messages', {
        model: 'claude-sonnet-5-5',
        max_tokens: 500,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: TINY_PNG_BASE64 } },
            ],
          },
        ],
      })
      expect(image.json.content[0].text).toContain(imageSeen)
      const structured = await post('/v1/messages', {
        model: 'claude-sonnet-5-5',
        max_tokens: 500,
        messages: [{ role: 'user', content: 'json' }],
        output_config: { format: { type: 'json_schema', schema } },
      })
      expect(JSON.parse(structured.json.content[0].text)).toEqual(sampleFromSchema(schema))
    })
  })

  describe('Gemini', () => {
    const tools = [
      {
        functionDeclarations: [
          { name: 'get_weather', parameters: weather },
          { name: 'get_time', parameters: time },
        ],
      },
    ]
    const ask = { role: 'user', parts: [{ text: 'parallel: weather and time' }] }

    it('Gemini 2.5 calls without ids; Gemini 3 with ids and a thoughtSignature on the first call', async () => {
      const old = await post('/v1beta/models/gemini-2.5-flash:generateContent', { contents: [ask], tools })
      const oldParts = old.json.candidates[0].content.parts
      expect(oldParts.map((p: Json) => [p.functionCall.name, p.functionCall.id])).toEqual([
        ['get_weather', undefined],
        ['get_time', undefined],
      ])
      const g3 = await post('/v1beta/models/gemini-3-pro-preview:generateContent', { contents: [ask], tools })
      const parts = g3.json.candidates[0].content.parts
      expect(parts.map((p: Json) => typeof p.functionCall.id)).toEqual(['string', 'string'])
      expect(typeof parts[0].thoughtSignature).toBe('string')
      expect(parts[1].thoughtSignature).toBeUndefined()
      expect(g3.json.candidates[0].finishReason).toBe('STOP')
      // The same with the scenario on an older model.
      const res = await fetch(`${fake.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-fake-scenario': 'gemini-call-ids' },
        body: JSON.stringify({ contents: [ask], tools }),
      })
      expect(((await res.json()) as Json).candidates[0].content.parts[0].functionCall.id).toBeTypeOf('string')
    })

    it('echoes functionResponses by name and id; refuses a count mismatch and a missing signature', async () => {
      const g3 = await post('/v1beta/models/gemini-3-pro-preview:generateContent', { contents: [ask], tools })
      const parts = g3.json.candidates[0].content.parts
      const responses = parts.map((p: Json, i: number) => ({
        functionResponse: { id: p.functionCall.id, name: p.functionCall.name, response: { output: `r${i}` } },
      }))
      const model = { role: 'model', parts }
      const after = await post('/v1beta/models/gemini-3-pro-preview:generateContent', {
        contents: [ask, model, { role: 'user', parts: responses }],
        tools,
      })
      expect(after.json.candidates[0].content.parts[0].text).toContain(
        `Tool results: get_weather ${parts[0].functionCall.id}={"output":"r0"}; get_time ${parts[1].functionCall.id}={"output":"r1"}.`,
      )
      const fewer = await post('/v1beta/models/gemini-3-pro-preview:generateContent', {
        contents: [ask, model, { role: 'user', parts: responses.slice(0, 1) }],
      })
      expect(fewer.status).toBe(400)
      expect(fewer.json.error.message).toContain('number of function response parts')
      const unsigned = await post('/v1beta/models/gemini-3-pro-preview:generateContent', {
        contents: [
          ask,
          { role: 'model', parts: parts.map((p: Json) => ({ functionCall: p.functionCall })) },
          { role: 'user', parts: responses },
        ],
      })
      expect(unsigned.status).toBe(400)
      expect(unsigned.json.error.message).toContain('thought_signature')
    })

    it('sees inline images and answers JSON for responseJsonSchema', async () => {
      const image = await post('/v1beta/models/gemini-2.5-flash:generateContent', {
        contents: [
          { role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: TINY_PNG_BASE64 } }] },
        ],
      })
      expect(image.json.candidates[0].content.parts[0].text).toContain(imageSeen)
      const structured = await post('/v1beta/models/gemini-2.5-flash:generateContent', {
        contents: [{ role: 'user', parts: [{ text: 'json' }] }],
        generationConfig: { responseMimeType: 'application/json', responseJsonSchema: schema },
      })
      expect(JSON.parse(structured.json.candidates[0].content.parts[0].text)).toEqual(
        sampleFromSchema(schema),
      )
    })
  })
})
