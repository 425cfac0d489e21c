import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  MODELS,
  priceModel,
  startProxyFixture,
  waitForOutcomes,
  type ProxyFixture,
} from '../support/proxy-fixture.ts'
import { createSseParser, type SseEvent } from '../../src/protocol/sse/parse-sse-stream.ts'
import { buildProxyAuditRecord } from '../../src/proxy/build-proxy-audit-record.ts'

function eventsOf(text: string): SseEvent[] {
  const events: SseEvent[] = []
  const parser = createSseParser((ev) => events.push(ev))
  parser.pushText(text)
  parser.end()
  return events
}

const CHAT_ONLY_MODEL = 'deepseek-chat'

describe('translated proxy (issue 17): a client reaches a channel of another protocol', () => {
  let f: ProxyFixture
  let seen = 0

  /** POSTs through the gateway; returns status, headers, text, and the outcome it finished with. */
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const r = await request(`${f.gateway}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
    const text = await r.body.text()
    await waitForOutcomes(f, ++seen)
    return { status: r.statusCode, headers: r.headers, text, outcome: f.outcomes[seen - 1] }
  }
  const lastUpstream = () => f.upstream.requests.at(-1)!
  const chat = (over: Record<string, unknown> = {}) => ({
    model: MODELS.anthropic,
    messages: [{ role: 'user', content: 'Say hello' }],
    ...over,
  })

  beforeAll(async () => {
    f = await startProxyFixture('sqlite')
    await f.addChannel({
      name: 'chat-only',
      provider: 'openai',
      base_url: `${f.upstream.url}/v1`,
      api_key: 'sk-chat-only-upstream-1234',
      models: [CHAT_ONLY_MODEL],
      responses_api: false,
    })
    await priceModel(f, MODELS.anthropic, { input_token: 3, output_token: 15, cache_read_token: 0.3 })
  })
  afterAll(async () => f?.close())

  it('OpenAI chat client on an Anthropic channel, plain: Messages upstream, chat answer, billed from Anthropic usage', async () => {
    const r = await post('/v1/chat/completions', chat())
    expect(r.status).toBe(200)
    const up = lastUpstream()
    expect(up.path).toBe('/v1/messages')
    const sent = JSON.parse(up.body) as Record<string, unknown>
    expect(sent.model).toBe(MODELS.anthropic)
    // Anthropic's required max_tokens comes from the model table, the client gave none.
    expect(typeof sent.max_tokens).toBe('number')
    const answer = JSON.parse(r.text) as {
      object: string
      model: string
      choices: { message: { role: string; content: string }; finish_reason: string }[]
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number }
    }
    expect(answer.object).toBe('chat.completion')
    expect(answer.model).toBe(MODELS.anthropic)
    expect(answer.choices[0].message.role).toBe('assistant')
    expect(answer.choices[0].message.content.length).toBeGreaterThan(0)
    expect(answer.choices[0].finish_reason).toBe('stop')
    const s = r.outcome.settlement!
    expect(s.usageSource).toBe('reported')
    const u = s.usage
    // The client sees all prompt tokens (cache included); billing keeps Anthropic's disjoint categories.
    expect(answer.usage.prompt_tokens).toBe(
      u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens + u.cacheWrite1hTokens,
    )
    expect(answer.usage.completion_tokens).toBe(u.outputTokens)
    expect(u.outputTokens).toBeGreaterThan(0)
    // USD per 1M tokens → nano-USD per token: 3 → 3000; cache writes fall back to the input price.
    const writes = u.cacheWriteTokens + u.cacheWrite1hTokens
    const expected = BigInt(
      (u.inputTokens + writes) * 3000 + u.outputTokens * 15000 + u.cacheReadTokens * 300,
    )
    expect(s.costNano).toBe(expected)
    // The audit record names both protocols; the usage row names the client's and the channel.
    const { record } = buildProxyAuditRecord(r.outcome)
    expect(record).toMatchObject({ client_protocol: 'openai', upstream_protocol: 'anthropic' })
    expect(s.protocol).toBe('openai')
    expect(s.channelId).toBe(f.channels.anthropic)
    expect(s.costNano).toBeGreaterThan(0n)
  })

  it('OpenAI chat client on an Anthropic channel, streamed: chat chunks as they come, usage chunk = billed usage', async () => {
    const r = await post(
      '/v1/chat/completions',
      chat({ stream: true, stream_options: { include_usage: true } }),
    )
    expect(r.status).toBe(200)
    expect(String(r.headers['content-type'])).toContain('text/event-stream')
    expect(lastUpstream().path).toBe('/v1/messages')
    const events = eventsOf(r.text)
    expect(events.at(-1)!.data).toBe('[DONE]')
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as Record<string, unknown>)
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true)
    const text = chunks
      .flatMap((c) => (c.choices as { delta?: { content?: string } }[]) ?? [])
      .map((c) => c.delta?.content ?? '')
      .join('')
    expect(text.length).toBeGreaterThan(0)
    const finish = chunks
      .flatMap((c) => (c.choices as { finish_reason?: string }[]) ?? [])
      .find((c) => c.finish_reason)
    expect(finish?.finish_reason).toBe('stop')
    const usage = chunks.at(-1)!.usage as { prompt_tokens: number; completion_tokens: number }
    const u = r.outcome.settlement!.usage
    expect(r.outcome.settlement!.usageSource).toBe('reported')
    expect(usage.completion_tokens).toBe(u.outputTokens)
    expect(usage.prompt_tokens).toBe(
      u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens + u.cacheWrite1hTokens,
    )
    expect(r.outcome.settlement!.costNano).toBeGreaterThan(0n)
  })

  it('refuses what Anthropic cannot express with a 400 naming the client field, before any upstream call', async () => {
    const before = f.upstream.requests.length
    const r = await post('/v1/chat/completions', chat({ presence_penalty: 0.5 }))
    expect(r.status).toBe(400)
    const body = JSON.parse(r.text) as { error: { type: string; param: string; message: string } }
    expect(body.error.type).toBe('invalid_request_error')
    expect(body.error.param).toBe('presence_penalty')
    expect(f.upstream.requests.length).toBe(before)
    expect(r.outcome.errorCode).toBe('translation_refused')
    expect(r.outcome.settlement!.costNano).toBe(0n)

    // A field path with indexes reaches the client as written (the gateway's own answer is not scrubbed).
    const audio = { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } }
    const withAudio = await post(
      '/v1/chat/completions',
      chat({ messages: [{ role: 'user', content: [audio] }] }),
    )
    expect(withAudio.status).toBe(400)
    const param = (JSON.parse(withAudio.text) as { error: { param: string } }).error.param
    expect(param).toMatch(/^messages\[0\]\.content\[0\]/)
    expect(f.upstream.requests.length).toBe(before)
  })

  it("answers an upstream 4xx in the client's protocol", async () => {
    const r = await post('/v1/chat/completions', chat(), { 'x-fake-scenario': 'status:400' })
    expect(r.status).toBe(400)
    const body = JSON.parse(r.text) as { error: { type: string; message: string }; type?: string }
    expect(body.type).toBeUndefined() // not Anthropic's {type:"error",…} envelope
    expect(body.error.type).toBe('invalid_request_error')
    expect(body.error.message.length).toBeGreaterThan(0)
  })

  it("ends a stream whose upstream fails mid-way with the client's error event", async () => {
    const r = await post('/v1/chat/completions', chat({ stream: true }), {
      'x-fake-scenario': 'error-mid-stream',
    })
    expect(r.status).toBe(200)
    const events = eventsOf(r.text)
    expect(events.some((e) => e.event === 'error' || e.event?.startsWith('message_'))).toBe(false)
    const last = JSON.parse(events.at(-1)!.data) as { error?: { message: string } }
    expect(last.error?.message.length).toBeGreaterThan(0)
  })

  it('Responses client on a chat-only OpenAI channel (responses_api false): chat upstream, Responses answer', async () => {
    const body = { model: CHAT_ONLY_MODEL, input: 'Say hello', store: false }
    const r = await post('/v1/responses', body)
    expect(r.status).toBe(200)
    expect(lastUpstream().path).toBe('/v1/chat/completions')
    const answer = JSON.parse(r.text) as {
      object: string
      status: string
      output: { type: string }[]
      usage: { output_tokens: number }
    }
    expect(answer.object).toBe('response')
    expect(answer.status).toBe('completed')
    expect(answer.output.some((o) => o.type === 'message')).toBe(true)
    expect(answer.usage.output_tokens).toBe(r.outcome.settlement!.usage.outputTokens)

    const s = await post('/v1/responses', { ...body, stream: true })
    expect(s.status).toBe(200)
    const up = lastUpstream()
    expect(up.path).toBe('/v1/chat/completions')
    // The chat upstream is asked for its usage chunk, so the stream is billed from what it reports.
    expect(
      (JSON.parse(up.body) as { stream_options?: { include_usage?: boolean } }).stream_options?.include_usage,
    ).toBe(true)
    const types = eventsOf(s.text).map((e) => (JSON.parse(e.data) as { type: string }).type)
    expect(types[0]).toBe('response.created')
    expect(types).toContain('response.output_text.delta')
    expect(types.at(-1)).toBe('response.completed')
    expect(s.outcome.settlement!.usageSource).toBe('reported')
  })

  it('a Responses client on an OpenAI channel that has /v1/responses still passes through', async () => {
    const r = await post('/v1/responses', { model: MODELS.openai, input: 'hi' })
    expect(r.status).toBe(200)
    expect(lastUpstream().path).toBe('/v1/responses')
  })

  it('counts tokens across protocols: the provider endpoint where it has one, else a marked estimate', async () => {
    const anthropicHeaders = { 'anthropic-version': '2023-06-01' }
    const onGemini = await post(
      '/v1/messages/count_tokens',
      { model: MODELS.gemini, messages: [{ role: 'user', content: 'count me' }] },
      anthropicHeaders,
    )
    expect(onGemini.status).toBe(200)
    expect(lastUpstream().path).toBe(`/v1beta/models/${MODELS.gemini}:countTokens`)
    const sent = JSON.parse(lastUpstream().body) as { generateContentRequest?: { model: string } }
    expect(sent.generateContentRequest?.model).toBe(`models/${MODELS.gemini}`)
    expect((JSON.parse(onGemini.text) as { input_tokens: number }).input_tokens).toBeGreaterThan(0)
    expect(onGemini.headers['x-gateway-token-count']).toBeUndefined()

    const before = f.upstream.requests.length
    const onOpenAi = await post(
      '/v1/messages/count_tokens',
      { model: MODELS.openai, messages: [{ role: 'user', content: 'x'.repeat(400) }] },
      anthropicHeaders,
    )
    expect(onOpenAi.status).toBe(200)
    expect(onOpenAi.headers['x-gateway-token-count']).toBe('estimate')
    expect(JSON.parse(onOpenAi.text)).toEqual({ input_tokens: 100 })
    expect(f.upstream.requests.length).toBe(before)
    expect(onOpenAi.outcome.settlement!.costNano).toBe(0n)

    const fromGemini = await post(`/v1beta/models/${MODELS.anthropic}:countTokens`, {
      contents: [{ role: 'user', parts: [{ text: 'count me' }] }],
    })
    expect(fromGemini.status).toBe(200)
    expect(lastUpstream().path).toBe('/v1/messages/count_tokens')
    expect((JSON.parse(fromGemini.text) as { totalTokens: number }).totalTokens).toBeGreaterThan(0)
  })

  it('lists every reachable model in each protocol shape', async () => {
    const get = async (path: string, headers: Record<string, string> = {}) =>
      (
        await request(`${f.gateway}${path}`, { headers: { authorization: `Bearer ${f.key}`, ...headers } })
      ).body.json()
    const openai = (await get('/v1/models')) as { data: { id: string }[] }
    const anthropic = (await get('/v1/models', { 'anthropic-version': '2023-06-01' })) as {
      data: { id: string }[]
    }
    const gemini = (await get('/v1beta/models')) as { models: { name: string }[] }
    for (const ids of [openai.data.map((m) => m.id), anthropic.data.map((m) => m.id)])
      expect(ids).toEqual(
        expect.arrayContaining([MODELS.openai, MODELS.anthropic, MODELS.gemini, CHAT_ONLY_MODEL]),
      )
    expect(gemini.models.map((m) => m.name)).toEqual(
      expect.arrayContaining([
        `models/${MODELS.openai}`,
        `models/${MODELS.anthropic}`,
        `models/${MODELS.gemini}`,
      ]),
    )
  })

  it('leaves same-protocol bytes unchanged (the upstream answer as the provider sent it)', async () => {
    const body = {
      model: MODELS.anthropic,
      max_tokens: 50,
      stream: true,
      messages: [{ role: 'user', content: 'same bytes' }],
    }
    const headers = { 'anthropic-version': '2023-06-01' }
    const through = await post('/v1/messages', body, headers)
    expect(lastUpstream().body).toBe(JSON.stringify(body))
    const direct = await request(`${f.upstream.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k', ...headers },
      body: JSON.stringify(body),
    })
    expect(through.text).toBe(await direct.body.text())
  })
})
