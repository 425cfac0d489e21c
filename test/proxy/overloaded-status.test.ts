import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MODELS, startProxyFixture, type ProxyFixture } from '../support/proxy-fixture.ts'

/**
 * An overloaded provider after failover, in the status the client's protocol knows (translation-map §5): Anthropic
 * says 529, everyone else 503. The one channel per model means failover is exhausted at once.
 */
describe('overloaded providers answer in the client protocol’s status', () => {
  let f: ProxyFixture
  beforeAll(async () => {
    f = await startProxyFixture('sqlite', { env: { FAILOVER_ATTEMPTS: '1' } })
  })
  afterAll(async () => {
    await f?.close()
  })

  async function post(path: string, scenario: string, body: unknown, headers: Record<string, string> = {}) {
    const res = await request(`${f.gateway}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${f.key}`,
        'content-type': 'application/json',
        'x-fake-scenario': scenario,
        ...headers,
      },
      body: JSON.stringify(body),
    })
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> }
  }

  it("an OpenAI or Gemini client gets 503 for Anthropic's 529", async () => {
    const chat = await post('/v1/chat/completions', 'status:529', {
      model: MODELS.anthropic,
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(chat.status).toBe(503)
    expect(chat.body).toMatchObject({ error: { type: 'server_error' } })
    const gemini = await post(`/v1beta/models/${MODELS.anthropic}:generateContent`, 'status:529', {
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
    })
    expect(gemini.status).toBe(503)
    expect(gemini.body).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } })
  })

  it("an Anthropic client gets 529 overloaded_error for another provider's 503, and keeps Anthropic's own 529", async () => {
    const body = { model: MODELS.openai, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }
    const crossed = await post('/v1/messages', 'status:503', body, { 'anthropic-version': '2023-06-01' })
    expect(crossed.status).toBe(529)
    expect(crossed.body).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } })
    const own = await post('/v1/messages', 'status:529', { ...body, model: MODELS.anthropic })
    expect(own.status).toBe(529)
  })

  it('an OpenAI client keeps an OpenAI channel’s 503', async () => {
    const res = await post('/v1/chat/completions', 'status:503', {
      model: MODELS.openai,
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(res.status).toBe(503)
  })
})
