import OpenAI, { toFile } from 'openai'
import { GoogleGenAI } from '@google/genai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MODELS, startProxyFixture, waitForOutcomes, type ProxyFixture } from '../support/proxy-fixture.ts'

describe('the remaining surfaces through the gateway', () => {
  let f: ProxyFixture
  let direct: OpenAI
  let via: OpenAI

  beforeAll(async () => {
    f = await startProxyFixture('sqlite')
    direct = new OpenAI({ baseURL: `${f.upstream.url}/v1`, apiKey: 'sk-direct', maxRetries: 0 })
    via = new OpenAI({ baseURL: `${f.gateway}/v1`, apiKey: f.key, maxRetries: 0 })
  })
  afterAll(async () => f?.close())

  it('legacy completions, plain and streamed, metered like the provider reports', async () => {
    const body = { model: MODELS.openai, prompt: 'say hi', max_tokens: 20 }
    const a = await direct.completions.create(body)
    const n = f.outcomes.length
    const b = await via.completions.create(body)
    expect(b.choices[0].text).toBe(a.choices[0].text)
    expect(b.usage).toEqual(a.usage)
    const collect = async (c: OpenAI) => {
      let text = ''
      for await (const ch of await c.completions.create({ ...body, stream: true }))
        text += ch.choices[0]?.text ?? ''
      return text
    }
    expect(await collect(via)).toBe(await collect(direct))
    await waitForOutcomes(f, n + 2)
    const rows = f.outcomes.slice(n).map((o) => o.settlement!)
    expect(rows.map((r) => r.endpoint)).toEqual(['completions', 'completions'])
    expect(rows[0].usage.outputTokens).toBe(a.usage?.completion_tokens)
    expect(rows[1].usageSource).toBe('reported')
  })

  it('audio transcription (multipart) and speech (binary) pass through', async () => {
    const file = await toFile(Buffer.from('RIFF....WAVEfmt fake audio bytes'), 'a.wav', { type: 'audio/wav' })
    const t1 = await direct.audio.transcriptions.create({ model: 'whisper-1', file })
    const file2 = await toFile(Buffer.from('RIFF....WAVEfmt fake audio bytes'), 'a.wav', {
      type: 'audio/wav',
    })
    const n = f.outcomes.length
    const t2 = await via.audio.transcriptions.create({ model: 'whisper-1', file: file2 })
    expect(t2.text).toBe(t1.text)
    const s1 = Buffer.from(
      await (await direct.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hi' })).arrayBuffer(),
    )
    const s2 = Buffer.from(
      await (await via.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hi' })).arrayBuffer(),
    )
    expect(s2.equals(s1)).toBe(true)
    expect(s2.length).toBeGreaterThan(0)
    await waitForOutcomes(f, n + 2)
    expect(f.outcomes.slice(n).map((o) => [o.settlement?.endpoint, o.settlement?.model])).toEqual([
      ['audio/transcriptions', 'whisper-1'],
      ['audio/speech', 'tts-1'],
    ])
  })

  it('Gemini batchEmbedContents (the SDK embeds several texts in one call)', async () => {
    const d = new GoogleGenAI({ apiKey: 'direct', httpOptions: { baseUrl: f.upstream.url } })
    const v = new GoogleGenAI({ apiKey: f.key, httpOptions: { baseUrl: f.gateway } })
    const req = { model: MODELS.gembed, contents: ['one', 'two', 'three'] }
    const a = await d.models.embedContent(req)
    const n = f.outcomes.length
    const b = await v.models.embedContent(req)
    expect(b.embeddings?.length).toBe(3)
    expect(b.embeddings).toEqual(a.embeddings)
    await waitForOutcomes(f, n + 1)
    expect(f.outcomes.at(-1)!.settlement!.endpoint).toBe('batchEmbedContents')
  })
})
