import { randomBytes } from 'node:crypto'
import { request } from 'undici'
import { afterAll, describe, expect, it } from 'vitest'
import { startProxyFixture, type ProxyFixture } from '../support/proxy-fixture.ts'
import { loadConfig } from '../../src/config/load-config.ts'

/** FAILOVER_ATTEMPTS (README, configuration): how many channels one request may try; it was a constant 3. */
describe('issue 18: FAILOVER_ATTEMPTS bounds the channels one request tries', () => {
  const fixtures: ProxyFixture[] = []
  afterAll(async () => {
    for (const f of fixtures) await f.close()
  })

  async function failingGroup(f: ProxyFixture, model: string, channels: number) {
    const g = await f.t.inject({
      method: 'POST',
      url: '/admin/groups',
      headers: { authorization: `Bearer ${f.adminJwt}` },
      payload: { name: `g-${model}`, priority: 1, all_visible: true },
    })
    const gid = (g.json() as { id: string }).id
    for (let i = 0; i < channels; i++) {
      await f.addChannel(
        {
          name: `${model}-${i}`,
          provider: 'openai',
          base_url: `${f.upstream.url}/v1`,
          api_key: `sk-channel-${i}-canary-5555`,
          models: [model],
        },
        gid,
      )
    }
    return f.createKey({ group_id: gid })
  }

  async function triesFor(env: Record<string, string>): Promise<{ status: number; tries: number }> {
    const f = await startProxyFixture('sqlite', { env })
    fixtures.push(f)
    const model = 'failover-count'
    const key = await failingGroup(f, model, 5)
    f.upstream.clearRequests()
    const res = await request(`${f.gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        'x-fake-scenario': 'status:500',
      },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    })
    await res.body.text()
    const tries = f.upstream.requests.filter((r) => r.path.endsWith('/chat/completions')).length
    return { status: res.statusCode, tries }
  }

  it('tries 3 channels by default, as many as FAILOVER_ATTEMPTS says otherwise, and 1 means no failover', async () => {
    expect(await triesFor({})).toMatchObject({ tries: 3 })
    expect(await triesFor({ FAILOVER_ATTEMPTS: '5' })).toMatchObject({ tries: 5 })
    const once = await triesFor({ FAILOVER_ATTEMPTS: '1' })
    expect(once.tries).toBe(1)
    expect(once.status).toBeGreaterThanOrEqual(500)
  })

  it('refuses a value below 1 or above 10 at start, naming the variable', () => {
    for (const bad of ['0', '11', 'many']) {
      // Secrets given, so that a value wrongly accepted cannot make loadConfig generate them into ./data.
      const env = {
        FAILOVER_ATTEMPTS: bad,
        DATABASE_URL: ':memory:',
        JWT_SECRET: randomBytes(32).toString('hex'),
        ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      }
      expect(() => loadConfig(env)).toThrow(/FAILOVER_ATTEMPTS/)
    }
  })
})

/** Gemini answers a wrong channel key with 400 API_KEY_INVALID: the channel's fault, not the client's (SPEC §5.1). */
describe("a Gemini channel's rejected key fails over like a 401", () => {
  let f: ProxyFixture
  afterAll(async () => {
    await f?.close()
  })

  it('tries the next channel, marks the channel unhealthy and answers 502, never the 400', async () => {
    f = await startProxyFixture('sqlite')
    const g = await f.t.inject({
      method: 'POST',
      url: '/admin/groups',
      headers: { authorization: `Bearer ${f.adminJwt}` },
      payload: { name: 'g-bad-gemini-key', priority: 1, all_visible: true },
    })
    const gid = (g.json() as { id: string }).id
    const model = 'gemini-badkey'
    for (const i of [0, 1])
      await f.addChannel(
        {
          name: `gemini-badkey-${i}`,
          provider: 'gemini',
          base_url: `${f.upstream.url}/v1beta`,
          api_key: `gm-wrong-key-${i}`,
          models: [model],
          model_mapping: { [model]: 'sc_bad-key__gemini-2.5-flash' },
        },
        gid,
      )
    const key = await f.createKey({ group_id: gid })
    f.upstream.clearRequests()
    const res = await request(`${f.gateway}/v1beta/models/${model}:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    })
    const body = (await res.body.json()) as { error: { status: string; message: string } }
    expect(f.upstream.requests.filter((r) => r.path.includes(':generateContent'))).toHaveLength(2)
    expect(res.statusCode).toBe(502)
    expect(body.error.message).not.toContain('API key not valid')
    const channels = await f.t.inject({
      method: 'GET',
      url: '/admin/channels',
      headers: { authorization: `Bearer ${f.adminJwt}` },
    })
    const listed = (channels.json() as { data: Array<{ name: string; last_error?: string | null }> }).data
    const bad = listed.filter((c) => c.name.startsWith('gemini-badkey-'))
    expect(bad.map((c) => c.last_error)).toEqual(['upstream 400', 'upstream 400'])
  })
})
