import http from 'node:http'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MODELS, startProxyFixture, waitForOutcomes, type ProxyFixture } from '../support/proxy-fixture.ts'
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/start-fake-upstream.ts'
import { toNum } from '../../src/infra/db/convert-row-values.ts'

const chat = (model = MODELS.openai, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], ...extra })

async function post(f: ProxyFixture, path: string, body: string, headers: Record<string, string> = {}) {
  const res = await request(`${f.gateway}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json', ...headers },
    body,
  })
  const text = await res.body.text()
  return { status: res.statusCode, headers: res.headers, text }
}

describe('failover, timeouts and leaks', () => {
  let f: ProxyFixture
  let b: FakeUpstream

  beforeAll(async () => {
    f = await startProxyFixture('sqlite')
    b = await startFakeUpstream()
  })
  afterAll(async () => {
    await f?.close()
    await b?.close()
  })

  async function twoChannelGroup(name: string, aUrl: string, model: string) {
    const g = await f.t.inject({
      method: 'POST',
      url: '/admin/groups',
      headers: { authorization: `Bearer ${f.adminJwt}` },
      payload: { name, priority: 1, all_visible: true },
    })
    const gid = (g.json() as { id: string }).id
    const a = await f.addChannel(
      {
        name: `${name}-a`,
        provider: 'openai',
        base_url: aUrl,
        api_key: 'sk-channel-a-canary-1111',
        models: [model],
        weight: 1000,
      },
      gid,
    )
    const bb = await f.addChannel(
      {
        name: `${name}-b`,
        provider: 'openai',
        base_url: `${b.url}/v1`,
        api_key: 'sk-channel-b-canary-2222',
        models: [model],
        weight: 1,
      },
      gid,
    )
    const key = await f.createKey({ group_id: gid })
    return { gid, a, b: bb, key }
  }

  it.each([
    ['refusing connections', 'http://127.0.0.1:9/v1', null],
    ['answering 500', 'A', 'status:500'],
    ['answering 429', 'A', 'status:429'],
    ['answering 401', 'A', 'status:401'],
    ['answering 403', 'A', 'status:403'],
  ])('channel A %s → the request succeeds on B, billed once, A cooled down', async (label, url, scenario) => {
    const model = `fo-${label.replace(/\W+/g, '-')}`
    const aUrl = url === 'A' ? `${f.upstream.url}/v1` : url!
    const g = await twoChannelGroup(`g-${model}`, aUrl, model)
    f.upstream.clearRequests()
    b.clearRequests()
    const headers: Record<string, string> = { authorization: `Bearer ${g.key}` }
    if (scenario) f.upstream.setScenario(scenario)
    const n = f.outcomes.length
    try {
      const r = await post(f, '/v1/chat/completions', chat(model), headers)
      expect(r.status, r.text).toBe(200)
      expect(r.text).toContain(`from ${model}`)
    } finally {
      f.upstream.setScenario(null)
    }
    await waitForOutcomes(f, n + 1)
    expect(b.requests.filter((x) => x.path.endsWith('/chat/completions'))).toHaveLength(1)
    const rows = await f.t.tdb.db.db.selectFrom('usage_logs').selectAll().where('model', '=', model).execute()
    expect(rows).toHaveLength(1)
    expect(rows[0].channel_id).toBe(g.b)
    const ch = await f.t.tdb.db.db
      .selectFrom('channels')
      .select(['status', 'cooldown_until'])
      .where('id', '=', g.a)
      .executeTakeFirstOrThrow()
    expect(ch.status).toBe('unhealthy')
    expect(toNum(ch.cooldown_until)).toBeGreaterThan(Date.now())
  })

  it('answers 502, never 401, when every channel answers 401; and sanitises the error', async () => {
    const model = 'all-401'
    const g = await f.t.inject({
      method: 'POST',
      url: '/admin/groups',
      headers: { authorization: `Bearer ${f.adminJwt}` },
      payload: { name: 'g-401', priority: 1, all_visible: true },
    })
    const gid = (g.json() as { id: string }).id
    await f.addChannel(
      {
        name: 'x1',
        provider: 'openai',
        base_url: `${f.upstream.url}/v1`,
        api_key: 'sk-dead-key-canary-3333',
        models: [model],
      },
      gid,
    )
    await f.addChannel(
      {
        name: 'x2',
        provider: 'openai',
        base_url: `${f.upstream.url}/v1`,
        api_key: 'sk-dead-key-canary-4444',
        models: [model],
      },
      gid,
    )
    const key = await f.createKey({ group_id: gid })
    const r = await post(f, '/v1/chat/completions', chat(model), {
      authorization: `Bearer ${key}`,
      'x-fake-scenario': 'status:401',
    })
    expect(r.status).toBe(502)
    expect(r.text).not.toMatch(/sk-dead-key|127\.0\.0\.1/)
    expect(JSON.parse(r.text)).toMatchObject({ error: { type: expect.any(String) as string } })
  })

  it('does not retry after a first-byte timeout: 504 within the configured timeout', async () => {
    const model = 'stall-model'
    const g = await f.t.inject({
      method: 'POST',
      url: '/admin/groups',
      headers: { authorization: `Bearer ${f.adminJwt}` },
      payload: { name: 'g-stall', priority: 1, all_visible: true },
    })
    const gid = (g.json() as { id: string }).id
    await f.addChannel(
      {
        name: 's1',
        provider: 'openai',
        base_url: `${f.upstream.url}/v1`,
        api_key: 'sk-stall-1-canary',
        models: [model],
        first_byte_timeout_ms: 700,
      },
      gid,
    )
    await f.addChannel(
      {
        name: 's2',
        provider: 'openai',
        base_url: `${f.upstream.url}/v1`,
        api_key: 'sk-stall-2-canary',
        models: [model],
        first_byte_timeout_ms: 700,
      },
      gid,
    )
    const key = await f.createKey({ group_id: gid })
    f.upstream.clearRequests()
    const started = Date.now()
    const r = await post(f, '/v1/chat/completions', chat(model), {
      authorization: `Bearer ${key}`,
      'x-fake-scenario': 'stall-headers',
    })
    const took = Date.now() - started
    expect(r.status).toBe(504)
    expect(took).toBeGreaterThanOrEqual(500)
    expect(took).toBeLessThan(2500)
    expect(JSON.parse(r.text)).toMatchObject({ error: { code: 'upstream_timeout' } })
    expect(f.upstream.requests.filter((x) => x.path.endsWith('/chat/completions'))).toHaveLength(1)
    // The 700 ms spent waiting for the provider are not the gateway's own time.
    expect(Number(r.headers['x-gateway-overhead-ms'])).toBeLessThan(300)
  })

  it("reports the gateway's own time in x-gateway-overhead-ms, without the provider's", async () => {
    for (const body of [chat(), chat(MODELS.openai, { stream: true })]) {
      const started = performance.now()
      const r = await post(f, '/v1/chat/completions', body, { 'x-fake-scenario': 'delay:400' })
      const took = performance.now() - started
      expect(r.status, r.text).toBe(200)
      expect(took).toBeGreaterThanOrEqual(400)
      const overhead = Number(r.headers['x-gateway-overhead-ms'])
      expect(r.headers['x-gateway-overhead-ms']).toMatch(/^\d+\.\d{2}$/)
      expect(overhead).toBeGreaterThan(0)
      expect(overhead).toBeLessThan(200)
    }
    // A refusal is all the gateway's own time.
    const refused = await post(f, '/v1/chat/completions', chat(), {
      authorization: 'Bearer sk-unknown-key-0000000000000000000',
    })
    expect(refused.status).toBe(401)
    expect(Number(refused.headers['x-gateway-overhead-ms'])).toBeGreaterThan(0)
  })

  it('keeps the client key from the upstream and the channel key and internal address from the client', async () => {
    f.upstream.clearRequests()
    const r = await post(f, '/v1/chat/completions', chat(MODELS.openai), {
      'x-fake-scenario': 'echo-headers',
      cookie: 'session=abc',
      'x-forwarded-for': '10.0.0.1',
      'anthropic-beta': 'tools-2024',
    })
    expect(r.status).toBe(200)
    const seen = f.upstream.requests.at(-1)!
    expect(JSON.stringify(seen.headers)).not.toContain(f.key)
    expect(seen.headers.authorization).toBe('Bearer sk-upstream-openai-canary-7Hq2')
    expect(seen.headers.cookie).toBeUndefined()
    expect(seen.headers['x-forwarded-for']).toBeUndefined()
    expect(seen.headers['anthropic-beta']).toBe('tools-2024')
    expect(seen.headers['accept-encoding']).toBe('gzip, br')
    // The echo of the upstream's received headers reaches the client: that is the fake's content, not ours.
    // Error paths must not leak: a 500 quoting the key, a 400 quoting it, and a connection failure.
    for (const scenario of ['status:500', 'status:400', 'html-502']) {
      const e = await post(f, '/v1/chat/completions', chat(MODELS.openai), { 'x-fake-scenario': scenario })
      expect(e.status).toBeGreaterThanOrEqual(400)
      expect(e.text + JSON.stringify(e.headers)).not.toMatch(/canary|127\.0\.0\.1|<html/i)
    }
    const logs = f.t.logs.join('\n')
    expect(logs).not.toContain(f.key)
    expect(logs).not.toContain('sk-upstream-openai-canary-7Hq2')
  })

  it('issue 15 defect 8: keeps org/project choice, Connection-named and client-address headers from the provider', async () => {
    const model = 'org-header-model'
    const g = await f.t.inject({
      method: 'POST',
      url: '/admin/groups',
      headers: { authorization: `Bearer ${f.adminJwt}` },
      payload: { name: 'g-org', priority: 1, all_visible: true },
    })
    const gid = (g.json() as { id: string }).id
    await f.addChannel(
      {
        name: 'org-channel',
        provider: 'openai',
        base_url: `${f.upstream.url}/v1`,
        api_key: 'sk-org-channel-canary-4444',
        models: [model],
        extra_headers: { 'OpenAI-Organization': 'org-operator', 'OpenAI-Project': 'proj-operator' },
      },
      gid,
    )
    const clientHeaders: Record<string, string> = {
      authorization: `Bearer ${f.key}`,
      'content-type': 'application/json',
      'x-fake-scenario': 'echo-headers',
      'openai-organization': 'org-attacker',
      'openai-project': 'proj-attacker',
      connection: 'keep-alive, x-hop-secret, X-Other-Hop',
      'x-hop-secret': 'hop-1',
      'x-other-hop': 'hop-2',
      'true-client-ip': '203.0.113.7',
      'cf-connecting-ip': '203.0.113.8',
      'cf-connecting-ipv6': '2001:db8::8',
      'x-client-ip': '203.0.113.9',
      'x-real-ip': '203.0.113.10',
      forwarded: 'for=203.0.113.11',
      'x-cluster-client-ip': '203.0.113.12',
      'fastly-client-ip': '203.0.113.13',
      'x-original-forwarded-for': '203.0.113.14',
      'openai-beta': 'assistants=v2',
    }
    // undici refuses a Connection header naming other headers; node:http sends it as a client would.
    const send = (body: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(
          `${f.gateway}/v1/chat/completions`,
          { method: 'POST', headers: { ...clientHeaders, 'content-length': Buffer.byteLength(body) } },
          (res) => {
            res.resume()
            res.on('end', () => resolve(res.statusCode ?? 0))
          },
        )
        req.on('error', reject)
        req.end(body)
      })

    for (const [label, m] of [
      ['default channel', MODELS.openai],
      ['channel with extra headers', model],
    ] as const) {
      f.upstream.clearRequests()
      expect(await send(chat(m)), label).toBe(200)
      const seen = f.upstream.requests.at(-1)!.headers
      const names = Object.keys(seen)
      for (const h of [
        'x-hop-secret',
        'x-other-hop',
        'true-client-ip',
        'cf-connecting-ip',
        'cf-connecting-ipv6',
        'x-client-ip',
        'x-real-ip',
        'forwarded',
        'x-cluster-client-ip',
        'fastly-client-ip',
        'x-original-forwarded-for',
      ])
        expect(names, `${label}: ${h}`).not.toContain(h)
      expect(JSON.stringify(seen), label).not.toMatch(/attacker|203\.0\.113|2001:db8|hop-\d/)
      expect(seen['openai-beta'], label).toBe('assistants=v2')
      if (m === model) {
        // The operator's own choice, set on the channel, still reaches the provider.
        expect(seen['openai-organization']).toBe('org-operator')
        expect(seen['openai-project']).toBe('proj-operator')
      } else {
        expect(seen['openai-organization']).toBeUndefined()
        expect(seen['openai-project']).toBeUndefined()
      }
    }
  })

  it('never lets the body or a redirect point the gateway at another host', async () => {
    const other = await startFakeUpstream()
    try {
      const body = chat(MODELS.openai, {
        api_base: other.url,
        base_url: other.url,
        extra_body: { base_url: other.url },
        metadata: { api_base: other.url },
      })
      const r = await post(f, '/v1/chat/completions', body, {
        'x-custom-host': other.url,
        'x-portkey-custom-host': other.url,
      })
      expect(r.status).toBe(200)
      const redirected = await post(f, '/v1/chat/completions', chat(MODELS.openai), {
        'x-fake-scenario': 'redirect',
      })
      expect(redirected.status).toBe(502)
      expect(redirected.headers.location).toBeUndefined()
      expect(other.requests).toHaveLength(0)
      expect(f.upstream.requests.some((x) => x.path.includes('redirect-target'))).toBe(false)
    } finally {
      await other.close()
    }
  })

  it('refuses unknown keys, frozen keys, disallowed models and junk bodies in the client protocol', async () => {
    expect(
      (
        await post(f, '/v1/chat/completions', chat(), {
          authorization: 'Bearer sk-unknown-key-0000000000000000000',
        })
      ).status,
    ).toBe(401)
    const anth = await request(`${f.gateway}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'sk-nope-nope-nope-nope-nope', 'content-type': 'application/json' },
      body: '{}',
    })
    expect(anth.statusCode).toBe(401)
    expect(await anth.body.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } })
    const gem = await request(
      `${f.gateway}/v1beta/models/${MODELS.gemini}:generateContent?key=sk-nope-nope-nope-nope-nope`,
      { method: 'POST', body: '{}' },
    )
    expect(gem.statusCode).toBe(401)
    expect(await gem.body.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } })
    expect((await post(f, '/v1/chat/completions', '{"model":')).status).toBe(400)
    expect((await post(f, '/v1/chat/completions', chat('../../v1/files'))).status).toBe(400)
    expect((await post(f, '/v1/chat/completions', chat('no-such-model'))).status).toBe(404)
    const limited = await f.createKey({ allowed_models: [MODELS.anthropic] })
    expect(
      (await post(f, '/v1/chat/completions', chat(), { authorization: `Bearer ${limited}` })).status,
    ).toBe(403)
    const frozen = await f.createKey()
    const list = await f.t.inject({
      method: 'GET',
      url: '/user/tokens',
      headers: { authorization: `Bearer ${f.userJwt}` },
    })
    const id = (list.json() as { data: { id: string }[] }).data[0].id
    await f.t.inject({
      method: 'POST',
      url: `/user/tokens/${id}/freeze`,
      headers: { authorization: `Bearer ${f.userJwt}` },
    })
    const fr = await post(f, '/v1/chat/completions', chat(), { authorization: `Bearer ${frozen}` })
    expect(fr.status).toBe(403)
    expect(fr.text).toContain('frozen')
  })
})
