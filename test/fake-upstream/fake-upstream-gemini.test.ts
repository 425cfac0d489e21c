/** The GenAI SDK, pointed directly at the fake upstream, parses its plain and streamed Gemini answers. */
import { GoogleGenAI, Type } from '@google/genai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { extractGeminiUsage } from '../../src/protocol/gemini/extract-gemini-usage.ts'
import { startFakeUpstream, type FakeUpstream } from './start-fake-upstream.ts'
import { trackStream } from './track-fake-stream.ts'

let gemini: GoogleGenAI

let fake: FakeUpstream

beforeAll(async () => {
  fake = await startFakeUpstream()
  gemini = new GoogleGenAI({ apiKey: 'gm-test', httpOptions: { baseUrl: fake.url } })
})

afterAll(async () => {
  await fake.close()
})

beforeEach(() => {
  fake.setScenario(null)
  fake.clearRequests()
})

describe('Gemini SDK against the fake upstream', () => {
  const model = 'gemini-2.5-flash'

  it('parses a plain answer; thoughts are outside candidatesTokenCount', async () => {
    const r = await gemini.models.generateContent({ model, contents: 'Say hello 👋' })
    expect(r.text).toBe('Hello 你好 👋 from gemini-2.5-flash')
    const u = r.usageMetadata!
    expect(u.thoughtsTokenCount).toBe(16)
    expect(u.totalTokenCount).toBe(u.promptTokenCount! + u.candidatesTokenCount! + u.thoughtsTokenCount!)
    expect(u.cachedContentTokenCount).toBeLessThan(u.promptTokenCount!)
    expect(fake.requests[0].path).toBe('/v1beta/models/gemini-2.5-flash:generateContent')
    expect(fake.requests[0].headers['x-goog-api-key']).toBe('gm-test')
  })

  it('streams CRLF-framed chunks with running-total usage', async () => {
    const plain = await gemini.models.generateContent({ model, contents: 'Say hello 👋' })
    let text = ''
    let last: unknown
    const candidateCounts: number[] = []
    for await (const chunk of await gemini.models.generateContentStream({
      model,
      contents: 'Say hello 👋',
    })) {
      text += chunk.text ?? ''
      last = chunk.usageMetadata
      candidateCounts.push(chunk.usageMetadata?.candidatesTokenCount ?? 0)
    }
    expect(text).toBe(plain.text)
    expect(last).toEqual(plain.usageMetadata)
    expect(candidateCounts.length).toBeGreaterThan(1)
    expect(candidateCounts).toEqual([...candidateCounts].sort((a, b) => a - b))
    expect(fake.requests.at(-1)?.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse')

    const raw = await fetch(`${fake.url}/v1beta/models/${model}:streamGenerateContent?alt=sse`, {
      method: 'POST',
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Say hello 👋' }] }] }),
    }).then((res) => res.text())
    expect(raw.endsWith('\r\n\r\n')).toBe(true)
    expect(
      raw
        .split('\r\n\r\n')
        .filter(Boolean)
        .every((e) => e.startsWith('data: ')),
    ).toBe(true)

    const tracked = await trackStream(
      fake.url,
      'gemini',
      `/v1beta/models/${model}:streamGenerateContent?alt=sse`,
      {
        contents: [{ role: 'user', parts: [{ text: 'Say hello 👋' }] }],
      },
    )
    expect(tracked.usage).toEqual(extractGeminiUsage(plain))
  })

  it('returns thought parts when asked to include thoughts', async () => {
    const r = await gemini.models.generateContent({
      model,
      contents: 'Hi',
      config: { thinkingConfig: { includeThoughts: true } },
    })
    const parts = r.candidates?.[0].content?.parts ?? []
    expect(parts[0]).toMatchObject({ thought: true })
    expect(r.text).toBe('Hello 你好 👋 from gemini-2.5-flash')
  })

  it('answers function calls when tools are given, plain and streamed', async () => {
    const config = {
      tools: [
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              parameters: {
                type: Type.OBJECT,
                properties: { city: { type: Type.STRING } },
                required: ['city'],
              },
            },
          ],
        },
      ],
    }
    const r = await gemini.models.generateContent({ model, contents: 'Weather?', config })
    expect(r.functionCalls?.[0]).toMatchObject({ name: 'get_weather', args: { city: 'Paris 巴黎 🗼' } })
    const calls: unknown[] = []
    for await (const chunk of await gemini.models.generateContentStream({
      model,
      contents: 'Weather?',
      config,
    })) {
      calls.push(...(chunk.functionCalls ?? []))
    }
    expect(calls).toEqual(r.functionCalls)
  })

  it('counts tokens, embeds and lists models', async () => {
    const count = await gemini.models.countTokens({ model, contents: 'Say hello 👋' })
    const r = await gemini.models.generateContent({ model, contents: 'Say hello 👋' })
    expect(count.totalTokens).toBe(r.usageMetadata?.promptTokenCount)

    const embedded = await gemini.models.embedContent({
      model: 'gemini-embedding-001',
      contents: ['a', '漢字'],
    })
    expect(embedded.embeddings).toHaveLength(2)
    expect(embedded.embeddings?.[0].values).toHaveLength(16)
    expect(fake.requests.at(-1)?.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents')

    const single = await fetch(`${fake.url}/v1beta/models/gemini-embedding-001:embedContent`, {
      method: 'POST',
      body: JSON.stringify({ content: { parts: [{ text: 'a' }] }, outputDimensionality: 8 }),
    }).then((res) => res.json() as Promise<{ embedding: { values: number[] } }>)
    expect(single.embedding.values).toHaveLength(8)

    const names: string[] = []
    for await (const m of await gemini.models.list()) names.push(m.name ?? '')
    expect(names).toContain('models/gemini-2.5-flash')
  })

  it('returns errors in Gemini shape', async () => {
    fake.setScenario('status:429')
    const error = await gemini.models.generateContent({ model, contents: 'Hi' }).catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 429 })
    expect(String((error as Error).message)).toContain('RESOURCE_EXHAUSTED')
  })
})
