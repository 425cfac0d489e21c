import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProxyFixture, type ProxyFixture } from '../support/proxy-fixture.ts'
import { bearer } from '../support/build-test-app.ts'
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/start-fake-upstream.ts'

const OLD_KEY = 'sk-stored-provider-key-canary-Qm3Zt8'
const NEW_KEY = 'sk-replacement-provider-key-Wv6Lp1'

describe('issue 15 defect 3: changing where a channel sends its key needs the key again, and is audited', () => {
  let f: ProxyFixture
  /** A host of the attacker's: it must never see the stored key. */
  let evil: FakeUpstream
  let id: string
  const model = 'key-destination-model'

  beforeAll(async () => {
    f = await startProxyFixture('sqlite')
    evil = await startFakeUpstream()
    id = await f.addChannel({
      name: 'guarded',
      provider: 'openai',
      base_url: `${f.upstream.url}/v1`,
      api_key: OLD_KEY,
      models: [model],
    })
  })
  afterAll(async () => {
    await f?.close()
    await evil?.close()
  })

  const patch = (body: Record<string, unknown>) =>
    f.t.inject({ method: 'PATCH', url: `/admin/channels/${id}`, headers: bearer(f.adminJwt), payload: body })

  async function useChannel() {
    const probe = await f.t.inject({
      method: 'POST',
      url: `/admin/channels/${id}/test`,
      headers: bearer(f.adminJwt),
      payload: {},
    })
    const res = await request(`${f.gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    })
    await res.body.text()
    return { probe: probe.statusCode, proxied: res.statusCode }
  }

  const carries = (up: FakeUpstream, secret: string) =>
    up.requests.filter((r) => JSON.stringify(r.headers).includes(secret) || r.body.includes(secret))

  it('refuses a new base_url, proxy_url or extra headers without api_key (400 naming api_key); the old key never reaches the new host', async () => {
    const attempts: Record<string, unknown>[] = [
      { base_url: `${evil.url}/v1` },
      { base_url: `${evil.url}/v1`, name: 'renamed' },
      { proxy_url: evil.url },
      { extra_headers: { Host: `127.0.0.1:${evil.port}` } },
      { extra_headers: { 'X-Forward-To': evil.url } },
    ]
    for (const body of attempts) {
      const res = await patch(body)
      expect(res.statusCode, `${JSON.stringify(body)}: ${res.body}`).toBe(400)
      const err = (res.json() as { error: { code: string; message: string; fields: { field: string }[] } })
        .error
      expect(err.code).toBe('validation_error')
      expect(err.message).toContain('api_key')
      expect(err.fields.map((x) => x.field)).toContain('api_key')
    }
    // Nothing was changed, and using the channel still goes to the original host only.
    const after = (
      await f.t.inject({ method: 'GET', url: `/admin/channels/${id}`, headers: bearer(f.adminJwt) })
    ).json() as { base_url: string; proxy_url: string | null; name: string; extra_headers: string[] }
    expect(after).toMatchObject({ base_url: `${f.upstream.url}/v1`, proxy_url: null, name: 'guarded' })
    expect(after.extra_headers).toEqual([])
    expect(await useChannel()).toEqual({ probe: 200, proxied: 200 })
    expect(evil.requests).toHaveLength(0)
    expect(carries(f.upstream, OLD_KEY).length).toBeGreaterThan(0)
  })

  it('allows changes that keep the key where it was: same origin, other fields, dropping a proxy', async () => {
    expect((await patch({ base_url: `${f.upstream.url}/v1/`, weight: 3 })).statusCode).toBe(200)
    expect((await patch({ name: 'guarded', enabled: true, models: [model] })).statusCode).toBe(200)
    expect((await patch({ proxy_url: null })).statusCode).toBe(200)
    expect((await patch({ extra_headers: {} })).statusCode).toBe(200)
  })

  it('moves the channel when the key comes with the change: the new host gets only the new key, and the audit names both hosts', async () => {
    evil.clearRequests()
    const res = await patch({ base_url: `${evil.url}/v1`, api_key: NEW_KEY })
    expect(res.statusCode, res.body).toBe(200)
    expect((res.json() as { api_key: string }).api_key).not.toContain(NEW_KEY)
    expect(await useChannel()).toEqual({ probe: 200, proxied: 200 })
    expect(carries(evil, NEW_KEY).length).toBeGreaterThan(0)
    expect(carries(evil, OLD_KEY)).toHaveLength(0)

    const audit = await f.t.inject({
      method: 'GET',
      url: '/admin/audit?action=channel.update',
      headers: bearer(f.adminJwt),
    })
    const rows = (audit.json() as { data: { target: string; summary: Record<string, unknown> }[] }).data
    const moved = rows.find((r) => r.target === id && r.summary.destination !== undefined)
    expect(moved?.summary.destination).toEqual({
      base_url_host: { from: f.upstream.url, to: evil.url },
    })
    expect(audit.body).not.toContain(OLD_KEY)
    expect(audit.body).not.toContain(NEW_KEY)
  })
})
