import OpenAI from 'openai'
import Anthropic from '@anthropic-ai/sdk'
import { GoogleGenAI } from '@google/genai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MODELS, startProxyFixture, waitForOutcomes, type ProxyFixture } from '../support/proxy-fixture.ts'
import { toNum } from '../../src/infra/db/convert-row-values.ts'

const tools = [
  {
    type: 'function' as const,
    function: {
      name: 'get_weather',
      description: 'Weather',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
]

describe('official SDKs through the gateway get what the provider sends', () => {
  let f: ProxyFixture
  let direct: { openai: OpenAI; anthropic: Anthropic; gemini: GoogleGenAI }
  let via: { openai: OpenAI; anthropic: Anthropic; gemini: GoogleGenAI }

  beforeAll(async () => {
    f = await startProxyFixture('sqlite')
    direct = {
      openai: new OpenAI({ baseURL: `${f.upstream.url}/v1`, apiKey: 'sk-direct', maxRetries: 0 }),
      anthropic: new Anthropic({ baseURL: f.upstream.url, apiKey: 'sk-direct', maxRetries: 0 }),
      gemini: new GoogleGenAI({ apiKey: 'direct', httpOptions: { baseUrl: f.upstream.url } }),
    }
    via = {
      openai: new OpenAI({ baseURL: `${f.gateway}/v1`, apiKey: f.key, maxRetries: 0 }),
      anthropic: new Anthropic({ baseURL: f.gateway, apiKey: f.key, maxRetries: 0 }),
      gemini: new GoogleGenAI({ apiKey: f.key, httpOptions: { baseUrl: f.gateway } }),
    }
  })
  afterAll(async () => f?.close())

  async function rowsSince(n: number) {
    await waitForOutcomes(f, n)
    return f.t.tdb.db.db.selectFrom('usage_logs').selectAll().orderBy('created_at').execute()
  }

  it('OpenAI chat: plain, streamed and with tool calls', async () => {
    const before = f.outcomes.length
    const body = { model: MODELS.openai, messages: [{ role: 'user' as const, content: 'hi' }] }
    const a = await direct.openai.chat.completions.create(body)
    const b = await via.openai.chat.completions.create(body)
    expect(b.choices[0].message.content).toBe(a.choices[0].message.content)
    expect(b.choices[0].message.content).toContain('你好 👋')
    expect(b.usage).toEqual(a.usage)

    const collect = async (client: OpenAI, withUsage: boolean) => {
      const s = await client.chat.completions.create({
        ...body,
        stream: true,
        ...(withUsage ? { stream_options: { include_usage: true } } : {}),
      })
      let text = ''
      let usage: unknown = null
      let chunks = 0
      for await (const c of s) {
        chunks++
        text += c.choices[0]?.delta?.content ?? ''
        if (c.usage) usage = c.usage
      }
      return { text, usage, chunks }
    }
    const sd = await collect(direct.openai, true)
    const sv = await collect(via.openai, true)
    expect(sv).toEqual(sd)
    // Without include_usage the client gets no usage chunk, although the gateway asked for one to meter.
    const plainDirect = await collect(direct.openai, false)
    const plainVia = await collect(via.openai, false)
    expect(plainVia).toEqual(plainDirect)
    expect(plainVia.usage).toBeNull()

    const td = await direct.openai.chat.completions.create({ ...body, tools })
    const tv = await via.openai.chat.completions.create({ ...body, tools })
    expect(tv.choices[0].message.tool_calls).toEqual(td.choices[0].message.tool_calls)
    expect(tv.choices[0].finish_reason).toBe('tool_calls')
    const toolStream = async (client: OpenAI) => {
      const s = await client.chat.completions.create({ ...body, tools, stream: true })
      const args: string[] = []
      for await (const c of s)
        for (const tc of c.choices[0]?.delta?.tool_calls ?? []) args.push(tc.function?.arguments ?? '')
      return args.join('')
    }
    expect(await toolStream(via.openai)).toBe(await toolStream(direct.openai))

    const rows = await rowsSince(before + 5)
    const mine = rows.slice(-5)
    expect(mine.map((r) => r.endpoint)).toEqual(Array(5).fill('chat/completions'))
    for (const r of mine) {
      expect(r.usage_source).toBe('reported')
      expect(toNum(r.input_tokens)).toBeGreaterThan(0)
      expect(toNum(r.output_tokens)).toBeGreaterThan(0)
      expect(r.channel_id).toBe(f.channels.openai)
      expect(r.group_id).toBe(f.groupId)
      expect(r.model).toBe(MODELS.openai)
      expect(toNum(r.status)).toBe(200)
    }
    expect(mine.map((r) => Number(r.is_stream))).toEqual([0, 1, 1, 0, 1])
    // Metered the same as the provider reported to the direct client.
    expect(toNum(mine[0].input_tokens)).toBe(b.usage?.prompt_tokens)
    expect(toNum(mine[0].output_tokens)).toBe(b.usage?.completion_tokens)
  })

  it('OpenAI embeddings, responses (plain and streamed), images, moderations', async () => {
    const e1 = await direct.openai.embeddings.create({ model: MODELS.embed, input: 'hello' })
    const e2 = await via.openai.embeddings.create({ model: MODELS.embed, input: 'hello' })
    expect(e2.data[0].embedding).toEqual(e1.data[0].embedding)
    expect(e2.usage).toEqual(e1.usage)

    const r1 = await direct.openai.responses.create({ model: MODELS.openai, input: 'hi' })
    const r2 = await via.openai.responses.create({ model: MODELS.openai, input: 'hi' })
    expect(r2.output_text).toBe(r1.output_text)
    expect(r2.usage).toEqual(r1.usage)
    const rs = async (client: OpenAI) => {
      const s = await client.responses.create({ model: MODELS.openai, input: 'hi', stream: true })
      const types: string[] = []
      let usage: unknown = null
      for await (const ev of s) {
        types.push(ev.type)
        if (ev.type === 'response.completed') usage = ev.response.usage
      }
      return { types, usage }
    }
    expect(await rs(via.openai)).toEqual(await rs(direct.openai))

    const img = await via.openai.images.generate({ model: 'gpt-image-1', prompt: 'a cat' })
    expect(img.data?.[0]).toBeTruthy()
    const mod = await via.openai.moderations.create({ model: 'omni-moderation-latest', input: 'hello' })
    expect(mod.results.length).toBe(1)
  })

  it('Anthropic messages: plain, streamed, tool use, count_tokens', async () => {
    const body = {
      model: MODELS.anthropic,
      max_tokens: 100,
      messages: [{ role: 'user' as const, content: 'hi' }],
    }
    const a = await direct.anthropic.messages.create(body)
    const b = await via.anthropic.messages.create(body)
    expect(b.content).toEqual(a.content)
    expect(b.usage).toEqual(a.usage)
    const sd = await direct.anthropic.messages.stream(body).finalMessage()
    const sv = await via.anthropic.messages.stream(body).finalMessage()
    expect(sv.content).toEqual(sd.content)
    expect(sv.usage).toEqual(sd.usage)
    const tb = {
      ...body,
      tools: [
        {
          name: 'get_weather',
          description: 'Weather',
          input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } },
        },
      ],
    }
    const td = await direct.anthropic.messages.stream(tb).finalMessage()
    const tv = await via.anthropic.messages.stream(tb).finalMessage()
    expect(tv.content).toEqual(td.content)
    expect(tv.stop_reason).toBe('tool_use')
    const ct = await via.anthropic.messages.countTokens({ model: MODELS.anthropic, messages: body.messages })
    expect(ct.input_tokens).toBeGreaterThan(0)
  })

  it('Gemini: generateContent, streamGenerateContent, countTokens, embedContent', async () => {
    const req = { model: MODELS.gemini, contents: 'hi' }
    const a = await direct.gemini.models.generateContent(req)
    const b = await via.gemini.models.generateContent(req)
    expect(b.text).toBe(a.text)
    expect(b.usageMetadata).toEqual(a.usageMetadata)
    const st = async (g: GoogleGenAI) => {
      let text = ''
      let usage: unknown
      for await (const c of await g.models.generateContentStream(req)) {
        text += c.text ?? ''
        usage = c.usageMetadata
      }
      return { text, usage }
    }
    expect(await st(via.gemini)).toEqual(await st(direct.gemini))
    const fd = await direct.gemini.models.generateContent({
      ...req,
      config: {
        tools: [
          {
            functionDeclarations: [
              {
                name: 'get_weather',
                parameters: { type: 'OBJECT' as never, properties: { city: { type: 'STRING' as never } } },
              },
            ],
          },
        ],
      },
    })
    const fv = await via.gemini.models.generateContent({
      ...req,
      config: {
        tools: [
          {
            functionDeclarations: [
              {
                name: 'get_weather',
                parameters: { type: 'OBJECT' as never, properties: { city: { type: 'STRING' as never } } },
              },
            ],
          },
        ],
      },
    })
    expect(fv.functionCalls).toEqual(fd.functionCalls)
    const ct = await via.gemini.models.countTokens(req)
    expect(ct.totalTokens).toBeGreaterThan(0)
    const em = await via.gemini.models.embedContent({ model: MODELS.gembed, contents: 'hello' })
    expect(em.embeddings?.[0]?.values?.length).toBeGreaterThan(0)
  })

  it('lists exactly the models the key can reach, in each protocol shape', async () => {
    const list = await via.openai.models.list()
    const ids = list.data.map((m) => m.id)
    expect(ids).toEqual(expect.arrayContaining([MODELS.openai, MODELS.anthropic, MODELS.gemini, 'gpt-alias']))
    const anth = await via.anthropic.models.list()
    // Every reachable model, whatever its channel's protocol: translation reaches them all (issue 17).
    expect(anth.data.map((m) => m.id)).toEqual(ids)
    const gem = await via.gemini.models.list()
    const names: string[] = []
    for await (const m of gem) names.push(m.name ?? '')
    expect(names).toEqual(
      expect.arrayContaining([MODELS.gemini, MODELS.anthropic, MODELS.openai].map((m) => `models/${m}`)),
    )
    // Another protocol's embedding model is not offered to Gemini clients: embeddings never translate.
    expect(names).not.toContain(`models/${MODELS.embed}`)
  })
})
