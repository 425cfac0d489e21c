import { request } from 'undici'
import { afterAll, describe, expect, it } from 'vitest'
import { bearer } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { MODELS, startProxyFixture, type ProxyFixture } from '../support/proxy-fixture.ts'

const kinds = await testDbKinds()

type Page = { data: Record<string, unknown>[] }

/**
 * Issue 19, item 6: every proxied request's usage row keeps the client's address as the gateway sees it — the
 * socket's peer, or with TRUSTED_PROXIES the address the proxy forwarded — for answered and refused requests alike.
 */
describe.each(kinds)('the client IP of proxied requests (%s)', (kind) => {
  const fixtures: ProxyFixture[] = []
  afterAll(async () => {
    for (const f of fixtures) await f.close()
  })

  async function chat(f: ProxyFixture, model: string, headers: Record<string, string>) {
    const res = await request(`${f.gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    })
    await res.body.text()
    return { status: res.statusCode, id: String(res.headers['x-request-id']) }
  }

  async function ipsOf(f: ProxyFixture, ids: string[], ip: string) {
    const res = await f.t.inject({
      method: 'GET',
      url: `/admin/logs?ip=${encodeURIComponent(ip)}&page_size=100`,
      headers: bearer(f.adminJwt),
    })
    expect(res.statusCode, res.body).toBe(200)
    const rows = (res.json() as Page).data.filter((r) => ids.includes(String(r.request_id)))
    return rows.map((r) => r.client_ip).sort()
  }

  it.each([
    ['no trusted proxy: the socket’s peer, a forwarded header ignored', {}, '127.0.0.1'],
    ['behind a trusted proxy: the forwarded address', { TRUSTED_PROXIES: '127.0.0.1' }, '198.51.100.23'],
  ] as const)('%s', async (_name, env, ip) => {
    const f = await startProxyFixture(kind, { env })
    fixtures.push(f)
    const forwarded = { 'x-forwarded-for': '198.51.100.23' }
    const answered = await chat(f, MODELS.openai, forwarded)
    const refused = await chat(f, 'no-such-model', forwarded)
    expect([answered.status, refused.status]).toEqual([200, 404])
    const ids = [answered.id, refused.id]
    await expect.poll(async () => ipsOf(f, ids, ip), { timeout: 5000 }).toEqual([ip, ip])
    expect(await ipsOf(f, ids, ip === '127.0.0.1' ? '198.51.100.23' : '127.0.0.1')).toEqual([])
  })
})
