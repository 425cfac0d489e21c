import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MODELS, startProxyFixture, waitForOutcomes, type ProxyFixture } from '../support/proxy-fixture.ts'
import { bearer } from '../support/build-test-app.ts'
import { startFakeUpstream } from '../fake-upstream/start-fake-upstream.ts'
import { chatCompletion, startCapture, startScriptedUpstream } from './hardening-support.ts'

/**
 * Catalogue group C (docs/security.md): proxy and SSRF, #13–#21. The address checks at connect time (#14, #15
 * DNS rebinding), the header list of #19 and the sanitiser's other views (#21) are issue 15's defects 7, 8 and 9,
 * tested with their fixes.
 */

describe('C. proxy and SSRF', () => {
  let f: ProxyFixture

  beforeAll(async () => {
    f = await startProxyFixture('sqlite')
  })
  afterAll(async () => f?.close())

  async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
    const res = await request(`${f.gateway}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() }
  }

  const channel = async (body: Record<string, unknown>) =>
    f.t.inject({ method: 'POST', url: '/admin/channels', headers: bearer(f.adminJwt), payload: body })

  it('#13 upstream address and key come only from the channel: body fields (root and nested) and custom-host headers are never followed', async () => {
    const capture = await startCapture()
    try {
      const redirectors = {
        api_base: capture.url,
        base_url: capture.url,
        baseURL: capture.url,
        api_key: 'sk-client-supplied-key-0000000000',
        custom_host: capture.url,
        organization: 'org-attacker',
        extra_body: { api_base: capture.url, base_url: capture.url },
        litellm_config: { api_base: capture.url },
        provider_config: { base_url: capture.url, custom_host: capture.url },
        metadata: { api_base: capture.url, base_url: capture.url },
      }
      const headers = {
        'x-custom-host': capture.url,
        'x-portkey-custom-host': capture.url,
        'x-base-url': capture.url,
        'x-upstream-url': capture.url,
      }
      f.upstream.clearRequests()
      const surfaces: [string, Record<string, unknown>][] = [
        ['/v1/chat/completions', { model: MODELS.openai, messages: [{ role: 'user', content: 'x' }] }],
        ['/v1/responses', { model: MODELS.openai, input: 'x' }],
        [
          '/v1/messages',
          { model: MODELS.anthropic, max_tokens: 10, messages: [{ role: 'user', content: 'x' }] },
        ],
        [
          `/v1beta/models/${MODELS.gemini}:generateContent`,
          { contents: [{ role: 'user', parts: [{ text: 'x' }] }] },
        ],
      ]
      for (const [path, body] of surfaces) {
        const r = await post(path, { ...body, ...redirectors }, headers)
        expect(r.status, `${path}: ${r.text}`).toBe(200)
      }
      expect(capture.connections).toBe(0)
      // Each request went to the channel's address, with the channel's key, never the client-supplied one.
      expect(f.upstream.requests).toHaveLength(surfaces.length)
      for (const seen of f.upstream.requests) {
        const auth = [seen.headers.authorization, seen.headers['x-api-key'], seen.headers['x-goog-api-key']]
          .filter(Boolean)
          .join(' ')
        expect(auth).toMatch(/canary/i)
        expect(auth).not.toContain('sk-client-supplied')
      }
    } finally {
      await capture.close()
    }
  })

  it('#14 link-local and metadata addresses in every spelling are refused at save time; the private addresses the policy allows are kept', async () => {
    const refused = [
      'http://169.254.169.254/v1',
      'http://169.254.169.254./v1',
      'http://0xa9fea9fe/v1',
      'http://2852039166/v1',
      'http://0251.0376.0251.0376/v1',
      'http://169.254.170.2/v1',
      'http://[::ffff:169.254.169.254]/v1',
      'http://[fe80::1]/v1',
      'http://metadata.google.internal/v1',
      'http://METADATA.GOOGLE.INTERNAL./v1',
      'http://100.100.100.200/v1',
      'http://0.0.0.0:8080/v1',
      'file:///etc/passwd',
      'gopher://127.0.0.1:6379/_INFO',
      'ftp://127.0.0.1/v1',
    ]
    for (const base_url of refused) {
      const res = await channel({ name: 'x', provider: 'openai', base_url, api_key: 'k-123456789' })
      expect(res.statusCode, base_url).toBe(400)
      expect(res.json<{ error: { message: string } }>().error.message, base_url).toContain('base_url')
    }
    // The same addresses through an edit of an existing channel.
    const ok = await channel({
      name: 'edit-me',
      provider: 'openai',
      base_url: `${f.upstream.url}/v1`,
      api_key: 'k-123456789',
    })
    expect(ok.statusCode).toBe(201)
    const id = ok.json<{ id: string }>().id
    for (const base_url of refused.slice(0, 6)) {
      const res = await f.t.inject({
        method: 'PATCH',
        url: `/admin/channels/${id}`,
        headers: bearer(f.adminJwt),
        payload: { base_url, api_key: 'k-123456789' },
      })
      expect(res.statusCode, base_url).toBe(400)
    }
    const row = await f.t.tdb.db.db
      .selectFrom('channels')
      .select('base_url')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(row.base_url).toBe(`${f.upstream.url}/v1`)
    // Policy (docs/security.md): LAN, loopback and carrier-grade NAT addresses serve local models and are allowed.
    for (const base_url of [
      'http://127.0.0.1:11434/v1',
      'http://localhost:11434/v1',
      'http://127.1:8000/v1',
      'http://[::1]:8000/v1',
      'http://10.0.0.5:8000/v1',
      'http://192.168.1.10/v1',
      'http://100.64.0.1/v1',
    ]) {
      // One name each: channel names are unique (docs/channels.md).
      const res = await channel({
        name: `lan ${base_url}`,
        provider: 'openai',
        base_url,
        api_key: 'k-123456789',
      })
      expect(res.statusCode, base_url).toBe(201)
    }
  })

  it('#15 provider calls, channel tests and model fetches never follow a redirect, so the key never reaches its target', async () => {
    const target = await startScriptedUpstream()
    const redirecting = await startFakeUpstream()
    try {
      redirecting.setScenario({ name: 'redirect', location: `${target.url}/stolen` })
      const res = await channel({
        name: 'redirecting',
        provider: 'openai',
        base_url: `${redirecting.url}/v1`,
        api_key: 'sk-redirect-canary-5555',
        models: ['redir-model'],
      })
      const id = res.json<{ id: string }>().id
      await f.t.inject({
        method: 'POST',
        url: `/admin/groups/${f.groupId}/channels/${id}`,
        headers: bearer(f.adminJwt),
      })
      const proxied = await post('/v1/chat/completions', { model: 'redir-model', messages: [] })
      expect(proxied.status).toBe(502)
      expect(proxied.headers.location).toBeUndefined()
      const tested = await f.t.inject({
        method: 'POST',
        url: `/admin/channels/${id}/test`,
        headers: bearer(f.adminJwt),
        payload: {},
      })
      expect(tested.body).not.toContain(target.url)
      const fetched = await f.t.inject({
        method: 'POST',
        url: `/admin/channels/${id}/fetch-models`,
        headers: bearer(f.adminJwt),
      })
      expect(fetched.statusCode).toBeGreaterThanOrEqual(400)
      expect(fetched.body).not.toContain(target.url)
      expect(redirecting.requests.length).toBeGreaterThanOrEqual(3)
      expect(target.seen).toHaveLength(0)
    } finally {
      await redirecting.close()
      await target.close()
    }
  })

  it('#16 user info and fragments in a channel URL are refused; case and a trailing dot are canonicalised', async () => {
    const port = new URL(f.upstream.url).port
    for (const base_url of [
      'http://api.openai.com@evil.example/v1',
      `http://x:y@127.0.0.1:${port}/v1`,
      `http://127.0.0.1:${port}@evil.example/v1`,
      'http://evil.example#@api.openai.com/v1',
      `http://127.0.0.1:${port}/v1#frag`,
      'not a url',
      '//127.0.0.1/v1',
    ]) {
      const res = await channel({ name: 'x', provider: 'openai', base_url, api_key: 'k-123456789' })
      expect(res.statusCode, base_url).toBe(400)
    }
    // A spelling WHATWG canonicalises reaches the host it canonicalises to, and only that one.
    const res = await channel({
      name: 'canon',
      provider: 'openai',
      base_url: `HTTP://127.0.0.1.:${port}/v1`,
      api_key: 'sk-canon-canary-1234',
      models: ['canon-model'],
    })
    expect(res.statusCode).toBe(201)
    await f.t.inject({
      method: 'POST',
      url: `/admin/groups/${f.groupId}/channels/${res.json<{ id: string }>().id}`,
      headers: bearer(f.adminJwt),
    })
    f.upstream.clearRequests()
    expect((await post('/v1/chat/completions', { model: 'canon-model', messages: [] })).status).toBe(200)
    expect(f.upstream.requests).toHaveLength(1)
  })

  it('#17 image and file URLs in a request are passed to the provider, never fetched by the gateway; a huge data URI is refused by size', async () => {
    const capture = await startCapture()
    try {
      f.upstream.clearRequests()
      const openai = await post('/v1/chat/completions', {
        model: MODELS.openai,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'look' },
              { type: 'image_url', image_url: { url: `${capture.url}/cat.png` } },
              { type: 'image_url', image_url: { url: 'file:///etc/passwd' } },
              { type: 'input_audio', input_audio: { data: `${capture.url}/a.wav`, format: 'wav' } },
            ],
          },
        ],
      })
      expect(openai.status).toBe(200)
      const anthropic = await post('/v1/messages', {
        model: MODELS.anthropic,
        max_tokens: 10,
        messages: [
          {
            role: 'user',
            content: [{ type: 'image', source: { type: 'url', url: `${capture.url}/x.png` } }],
          },
        ],
      })
      expect(anthropic.status).toBe(200)
      const gemini = await post(`/v1beta/models/${MODELS.gemini}:generateContent`, {
        contents: [
          { role: 'user', parts: [{ fileData: { mimeType: 'image/png', fileUri: `${capture.url}/g.png` } }] },
        ],
      })
      expect(gemini.status).toBe(200)
      await new Promise((r) => setTimeout(r, 200))
      expect(capture.connections).toBe(0)
      // The provider got the URLs as the client wrote them.
      expect(f.upstream.requests.map((r) => r.body).join('\n')).toContain(`${capture.url}/cat.png`)
      // 50 MB of base64 image data is refused by the body limit before it is read.
      const huge = await post('/v1/chat/completions', {
        model: MODELS.openai,
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'image_url',
                image_url: { url: `data:image/png;base64,${'A'.repeat(50 * 1024 * 1024)}` },
              },
            ],
          },
        ],
      })
      expect(huge.status).toBe(413)
    } finally {
      await capture.close()
    }
  })

  it('#18 a model must be a plain configured name before any URL is built; the path model is the one routed, billed and sent', async () => {
    f.upstream.clearRequests()
    for (const model of [
      '../../v1/files',
      'gemini-pro:generateContent?alt=sse&key=x',
      'a%2F..%2Fb',
      'x\r\nHost: evil',
      'x\nHost: evil',
      'x'.repeat(10_000),
      '/etc/passwd',
      'gpt-4o-mini/../../admin',
      'gpt-4o-mini#frag',
      'gpt 4o',
      '',
    ]) {
      const r = await post('/v1/chat/completions', { model, messages: [] })
      expect([400, 404], JSON.stringify(model).slice(0, 40)).toContain(r.status)
    }
    for (const path of [
      '/v1beta/models/..%2F..%2Fv1%2Ffiles:generateContent',
      '/v1beta/models/%2e%2e:generateContent',
      '/v1beta/models/gemini-2.5-flash%3FgenerateContent',
      '/v1beta/models/a%0d%0aHost:%20evil:generateContent',
      `/v1beta/models/${'g'.repeat(5000)}:generateContent`,
    ]) {
      const r = await post(path, { contents: [] })
      expect([400, 404, 414], path.slice(0, 60)).toContain(r.status)
    }
    expect(f.upstream.requests).toHaveLength(0)

    // Gemini's model is in the path; a different model in the body changes nothing.
    const n = f.outcomes.length
    const g = await post(`/v1beta/models/${MODELS.gemini}:generateContent`, {
      model: 'gpt-4o-mini',
      contents: [{ role: 'user', parts: [{ text: 'x' }] }],
    })
    expect(g.status).toBe(200)
    await waitForOutcomes(f, n + 1)
    expect(f.upstream.requests.at(-1)!.path).toContain(`/models/${MODELS.gemini}:generateContent`)
    expect(f.outcomes.at(-1)!.settlement!.model).toBe(MODELS.gemini)
    // An allowed name with URL-special characters is encoded as one path segment.
    const odd = 'vendor/model:tag@v1+x'
    const ch = await channel({
      name: 'odd',
      provider: 'gemini',
      base_url: `${f.upstream.url}/v1beta`,
      api_key: 'AIzaOddCanary000000000000000000000',
      models: [odd],
    })
    await f.t.inject({
      method: 'POST',
      url: `/admin/groups/${f.groupId}/channels/${ch.json<{ id: string }>().id}`,
      headers: bearer(f.adminJwt),
    })
    await post(`/v1beta/models/${encodeURIComponent(odd)}:generateContent`, {
      contents: [{ role: 'user', parts: [{ text: 'x' }] }],
    })
    expect(f.upstream.requests.at(-1)!.path).toContain(`/models/${encodeURIComponent(odd)}:generateContent`)
  })

  it('#19 client credentials, hop-by-hop, proxy and forwarding headers are dropped; the channel key and extra headers win', async () => {
    const res = await channel({
      name: 'headers',
      provider: 'openai',
      base_url: `${f.upstream.url}/v1`,
      api_key: 'sk-headers-channel-canary-6666',
      models: ['hdr-model'],
      extra_headers: { 'x-team': 'channel-team', 'OpenAI-Beta': 'assistants=v2' },
    })
    await f.t.inject({
      method: 'POST',
      url: `/admin/groups/${f.groupId}/channels/${res.json<{ id: string }>().id}`,
      headers: bearer(f.adminJwt),
    })
    f.upstream.clearRequests()
    const clientHeaders = {
      'x-api-key': f.key,
      'x-goog-api-key': f.key,
      'x-admin-key': 'admin-key-guess-000000000000000000000',
      cookie: 'session=client-cookie',
      'proxy-authorization': 'Basic cHJveHk6cHJveHk=',
      'x-forwarded-for': '10.1.1.1',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      forwarded: 'for=10.1.1.1;host=evil.example',
      via: '1.1 evil',
      te: 'trailers',
      'x-team': 'client-team',
      'openai-beta': 'client-choice',
      'x-stainless-lang': 'js',
    }
    expect(
      (await post('/v1/chat/completions', { model: 'hdr-model', messages: [] }, clientHeaders)).status,
    ).toBe(200)
    const seen = f.upstream.requests.at(-1)!.headers
    expect(seen.authorization).toBe('Bearer sk-headers-channel-canary-6666')
    for (const name of [
      'x-api-key',
      'x-goog-api-key',
      'x-admin-key',
      'cookie',
      'proxy-authorization',
      'x-forwarded-for',
      'x-forwarded-host',
      'x-forwarded-proto',
      'forwarded',
      'via',
      'te',
    ])
      expect(seen[name], name).toBeUndefined()
    expect(seen['x-team']).toBe('channel-team')
    expect(seen['openai-beta']).toBe('assistants=v2')
    expect(seen['x-stainless-lang']).toBe('js')
    expect(seen.host).toBe(new URL(f.upstream.url).host)
    expect(JSON.stringify(seen)).not.toContain(f.key)

    // Anthropic: the client's x-api-key is replaced; its anthropic-version and -beta pass; 2023-06-01 when absent.
    f.upstream.clearRequests()
    const body = { model: MODELS.anthropic, max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }
    await post('/v1/messages', body, { 'anthropic-version': '2024-10-22', 'anthropic-beta': 'x-beta' })
    await post('/v1/messages', body)
    const [withVersion, without] = f.upstream.requests.map((r) => r.headers)
    expect(withVersion['x-api-key']).toBe('sk-ant-upstream-canary-9Kd3')
    expect(withVersion['anthropic-version']).toBe('2024-10-22')
    expect(withVersion['anthropic-beta']).toBe('x-beta')
    expect(without['anthropic-version']).toBe('2023-06-01')
    expect(without.authorization).toBeUndefined()
    // Gemini: the key from ?key= never reaches the provider's URL; the channel key goes in its header.
    f.upstream.clearRequests()
    const g = await request(
      `${f.gateway}/v1beta/models/${MODELS.gemini}:generateContent?key=${f.key}&alt=json&beta=1`,
      {
        method: 'POST',
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'x' }] }] }),
      },
    )
    expect(g.statusCode).toBe(200)
    await g.body.dump()
    const gs = f.upstream.requests.at(-1)!
    expect(gs.path).not.toContain('key=')
    expect(gs.headers['x-goog-api-key']).toBe('AIzaUpstreamGeminiCanary0123456789abcdef')
  })

  it('#20 only an allowlist of upstream response headers reaches the client', async () => {
    const up = await startScriptedUpstream()
    try {
      const res = await channel({
        name: 'resp-headers',
        provider: 'openai',
        base_url: `${up.url}/v1`,
        api_key: 'sk-resp-canary-7777',
        models: ['rh-model'],
      })
      await f.t.inject({
        method: 'POST',
        url: `/admin/groups/${f.groupId}/channels/${res.json<{ id: string }>().id}`,
        headers: bearer(f.adminJwt),
      })
      up.answer({
        status: 200,
        headers: {
          'content-type': 'application/json',
          'set-cookie': ['__cf_bm=secret-cookie; HttpOnly', 'session=upstream'],
          server: 'internal-vllm/0.1 (10.0.0.5)',
          'x-goog-api-key': 'AIzaLeakedFromUpstream000000000000',
          authorization: 'Bearer sk-upstream-echo',
          location: 'http://10.0.0.5:8000/internal',
          'www-authenticate': 'Bearer realm="internal"',
          'x-internal-host': 'gpu-node-7.internal',
          'x-envoy-upstream-service-time': '12',
          'openai-processing-ms': '42',
          'request-id': 'req_upstream_1',
        },
        body: chatCompletion('rh-model'),
      })
      const r = await post('/v1/chat/completions', { model: 'rh-model', messages: [] })
      expect(r.status).toBe(200)
      for (const name of [
        'set-cookie',
        'server',
        'x-goog-api-key',
        'authorization',
        'location',
        'www-authenticate',
        'x-internal-host',
        'x-envoy-upstream-service-time',
      ])
        expect(r.headers[name], name).toBeUndefined()
      expect(r.headers['content-type']).toContain('application/json')
      expect(r.headers['openai-processing-ms']).toBe('42')
      expect(r.headers['x-request-id']).toBeDefined()
      expect(JSON.stringify(r.headers)).not.toMatch(/secret-cookie|10\.0\.0\.5|AIzaLeaked|sk-upstream-echo/)
    } finally {
      await up.close()
    }
  })

  it('#21 provider errors quoting the channel key, an internal address or URL, HTML pages and connection failures reach the client sanitised', async () => {
    const up = await startScriptedUpstream()
    const KEY = 'sk-proj-sanitise-canary-8888abcdefgh'
    try {
      const ch = await channel({
        name: 'sanitise',
        provider: 'openai',
        base_url: `${up.url}/v1`,
        api_key: KEY,
        models: ['san-model'],
      })
      await f.t.inject({
        method: 'POST',
        url: `/admin/groups/${f.groupId}/channels/${ch.json<{ id: string }>().id}`,
        headers: bearer(f.adminJwt),
      })
      const dead = await channel({
        name: 'dead',
        provider: 'gemini',
        base_url: 'http://127.0.0.1:9/v1beta',
        api_key: 'AIzaDeadChannelCanary000000000000000',
        models: ['dead-gemini'],
      })
      await f.t.inject({
        method: 'POST',
        url: `/admin/groups/${f.groupId}/channels/${dead.json<{ id: string }>().id}`,
        headers: bearer(f.adminJwt),
      })
      const leaks =
        /sanitise-canary|8888abcdefgh|10\.0\.0\.5|18182|internal\.example|AIza|127\.0\.0\.1|<html/i
      for (const [status, body] of [
        [
          401,
          JSON.stringify({
            error: { message: `Incorrect API key provided: ${KEY}.`, type: 'invalid_request_error' },
          }),
        ],
        [
          400,
          JSON.stringify({
            error: {
              message: `Bad request to http://internal.example/v1?key=AIzaQueryKey0000000000 via 10.0.0.5:18182 using ${KEY}`,
            },
          }),
        ],
        [
          500,
          JSON.stringify({
            error: { message: `upstream connect error ECONNREFUSED 10.0.0.5:18182 (${KEY})` },
          }),
        ],
        [
          429,
          JSON.stringify({ error: { message: `Rate limited for key ${KEY} at http://10.0.0.5:18182/` } }),
        ],
        [502, '<html><body>Bad gateway at 10.0.0.5:18182</body></html>'],
      ] as const) {
        up.answer({
          status,
          headers: { 'content-type': status === 502 ? 'text/html' : 'application/json' },
          body,
        })
        const r = await post('/v1/chat/completions', { model: 'san-model', messages: [] })
        expect(r.status, `${status}: ${r.text}`).toBeGreaterThanOrEqual(400)
        expect(r.text + JSON.stringify(r.headers), String(status)).not.toMatch(leaks)
        // The status class survives: a client mistake stays a 400, a provider limit a 429.
        if (status === 400 || status === 429) expect(r.status).toBe(status)
        if (status === 401) expect(r.status).toBe(502)
      }
      const unreachable = await post(`/v1beta/models/dead-gemini:generateContent`, { contents: [] })
      expect(unreachable.status).toBe(502)
      expect(unreachable.text).not.toMatch(leaks)
      expect(unreachable.text).not.toMatch(/ECONNREFUSED|:9\b/)
      expect(JSON.parse(unreachable.text)).toMatchObject({ error: { code: 502 } })
    } finally {
      await up.close()
    }
  })
})
