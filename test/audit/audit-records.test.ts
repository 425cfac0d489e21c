import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProxyFixture, waitForOutcomes, MODELS, type ProxyFixture } from '../support/proxy-fixture.ts'
import { bearer } from '../support/build-test-app.ts'
import { readAuditRecord } from '../../src/infra/audit/read-audit-record.ts'

function allAuditFiles(dir: string): string[] {
  const out: string[] = []
  for (const day of readdirSync(dir))
    for (const f of readdirSync(path.join(dir, day))) out.push(path.join(dir, day, f))
  return out
}

describe('one audit record per request, with nothing secret in it', () => {
  let f: ProxyFixture
  let sessions: string

  beforeAll(async () => {
    f = await startProxyFixture('sqlite')
    sessions = path.join(f.t.deps.config.DATA_DIR, 'sessions')
  })
  afterAll(async () => f?.close())

  async function send(p: string, body: unknown, headers: Record<string, string>) {
    const n = f.outcomes.length
    const res = await request(`${f.gateway}${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
    const text = await res.body.text()
    await waitForOutcomes(f, n + 1)
    return { status: res.statusCode, text, id: f.outcomes.at(-1)!.requestId }
  }

  it('records plain, streamed, failed-over, rejected and client-aborted requests exactly once each', async () => {
    const auth = { authorization: `Bearer ${f.key}` }
    const plain = await send(
      '/v1/chat/completions',
      { model: MODELS.openai, messages: [{ role: 'user', content: 'audit me' }] },
      auth,
    )
    const streamed = await send(
      '/v1/messages',
      {
        model: MODELS.anthropic,
        max_tokens: 50,
        stream: true,
        messages: [{ role: 'user', content: 'stream me' }],
      },
      { 'x-api-key': f.key },
    )
    const g = await f.t.inject({
      method: 'POST',
      url: '/admin/groups',
      headers: bearer(f.adminJwt),
      payload: { name: 'audit-fo', all_visible: true, priority: 70 },
    })
    const gid = (g.json() as { id: string }).id
    await f.addChannel(
      {
        name: 'dead',
        provider: 'openai',
        base_url: 'http://127.0.0.1:9/v1',
        api_key: 'sk-dead-audit-canary',
        models: ['audit-fo-model'],
        weight: 1000,
      },
      gid,
    )
    await f.addChannel(
      {
        name: 'alive',
        provider: 'openai',
        base_url: `${f.upstream.url}/v1`,
        api_key: 'sk-alive-audit-canary',
        models: ['audit-fo-model'],
        weight: 1,
      },
      gid,
    )
    const failedOver = await send(
      '/v1/chat/completions',
      { model: 'audit-fo-model', messages: [{ role: 'user', content: 'x' }] },
      auth,
    )
    const rejected = await send(
      '/v1/chat/completions',
      { model: MODELS.openai, messages: [] },
      { authorization: 'Bearer sk-not-a-real-key-000000000000' },
    )
    const notAllowed = await send('/v1/chat/completions', { model: 'nope-model', messages: [] }, auth)
    expect([plain.status, streamed.status, failedOver.status, rejected.status, notAllowed.status]).toEqual([
      200, 200, 200, 401, 404,
    ])

    const n = f.outcomes.length
    const ac = new AbortController()
    const res = await request(`${f.gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'x-fake-scenario': 'slow-events:200' },
      body: JSON.stringify({
        model: MODELS.openai,
        stream: true,
        messages: [{ role: 'user', content: 'abort' }],
      }),
      signal: ac.signal,
    })
    try {
      for await (const _c of res.body) break
    } catch {
      /* aborted */
    }
    ac.abort()
    await waitForOutcomes(f, n + 1)
    const aborted = f.outcomes.at(-1)!.requestId

    await f.t.audit.drain(5000)
    const ids = [plain.id, streamed.id, failedOver.id, rejected.id, notAllowed.id, aborted]
    const files = allAuditFiles(sessions).map((p) => path.basename(p, '.json.br'))
    for (const id of ids)
      expect(
        files.filter((x) => x === id),
        id,
      ).toHaveLength(1)

    const rec = async (id: string) => (await readAuditRecord(sessions, id, new Date()))!
    const p = await rec(plain.id)
    expect(p).toMatchObject({
      kind: 'full',
      status: 200,
      client_protocol: 'openai',
      model: MODELS.openai,
      usage_source: 'reported',
    })
    expect(p.request.body).toMatchObject({ model: MODELS.openai })
    expect(JSON.stringify(p.response.body)).toBe(JSON.stringify(JSON.parse(plain.text)))
    expect(p.usage?.input_tokens).toBeGreaterThan(0)
    expect(p.channel_id).toBe(f.channels.openai)
    expect(p.token_id).toBeTruthy()

    const s = await rec(streamed.id)
    expect(s.is_stream).toBe(true)
    expect(s.response.sse_raw).toBe(streamed.text)
    const clientText = streamed.text
      .split('\n')
      .filter((l) => l.startsWith('data: ') && l.includes('text_delta'))
      .map((l) => (JSON.parse(l.slice(6)) as { delta: { text: string } }).delta.text)
      .join('')
    expect(s.response.reassembled_text).toBe(clientText)
    expect(clientText.length).toBeGreaterThan(5)

    expect((await rec(failedOver.id)).channel_name).toBe('alive')
    const r = await rec(rejected.id)
    expect(r).toMatchObject({ kind: 'metadata', status: 401, rejection_reason: 'invalid_api_key' })
    expect(r.request.body).toBeUndefined()
    expect((await rec(aborted)).status).toBe(499)
  })

  it('keeps canary keys and passwords out of every record, log line and /logs response', async () => {
    const canaryHeaderKey = f.key
    await send(
      '/v1/chat/completions',
      {
        model: MODELS.openai,
        messages: [{ role: 'user', content: `my key is ${canaryHeaderKey} and password=hunter2` }],
        password: 'hunter2-field',
        api_key: 'sk-in-body-canary-0123456789abcdef',
      },
      { authorization: `Bearer ${f.key}`, cookie: 'sid=canary-cookie' },
    )
    await send(
      `/v1beta/models/${MODELS.gemini}:generateContent?key=${f.key}`,
      { contents: [{ role: 'user', parts: [{ text: 'q' }] }] },
      {},
    )
    await f.t.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'user', password: 'user-password' },
    })
    await f.t.audit.drain(5000)
    const logsRes = await f.t.inject({
      method: 'GET',
      url: '/admin/logs?page_size=200',
      headers: bearer(f.adminJwt),
    })
    const ids = (logsRes.json() as { data: { request_id: string }[] }).data.map((d) => d.request_id)
    const messages: string[] = []
    for (const id of ids.slice(0, 20))
      messages.push(
        (await f.t.inject({ method: 'GET', url: `/admin/logs/${id}/messages`, headers: bearer(f.adminJwt) }))
          .body,
      )
    const everything = [
      ...allAuditFiles(sessions).map((file) =>
        zlib.brotliDecompressSync(readFileSync(file)).toString('utf8'),
      ),
      f.t.logs.join('\n'),
      logsRes.body,
      ...messages,
    ].join('\n')
    expect(everything.length).toBeGreaterThan(1000)
    for (const secret of [
      f.key,
      'sk-upstream-openai-canary-7Hq2',
      'AIzaUpstreamGeminiCanary0123456789abcdef',
      'sk-in-body-canary-0123456789abcdef',
      'hunter2-field',
      'canary-cookie',
      'user-password',
      'sk-alive-audit-canary',
    ]) {
      expect(everything.includes(secret), secret).toBe(false)
    }
  })
})
