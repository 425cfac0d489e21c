import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProxyFixture, waitForOutcomes, type ProxyFixture } from '../support/proxy-fixture.ts'
import { bearer } from '../support/build-test-app.ts'

/** What a careless provider (or the proxy in front of it) puts in its error messages. */
const LEAKED_KEY = 'sk-proj-LeakCanary7f3a9b2c4d5e6f708192a3b4c5d6e7f8'
const LEAKED_ADDRESS = '10.0.0.5:18182'
const LEAKED_URL = 'https://inference.corp.internal/v1/chat?key=AIzaLeakCanaryQ1w2e3r4t5y6u7i8o9p0'
const LEAKY_MESSAGE = `Upstream overloaded: backend ${LEAKED_ADDRESS} refused key ${LEAKED_KEY}; see ${LEAKED_URL}`
/** None of these may reach anything a client or a user can read. */
const FORBIDDEN = [
  'LeakCanary',
  LEAKED_KEY.slice(-6),
  'sk-proj',
  '10.0.0.5',
  '18182',
  'corp.internal',
  'key=',
  'AIzaLeak',
]

const sse = (data: unknown, event?: string, lineEnd = '\n') =>
  `${event ? `event: ${event}${lineEnd}` : ''}data: ${JSON.stringify(data)}${lineEnd}${lineEnd}`

/** The answers of the leaky provider, by model: whole bodies, or stream frames written one by one. */
function answerFor(path: string, model: string): { status: number; frames: string[]; type: string } {
  const json = 'application/json'
  const stream = 'text/event-stream'
  if (model === 'leak-400')
    return {
      status: 400,
      type: json,
      frames: [
        JSON.stringify({ error: { message: LEAKY_MESSAGE, type: 'invalid_request_error', code: null } }),
      ],
    }
  if (model === 'leak-500')
    return {
      status: 500,
      type: json,
      frames: [JSON.stringify({ error: { message: LEAKY_MESSAGE, type: 'server_error', code: null } })],
    }
  if (path.endsWith('/chat/completions')) {
    const chunk = (content: string) => ({
      id: 'chatcmpl-leak',
      object: 'chat.completion.chunk',
      created: 1,
      model,
      choices: [{ index: 0, delta: { content }, finish_reason: null }],
    })
    const error = sse({ error: { message: LEAKY_MESSAGE, type: 'server_error', param: null, code: null } })
    // The error event arrives in pieces, as TCP may cut it anywhere.
    const pieces: string[] = []
    for (let i = 0; i < error.length; i += 7) pieces.push(error.slice(i, i + 7))
    return { status: 200, type: stream, frames: [sse(chunk('Hello')), sse(chunk(' there')), ...pieces] }
  }
  if (path.endsWith('/responses'))
    return {
      status: 200,
      type: stream,
      frames: [
        sse(
          { type: 'response.created', response: { id: 'resp_leak', status: 'in_progress' } },
          'response.created',
        ),
        sse({ type: 'response.output_text.delta', delta: 'Hello' }, 'response.output_text.delta'),
        sse(
          {
            type: 'response.failed',
            response: {
              id: 'resp_leak',
              status: 'failed',
              error: { code: 'server_error', message: LEAKY_MESSAGE },
            },
          },
          'response.failed',
        ),
      ],
    }
  if (path.endsWith('/messages'))
    return {
      status: 200,
      type: stream,
      frames: [
        sse(
          {
            type: 'message_start',
            message: {
              id: 'msg_leak',
              type: 'message',
              role: 'assistant',
              model,
              content: [],
              usage: { input_tokens: 5, output_tokens: 1 },
            },
          },
          'message_start',
        ),
        sse(
          { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
          'content_block_start',
        ),
        sse(
          { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } },
          'content_block_delta',
        ),
        // Event and data in one write with the delta before it: a chunk holding a whole event and the error.
        sse(
          { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' you' } },
          'content_block_delta',
        ) + sse({ type: 'error', error: { type: 'overloaded_error', message: LEAKY_MESSAGE } }, 'error'),
      ],
    }
  // Gemini frames its stream with CRLF.
  return {
    status: 200,
    type: stream,
    frames: [
      sse(
        { candidates: [{ content: { role: 'model', parts: [{ text: 'Hello' }] }, index: 0 }] },
        undefined,
        '\r\n',
      ),
      sse({ error: { code: 500, message: LEAKY_MESSAGE, status: 'INTERNAL' } }, undefined, '\r\n'),
    ],
  }
}

async function startLeakyProvider(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]
      const body = chunks.length
        ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model?: string })
        : {}
      const model = body.model ?? decodeURIComponent(/models\/([^:]+):/.exec(path)?.[1] ?? '')
      const a = answerFor(path, model)
      res.writeHead(a.status, { 'content-type': a.type })
      let i = 0
      const next = () => {
        if (i >= a.frames.length) return void res.end()
        res.write(a.frames[i++])
        setTimeout(next, 5)
      }
      next()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

describe('upstream errors are sanitised once, for every view (issue 15 defect 9)', () => {
  let f: ProxyFixture
  let leaky: { url: string; close(): Promise<void> }

  beforeAll(async () => {
    leaky = await startLeakyProvider()
    f = await startProxyFixture('sqlite')
    const g = await f.t.inject({
      method: 'POST',
      url: '/admin/groups',
      headers: bearer(f.adminJwt),
      payload: { name: 'leaky', all_visible: true, priority: 90 },
    })
    const gid = (g.json() as { id: string }).id
    await f.addChannel(
      {
        name: 'leaky-openai',
        provider: 'openai',
        base_url: `${leaky.url}/v1`,
        api_key: 'sk-leaky-channel-canary-5555',
        models: ['leak-400', 'leak-500', 'leak-stream'],
      },
      gid,
    )
    await f.addChannel(
      {
        name: 'leaky-anthropic',
        provider: 'anthropic',
        base_url: `${leaky.url}/v1`,
        api_key: 'sk-ant-leaky-channel-canary-6666',
        models: ['leak-claude'],
      },
      gid,
    )
    await f.addChannel(
      {
        name: 'leaky-gemini',
        provider: 'gemini',
        base_url: `${leaky.url}/v1beta`,
        api_key: 'AIzaLeakyGeminiChannelCanary0123456789',
        models: ['leak-gemini'],
      },
      gid,
    )
  })
  afterAll(async () => {
    await f?.close()
    await leaky?.close()
  })

  async function send(path: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    const n = f.outcomes.length
    const res = await request(`${f.gateway}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
    const text = await res.body.text()
    await waitForOutcomes(f, n + 1)
    return { status: res.statusCode, text, id: String(res.headers['x-request-id']) }
  }

  const cases: [string, string, Record<string, unknown>, Record<string, string>?][] = [
    [
      'plain 400 passed through',
      '/v1/chat/completions',
      { model: 'leak-400', messages: [{ role: 'user', content: 'x' }] },
    ],
    [
      'plain 500 after failover',
      '/v1/chat/completions',
      { model: 'leak-500', messages: [{ role: 'user', content: 'x' }] },
    ],
    [
      'OpenAI chat stream error event, cut in pieces',
      '/v1/chat/completions',
      { model: 'leak-stream', stream: true, messages: [{ role: 'user', content: 'x' }] },
    ],
    ['Responses stream response.failed', '/v1/responses', { model: 'leak-stream', stream: true, input: 'x' }],
    [
      'Anthropic stream error event',
      '/v1/messages',
      { model: 'leak-claude', stream: true, max_tokens: 20, messages: [{ role: 'user', content: 'x' }] },
      { 'anthropic-version': '2023-06-01' },
    ],
    [
      'Gemini stream error chunk (CRLF)',
      '/v1beta/models/leak-gemini:streamGenerateContent?alt=sse',
      { contents: [{ role: 'user', parts: [{ text: 'x' }] }] },
    ],
  ]

  it.each(cases)(
    'issue 15 defect 9: %s: no key, internal address or URL reaches the client, the user log or the admin log',
    async (label, path, body, headers) => {
      const r = await send(path, body, headers)
      // The provider's own words, without what is secret, still tell the client what happened.
      expect(r.text, label).toContain('Upstream overloaded')
      if (r.status === 200) expect(r.text, label).toMatch(/error/)
      await f.t.audit.drain(5000)
      const userView = await f.t.inject({
        method: 'GET',
        url: `/user/logs/${r.id}/messages`,
        headers: bearer(f.userJwt),
      })
      const adminView = await f.t.inject({
        method: 'GET',
        url: `/admin/logs/${r.id}/messages`,
        headers: bearer(f.adminJwt),
      })
      expect(userView.statusCode, label).toBe(200)
      expect(adminView.statusCode, label).toBe(200)
      // Every view records the same sanitised text the client got.
      expect(userView.body, label).toContain('Upstream overloaded')
      for (const [where, text] of [
        ['client', r.text],
        ['user log', userView.body],
        ['admin log', adminView.body],
      ])
        for (const secret of FORBIDDEN)
          expect(text.includes(secret), `${label}: ${secret} in the ${where}`).toBe(false)
    },
  )
})
