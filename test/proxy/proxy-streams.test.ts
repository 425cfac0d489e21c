import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MODELS, startProxyFixture, waitForOutcomes, type ProxyFixture } from '../support/proxy-fixture.ts'
import { toNum } from '../../src/infra/db/convert-row-values.ts'
import { createSseParser, type SseEvent } from '../../src/protocol/sse/parse-sse-stream.ts'
import { isUsageOnlyChunk } from '../../src/protocol/openai/is-usage-only-chunk.ts'

function eventsOf(text: string): SseEvent[] {
  const events: SseEvent[] = []
  const parser = createSseParser((ev) => events.push(ev))
  parser.pushText(text)
  parser.end()
  return events
}

interface StreamCase {
  name: string
  path: (base: string) => string
  body: Record<string, unknown>
  headers?: Record<string, string>
  /** The client did not ask for usage: compare with a direct call that did, minus its usage-only chunk. */
  usageAddedByGateway?: boolean
}

/** A stream's text without OpenAI's extra `choices: []` usage chunk. */
function withoutUsageChunk(text: string): string {
  return text
    .split('\n\n')
    .filter((block) => !(block.includes('"choices":[]') && block.includes('"usage":{')))
    .join('\n\n')
}

const cases: StreamCase[] = [
  {
    name: 'openai chat',
    path: (b) => `${b}/v1/chat/completions`,
    body: {
      model: MODELS.openai,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: '你好 👋 split me' }],
    },
  },
  {
    name: 'openai responses',
    path: (b) => `${b}/v1/responses`,
    body: { model: MODELS.openai, stream: true, input: 'split 😀 me' },
  },
  {
    name: 'anthropic',
    path: (b) => `${b}/v1/messages`,
    body: {
      model: MODELS.anthropic,
      stream: true,
      max_tokens: 50,
      messages: [{ role: 'user', content: 'split 中文 me' }],
    },
    headers: { 'anthropic-version': '2023-06-01' },
  },
  {
    name: 'gemini',
    path: (b) => `${b}/v1beta/models/${MODELS.gemini}:streamGenerateContent?alt=sse`,
    body: { contents: [{ role: 'user', parts: [{ text: 'split 🎉 me' }] }] },
  },
  {
    // The gateway asks for usage on the client's behalf and removes the extra chunk again.
    name: 'openai chat, usage not asked for',
    usageAddedByGateway: true,
    path: (b) => `${b}/v1/chat/completions`,
    body: {
      model: MODELS.openai,
      stream: true,
      messages: [{ role: 'user', content: '你好 👋 split me too' }],
    },
  },
]

async function fetchText(url: string, body: Record<string, unknown>, headers: Record<string, string>) {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  return { status: res.statusCode, text: await res.body.text() }
}

describe('streams through the gateway', () => {
  let f: ProxyFixture

  /** A chat completion through the gateway, answered by the fake upstream with `scenario`. */
  function chatWithScenario(
    scenario: string,
    content: string,
    opts: { stream?: boolean; signal?: AbortSignal } = {},
  ) {
    return request(`${f.gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${f.key}`,
        'content-type': 'application/json',
        'x-fake-scenario': scenario,
      },
      body: JSON.stringify({
        model: MODELS.openai,
        ...(opts.stream ? { stream: true } : {}),
        messages: [{ role: 'user', content }],
      }),
      signal: opts.signal,
    })
  }

  beforeAll(async () => {
    f = await startProxyFixture('sqlite')
  })
  afterAll(async () => f?.close())

  it.each(cases)(
    '$name: split at every byte offset (and other chunk sizes) arrives unchanged and is metered the same',
    async (c) => {
      const auth = { authorization: `Bearer ${f.key}`, ...(c.headers ?? {}) }
      const direct = c.usageAddedByGateway
        ? await fetchText(
            c.path(f.upstream.url),
            { ...c.body, stream_options: { include_usage: true } },
            c.headers ?? {},
          ).then((r) => ({ ...r, text: withoutUsageChunk(r.text) }))
        : await fetchText(c.path(f.upstream.url), c.body, c.headers ?? {})
      expect(direct.status).toBe(200)
      if (c.usageAddedByGateway) expect(direct.text).not.toContain('"choices":[]')
      expect(direct.text.length).toBeGreaterThan(200)
      const usages: string[] = []
      for (const split of [
        'split-bytes:1',
        'split-bytes:2',
        'split-bytes:3',
        'split-bytes:5',
        'split-bytes:7',
        'split-bytes:64',
        'none',
      ]) {
        const n = f.outcomes.length
        const via = await fetchText(c.path(f.gateway), c.body, {
          ...auth,
          ...(split === 'none' ? {} : { 'x-fake-scenario': split }),
        })
        expect(via.status, split).toBe(200)
        expect(via.text, split).toBe(direct.text)
        expect(via.text).not.toContain('\uFFFD')
        await waitForOutcomes(f, n + 1)
        const s = f.outcomes.at(-1)!.settlement!
        // What the audit record keeps is the provider's text, whole characters included, however it was split.
        if (!c.usageAddedByGateway) expect(f.outcomes.at(-1)!.responseBody, split).toBe(direct.text)
        expect(s.usageSource).toBe('reported')
        usages.push(JSON.stringify(s.usage))
      }
      expect(new Set(usages).size).toBe(1)
      expect(JSON.parse(usages[0])).toMatchObject({
        reported: true,
        outputTokens: expect.any(Number) as number,
      })
      expect((JSON.parse(usages[0]) as { outputTokens: number }).outputTokens).toBeGreaterThan(0)
    },
  )

  it('removes the usage chunk it asked for from CRLF streams split anywhere, passing every other event whole', async () => {
    const body = {
      model: MODELS.openai,
      stream: true,
      messages: [{ role: 'user', content: '你好 👋 crlf' }],
    }
    const direct = await fetchText(
      `${f.upstream.url}/v1/chat/completions`,
      { ...body, stream_options: { include_usage: true } },
      { 'x-fake-scenario': 'crlf' },
    )
    expect(direct.text).toContain('\r\n\r\n')
    const expected = eventsOf(direct.text).filter((ev) => !isUsageOnlyChunk(ev.data))
    expect(expected.length).toBeLessThan(eventsOf(direct.text).length)
    for (const scenario of ['crlf', 'crlf:1', 'crlf:2', 'crlf:3', 'crlf:7', 'crlf:64']) {
      const n = f.outcomes.length
      const via = await fetchText(`${f.gateway}/v1/chat/completions`, body, {
        authorization: `Bearer ${f.key}`,
        'x-fake-scenario': scenario,
      })
      expect(via.status, scenario).toBe(200)
      expect(via.text, scenario).not.toContain('\uFFFD')
      expect(via.text, scenario).not.toContain('"choices":[]')
      expect(eventsOf(via.text), scenario).toEqual(expected)
      await waitForOutcomes(f, n + 1)
      expect(f.outcomes.at(-1)!.settlement!.usageSource, scenario).toBe('reported')
    }
  })

  it('delivers each event before the upstream sends the next one', async () => {
    const sent: number[] = []
    const off = f.upstream.onEventSent((info) => {
      if (info.path.includes('chat/completions')) sent.push(Date.now())
    })
    try {
      const res = await chatWithScenario('slow-events:150', 'slow', { stream: true })
      expect(res.statusCode).toBe(200)
      let events = 0
      for await (const chunk of res.body) {
        const text = Buffer.from(chunk as Buffer).toString('utf8')
        const count = (text.match(/\n\n/g) ?? []).length
        for (let i = 0; i < count; i++) {
          events++
          // When event k arrives, the upstream has sent k events and not yet the next one.
          expect(sent.length, `event ${events}`).toBeLessThanOrEqual(events + 1)
        }
      }
      expect(events).toBeGreaterThan(3)
    } finally {
      off()
    }
  })

  it('sends the status at once when the provider is slow to produce the first event', async () => {
    const t0 = Date.now()
    const res = await chatWithScenario('slow-first-event:600', 'wait', { stream: true })
    const headersAfter = Date.now() - t0
    expect(res.statusCode).toBe(200)
    expect(headersAfter).toBeLessThan(400)
    const text = await res.body.text()
    expect(Date.now() - t0).toBeGreaterThanOrEqual(590)
    expect(text).toContain('data: [DONE]')
  })

  it('ends a stream the upstream breaks mid-answer with an error event in the client protocol, billed as partial', async () => {
    const n = f.outcomes.length
    const res = await fetchText(`${f.gateway}/v1/messages`, cases[2].body, {
      'x-api-key': f.key,
      'anthropic-version': '2023-06-01',
      'x-fake-scenario': 'reset:3',
    })
    expect(res.status).toBe(200)
    expect(res.text).toContain('event: error')
    expect(res.text.trimEnd().endsWith('}')).toBe(true)
    // Settlements are gathered for a few milliseconds: find this request's outcome, not merely the last one.
    const cut = () =>
      f.outcomes.slice(n).find((o) => o.surface.protocol === 'anthropic' && o.errorCode === 'upstream_error')
    await expect.poll(cut, { timeout: 2000 }).toBeTruthy()
    const s = cut()!.settlement!
    expect(s.usageSource).toBe('partial')
    expect(s.usage.inputTokens + s.usage.cacheReadTokens).toBeGreaterThan(0)
    const oai = await fetchText(`${f.gateway}/v1/chat/completions`, cases[0].body, {
      authorization: `Bearer ${f.key}`,
      'x-fake-scenario': 'reset:2',
    })
    expect(oai.text).toMatch(/data: \{"error":\{/)
    const gem = await fetchText(cases[3].path(f.gateway), cases[3].body, {
      authorization: `Bearer ${f.key}`,
      'x-fake-scenario': 'reset:1',
    })
    expect(gem.text).toMatch(/data: \{"error":\{"code":502,.*"status":"UNAVAILABLE"\}\}\r\n\r\n$/)
  })

  it('breaks the connection when a plain answer is cut mid-body, so the client never takes it as complete', async () => {
    const n = f.outcomes.length
    const res = await chatWithScenario('reset', 'cut me')
    expect(res.statusCode).toBe(200)
    // The provider's length was kept, so the short body cannot pass as a whole one.
    expect(Number(res.headers['content-length'])).toBeGreaterThan(0)
    await expect(res.body.text()).rejects.toThrow()
    await waitForOutcomes(f, n + 1)
    const o = f.outcomes.slice(n).find((x) => x.errorCode === 'upstream_error')
    expect(o?.settlement?.usageSource).toBe('partial')
  })

  it('closes the upstream within a second when the client disconnects mid-stream, and bills it as partial', async () => {
    f.upstream.clearRequests()
    const n = f.outcomes.length
    const ac = new AbortController()
    const res = await chatWithScenario('slow-events:300', 'abandon me', { stream: true, signal: ac.signal })
    let got = 0
    const sentBefore = f.upstream.eventsSent
    try {
      for await (const chunk of res.body) {
        got += (chunk as Buffer).length
        if (got > 0) break
      }
    } catch {
      /* aborted */
    }
    ac.abort()
    // Earlier tests' requests may still be settling: find this request's outcome, not merely the last one.
    await expect.poll(() => f.outcomes.slice(n).find((o) => o.status === 499), { timeout: 1000 }).toBeTruthy()
    const s = f.outcomes.slice(n).find((o) => o.status === 499)!
    expect(s.status).toBe(499)
    expect(s.settlement?.usageSource).toBe('partial')
    expect(s.settlement!.usage.inputTokens).toBeGreaterThan(0)
    // The upstream stops sending: no more events go out after the abort was noticed.
    const sentAtAbort = f.upstream.eventsSent
    await new Promise((r) => setTimeout(r, 900))
    expect(f.upstream.eventsSent - sentAtAbort).toBeLessThanOrEqual(1)
    expect(sentAtAbort).toBeGreaterThanOrEqual(sentBefore)
    const rows = await f.t.tdb.db.db
      .selectFrom('usage_logs')
      .selectAll()
      .where('request_id', '=', s.requestId)
      .execute()
    expect(rows).toHaveLength(1)
    expect(rows[0].usage_source).toBe('partial')
    expect(toNum(rows[0].status)).toBe(499)
  })

  it('issue 15 defect 2: drops the upstream call at once when the client leaves before the provider has answered, and bills the prompt the provider received as partial', async () => {
    f.upstream.clearRequests()
    const n = f.outcomes.length
    const ac = new AbortController()
    const started = Date.now()
    const pending = chatWithScenario('delay:3000', 'leave early', { signal: ac.signal }).catch(
      () => 'aborted',
    )
    // The provider has the whole prompt before the client leaves.
    await expect
      .poll(() => f.upstream.requests.some((r) => r.body.includes('leave early')), { timeout: 2000 })
      .toBe(true)
    await new Promise((r) => setTimeout(r, 200))
    ac.abort()
    expect(await pending).toBe('aborted')
    // Without the abort reaching undici the gateway would sit out the provider's 3 s before noticing.
    const gone = () => f.outcomes.slice(n).find((o) => o.status === 499)
    await expect.poll(gone, { timeout: 1500, interval: 20 }).toBeTruthy()
    expect(Date.now() - started).toBeLessThan(2500)
    const s = gone()!.settlement!
    expect(s.usageSource).toBe('partial')
    // No usage came back: the prompt is estimated as at admission (a token per 4 bytes of the request body).
    expect(s.usage.inputTokens).toBe(Math.ceil(gone()!.requestBody.length / 4))
    expect(s.usage.outputTokens).toBe(0)
    const rows = await f.t.tdb.db.db
      .selectFrom('usage_logs')
      .selectAll()
      .where('request_id', '=', s.requestId)
      .execute()
    expect(rows).toHaveLength(1)
    expect(rows[0].usage_source).toBe('partial')
    expect(toNum(rows[0].input_tokens)).toBeGreaterThan(0)
  })

  it('answers 504 for a stall before headers, never a 200 with an error inside', async () => {
    const g = await f.t.inject({
      method: 'POST',
      url: '/admin/groups',
      headers: { authorization: `Bearer ${f.adminJwt}` },
      payload: { name: 'stall-stream', all_visible: true, priority: 99 },
    })
    const gid = (g.json() as { id: string }).id
    await f.addChannel(
      {
        name: 'stall',
        provider: 'anthropic',
        base_url: `${f.upstream.url}/v1`,
        api_key: 'sk-ant-stall-canary',
        models: ['stall-claude'],
        first_byte_timeout_ms: 500,
      },
      gid,
    )
    const started = Date.now()
    const res = await fetchText(
      `${f.gateway}/v1/messages`,
      { ...cases[2].body, model: 'stall-claude' },
      { 'x-api-key': f.key, 'x-fake-scenario': 'stall-headers' },
    )
    expect(res.status).toBe(504)
    expect(Date.now() - started).toBeLessThan(2000)
    expect(JSON.parse(res.text)).toMatchObject({
      type: 'error',
      error: { type: expect.any(String) as string },
    })
  })
})
