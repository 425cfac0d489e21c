import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { isIP } from 'node:net'
import { request } from 'undici'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startProxyFixture, waitForOutcomes, type ProxyFixture } from '../support/proxy-fixture.ts'
import { bearer } from '../support/build-test-app.ts'
import type { ResolveHost } from '../../src/services/channels/check-upstream-address.ts'

/**
 * A DNS server the test controls: each name answers what `answers` says now, so a name can answer a loopback
 * address when the channel is saved and a metadata address when the gateway connects (DNS rebinding).
 */
function playDns() {
  const answers = new Map<string, string[]>()
  const asked: string[] = []
  const resolve: ResolveHost = async (host) => {
    asked.push(host)
    const list = answers.get(host)
    if (!list) throw Object.assign(new Error(`queryA ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
    return list.map((address) => ({ address, family: isIP(address) }))
  }
  return { answers, asked, resolve }
}

/** Records every connection and CONNECT tunnel it receives: the stand-in for whatever sits at a refused address. */
async function startCaptureServer() {
  const seen: string[] = []
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)}`)
    res.end('{}')
  })
  server.on('connect', (req, socket) => {
    seen.push(`CONNECT ${req.url} ${JSON.stringify(req.headers)}`)
    socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n')
  })
  server.on('connection', () => seen.push('tcp'))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  return { seen, port, close: () => new Promise<void>((r) => server.close(() => r())) }
}

describe('issue 15 defect 7: channel addresses are checked by resolved address, at save and at connect time', () => {
  const dns = playDns()
  let f: ProxyFixture
  let capture: Awaited<ReturnType<typeof startCaptureServer>>
  let n = 0

  beforeAll(async () => {
    f = await startProxyFixture('sqlite', { resolveUpstreamHost: dns.resolve })
    capture = await startCaptureServer()
  })
  afterAll(async () => {
    await f?.close()
    await capture?.close()
  })
  beforeEach(() => {
    dns.answers.clear()
    dns.asked.length = 0
  })

  const admin = (method: 'POST' | 'PATCH', url: string, payload: unknown) =>
    f.t.inject({ method, url, headers: bearer(f.adminJwt), payload: payload as object })

  const channel = (over: Record<string, unknown> = {}) => ({
    name: `addr-${++n}`,
    provider: 'openai',
    base_url: `${f.upstream.url}/v1`,
    api_key: 'sk-address-policy-canary-5Jw8',
    models: [`addr-model-${n}`],
    ...over,
  })

  async function chat(model: string) {
    const res = await request(`${f.gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    })
    return { status: res.statusCode, text: await res.body.text() }
  }

  async function lastError(id: string): Promise<string | null> {
    for (let i = 0; i < 100; i++) {
      const row = await f.t.tdb.db.db
        .selectFrom('channels')
        .select('last_error')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      if (row.last_error) return row.last_error
      await new Promise((r) => setTimeout(r, 20))
    }
    return null
  }

  const refusedBaseUrls = [
    'http://169.254.169.254/v1',
    'http://0xa9fea9fe/v1',
    'http://169.254.169.254./v1',
    'http://[::ffff:a9fe:a9fe]/v1',
    'http://[64:ff9b::a9fe:a9fe]/v1',
    'http://[2002:a9fe:a9fe::]/v1',
    'http://[::a9fe:a9fe]/v1',
    'http://[fe80::1]/v1',
    'http://[fd00:ec2::254]/v1',
    'http://100.100.100.200/v1',
    'http://metadata.google.internal/v1',
    'http://METADATA.google.internal./v1',
    'http://rebound.test/v1',
    'http://aaaa-only.test/v1',
    'http://does-not-resolve.test/v1',
  ]

  it.each(refusedBaseUrls)('refuses base_url %s at save time with a 400 naming base_url', async (url) => {
    dns.answers.set('rebound.test', ['10.0.0.5', '169.254.169.254'])
    dns.answers.set('aaaa-only.test', ['64:ff9b::a9fe:a9fe'])
    const created = await admin('POST', '/admin/channels', channel({ base_url: url }))
    expect(created.statusCode, created.body).toBe(400)
    expect(created.body).toContain('base_url')
    const ok = (await admin('POST', '/admin/channels', channel())).json() as { id: string }
    const patched = await admin('PATCH', `/admin/channels/${ok.id}`, {
      base_url: url,
      api_key: 'sk-new-key-1',
    })
    expect(patched.statusCode, patched.body).toBe(400)
    expect(patched.body).toContain('base_url')
  })

  it.each([
    'http://169.254.169.254:3128',
    'http://[::ffff:169.254.169.254]:3128',
    'http://[fe80::1]:3128',
    'http://metadata.google.internal:80',
    'http://proxy-does-not-resolve.test:3128',
  ])('refuses proxy_url %s at save time with a 400 naming proxy_url', async (proxy) => {
    const created = await admin('POST', '/admin/channels', channel({ proxy_url: proxy }))
    expect(created.statusCode, created.body).toBe(400)
    expect(created.body).toContain('proxy_url')
    const ok = (await admin('POST', '/admin/channels', channel())).json() as { id: string }
    const patched = await admin('PATCH', `/admin/channels/${ok.id}`, {
      proxy_url: proxy,
      api_key: 'sk-new-key-2',
    })
    expect(patched.statusCode, patched.body).toBe(400)
    expect(patched.body).toContain('proxy_url')
  })

  it('accepts private, LAN and loopback addresses (a vLLM or Ollama next door)', async () => {
    dns.answers.set('vllm.lan.test', ['192.168.1.20'])
    dns.answers.set('ollama.lan.test', ['fc00::20', '10.0.0.20'])
    for (const url of [
      'http://127.0.0.1:11434/v1',
      'http://[::1]:11434/v1',
      'http://vllm.lan.test:8000/v1',
      'http://ollama.lan.test:11434/v1',
      'http://100.64.1.1/v1',
    ]) {
      const res = await admin('POST', '/admin/channels', channel({ base_url: url }))
      expect(res.statusCode, `${url}: ${res.body}`).toBe(201)
    }
  })

  it('checks the address again at connect time: a name that rebinds to 169.254.169.254 gets 502 and no connection', async () => {
    const port = new URL(f.upstream.url).port
    dns.answers.set('rebind.test', ['127.0.0.1'])
    const created = await admin(
      'POST',
      '/admin/channels',
      channel({ base_url: `http://rebind.test:${port}/v1` }),
    )
    expect(created.statusCode, created.body).toBe(201)
    const { id, models } = created.json() as { id: string; models: string[] }
    await admin('POST', `/admin/groups/${f.groupId}/channels/${id}`, {})

    // The attacker's DNS now answers the metadata address.
    dns.answers.set('rebind.test', ['169.254.169.254'])
    dns.asked.length = 0
    f.upstream.clearRequests()
    const before = f.outcomes.length
    const res = await chat(models[0])
    expect(res.status).toBe(502)
    await waitForOutcomes(f, before + 1)
    // The gateway asked the resolver when it connected, refused the answer, and reached nothing.
    expect(dns.asked).toContain('rebind.test')
    expect(await lastError(id)).toContain('ERR_UPSTREAM_ADDRESS_BLOCKED')
    expect(f.upstream.requests).toHaveLength(0)
    expect(res.text).not.toContain('169.254')
  })

  it('a channel refused at connect time fails over to the next one, as a refused connection does', async () => {
    const port = new URL(f.upstream.url).port
    dns.answers.set('rebind-failover.test', ['127.0.0.1'])
    const model = 'addr-failover-model'
    const ids: string[] = []
    for (const over of [{ base_url: `http://rebind-failover.test:${port}/v1`, weight: 100 }, { weight: 1 }]) {
      const created = await admin('POST', '/admin/channels', channel({ ...over, models: [model] }))
      expect(created.statusCode, created.body).toBe(201)
      ids.push((created.json() as { id: string }).id)
      await admin('POST', `/admin/groups/${f.groupId}/channels/${ids.at(-1)!}`, {})
    }
    dns.answers.set('rebind-failover.test', ['169.254.169.254'])
    dns.asked.length = 0
    for (let i = 0; i < 3; i++) expect((await chat(model)).status).toBe(200)
    // The blocked channel was tried (it weighs 100 to 1) and the request went on to the other one.
    expect(dns.asked).toContain('rebind-failover.test')
  })

  it('refuses a rebound address that would really connect (0.0.0.0 reaches this host): nothing arrives', async () => {
    dns.answers.set('rebind-local.test', ['127.0.0.1'])
    const created = await admin(
      'POST',
      '/admin/channels',
      channel({ base_url: `http://rebind-local.test:${capture.port}/v1` }),
    )
    expect(created.statusCode, created.body).toBe(201)
    const { id, models } = created.json() as { id: string; models: string[] }
    await admin('POST', `/admin/groups/${f.groupId}/channels/${id}`, {})
    dns.answers.set('rebind-local.test', ['0.0.0.0'])
    capture.seen.length = 0

    expect((await chat(models[0])).status).toBe(502)
    // The admin test request goes through the same check.
    const probe = await admin('POST', `/admin/channels/${id}/test`, {})
    expect((probe.json() as { ok?: boolean }).ok ?? false).toBe(false)
    const fetched = await admin('POST', `/admin/channels/${id}/fetch-models`, {})
    expect(fetched.statusCode).toBe(502)
    expect(capture.seen).toEqual([])

    // With an honest answer the same channel works: the resolver is what the connection used.
    dns.answers.set('rebind-local.test', ['127.0.0.1'])
    const again = await admin('POST', `/admin/channels/${id}/test`, {})
    expect(capture.seen.length).toBeGreaterThan(0)
    expect(again.statusCode).toBe(200)
  })

  it('checks a proxy_url at connect time too: a proxy name that rebinds gets no connection', async () => {
    dns.answers.set('proxy-rebind.test', ['127.0.0.1'])
    const created = await admin(
      'POST',
      '/admin/channels',
      channel({ proxy_url: `http://proxy-rebind.test:${capture.port}` }),
    )
    expect(created.statusCode, created.body).toBe(201)
    const { id, models } = created.json() as { id: string; models: string[] }
    await admin('POST', `/admin/groups/${f.groupId}/channels/${id}`, {})

    dns.answers.set('proxy-rebind.test', ['0.0.0.0'])
    capture.seen.length = 0
    f.upstream.clearRequests()
    expect((await chat(models[0])).status).toBe(502)
    const probe = await admin('POST', `/admin/channels/${id}/test`, {})
    expect((probe.json() as { ok?: boolean }).ok ?? false).toBe(false)
    expect(capture.seen).toEqual([])
    expect(f.upstream.requests).toHaveLength(0)

    // Answered honestly, the proxy is used (it receives the tunnel request): the check is not blocking all proxies.
    dns.answers.set('proxy-rebind.test', ['127.0.0.1'])
    await admin('POST', `/admin/channels/${id}/test`, {})
    expect(capture.seen.some((s) => s.startsWith('CONNECT '))).toBe(true)
  })
})
