import type { AddressInfo } from 'node:net'
import { buildTestApp, bearer, type TestApp, type TestAppOptions } from './build-test-app.ts'
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/start-fake-upstream.ts'
import type { DbKind } from '../../src/infra/db/create-db.ts'
import type { ProxyOutcome } from '../../src/proxy/handle-proxy-request.ts'

export interface ProxyFixture {
  t: TestApp
  upstream: FakeUpstream
  /** http://127.0.0.1:PORT of the listening gateway. */
  gateway: string
  adminJwt: string
  userJwt: string
  /** A key of the user, bound to nothing (routes through all-visible groups). */
  key: string
  groupId: string
  channels: Record<'openai' | 'anthropic' | 'gemini', string>
  outcomes: ProxyOutcome[]
  createKey(body?: Record<string, unknown>): Promise<string>
  addChannel(body: Record<string, unknown>, groupId?: string): Promise<string>
  close(): Promise<void>
}

export const MODELS = {
  openai: 'gpt-4o-mini',
  anthropic: 'claude-sonnet-5-5',
  gemini: 'gemini-2.5-flash',
  embed: 'text-embedding-3-small',
  gembed: 'gemini-embedding-001',
}

/** A listening gateway with one channel per provider pointing at one fake upstream, one group, one user. */
export async function startProxyFixture(
  kind: DbKind = 'sqlite',
  opts: TestAppOptions & { upstream?: FakeUpstream } = {},
): Promise<ProxyFixture> {
  const upstream = opts.upstream ?? (await startFakeUpstream())
  const outcomes: ProxyOutcome[] = []
  const t = await buildTestApp(kind, { ...opts, onProxyFinished: (o) => outcomes.push(o) })
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  const gateway = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
  await t.createUser('admin', 'admin-password', 'superadmin')
  await t.createUser('user', 'user-password', 'user', 100)
  const adminJwt = await t.login('admin', 'admin-password')
  const userJwt = await t.login('user', 'user-password')
  const api = async (method: string, url: string, jwt: string, payload?: unknown) => {
    const res = await t.inject({
      method: method as 'POST',
      url,
      headers: bearer(jwt),
      payload: payload as object,
    })
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
    return res.json() as Record<string, unknown>
  }
  const group = await api('POST', '/admin/groups', adminJwt, {
    name: 'main',
    priority: 10,
    all_visible: true,
  })
  const groupId = group.id as string
  const addChannel = async (body: Record<string, unknown>, gid = groupId) => {
    const ch = await api('POST', '/admin/channels', adminJwt, body)
    await api('POST', `/admin/groups/${gid}/channels/${ch.id as string}`, adminJwt)
    return ch.id as string
  }
  const channels = {
    openai: await addChannel({
      name: 'openai',
      provider: 'openai',
      base_url: `${upstream.url}/v1`,
      api_key: 'sk-upstream-openai-canary-7Hq2',
      models: [
        MODELS.openai,
        MODELS.embed,
        'gpt-image-1',
        'whisper-1',
        'tts-1',
        'omni-moderation-latest',
        'gpt-5',
      ],
      model_mapping: { 'gpt-alias': MODELS.openai },
    }),
    anthropic: await addChannel({
      name: 'anthropic',
      provider: 'anthropic',
      base_url: `${upstream.url}/v1`,
      api_key: 'sk-ant-upstream-canary-9Kd3',
      models: [MODELS.anthropic],
    }),
    gemini: await addChannel({
      name: 'gemini',
      provider: 'gemini',
      base_url: `${upstream.url}/v1beta`,
      api_key: 'AIzaUpstreamGeminiCanary0123456789abcdef',
      models: [MODELS.gemini, MODELS.gembed],
    }),
  }
  const createKey = async (body: Record<string, unknown> = {}) =>
    (await api('POST', '/user/tokens', userJwt, { name: 'k', ...body })).key as string
  const key = await createKey()
  return {
    t,
    upstream,
    gateway,
    adminJwt,
    userJwt,
    key,
    groupId,
    channels,
    outcomes,
    createKey,
    addChannel,
    close: async () => {
      await t.close()
      if (!opts.upstream) await upstream.close()
    },
  }
}

/** Waits until the gateway has finished (settled) `n` proxied requests. */
export async function waitForOutcomes(f: ProxyFixture, n: number, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (f.outcomes.length < n) {
    if (Date.now() > until) throw new Error(`only ${f.outcomes.length} of ${n} requests finished`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** Prices a model through the admin API, one unit at a time (`input_token`, `output_token`, …, USD per unit). */
export async function priceModel(
  f: ProxyFixture,
  model: string,
  prices: Record<string, number>,
): Promise<void> {
  for (const [unit, price] of Object.entries(prices)) {
    const r = await f.t.inject({
      method: 'POST',
      url: '/admin/prices',
      headers: bearer(f.adminJwt),
      payload: { model_name: model, unit, price_per_unit: price },
    })
    if (r.statusCode !== 201) throw new Error(`pricing ${model} ${unit}: ${r.statusCode} ${r.body}`)
  }
}
