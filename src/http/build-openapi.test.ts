import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { z } from 'zod'
import {
  startProxyFixture,
  MODELS,
  waitForOutcomes,
  type ProxyFixture,
} from '../../test/support/proxy-fixture.ts'
import { bearer } from '../../test/support/build-test-app.ts'
import { testDbKinds } from '../../test/support/test-databases.ts'
import type { RouteDef } from './define-route.ts'

const kinds = await testDbKinds()

interface Operation {
  responses: Record<string, { description: string; content?: Record<string, { schema?: unknown }> }>
}

describe.each(kinds)('route response schemas (%s)', (kind) => {
  let f: ProxyFixture
  const byRoute = new Map<string, RouteDef>()

  beforeAll(async () => {
    f = await startProxyFixture(kind)
    for (const r of f.t.routes as RouteDef[]) byRoute.set(`${r.method} ${r.url}`, r)
    // Traffic, so the logs and statistics answer with rows rather than empty lists.
    const res = await fetch(`${f.gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(res.status).toBe(200)
    await waitForOutcomes(f, 1)
  })
  afterAll(async () => f?.close())

  it('every route in /openapi.json documents its success answer with a schema (204: no content)', async () => {
    const res = await f.t.inject({ method: 'GET', url: '/openapi.json' })
    const doc = res.json() as { paths: Record<string, Record<string, Operation>> }
    const undocumented: string[] = []
    let count = 0
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        count++
        const [status, success] = Object.entries(op.responses).find(([s]) => /^2\d\d$/.test(s)) ?? []
        const documented =
          status === '204' || Object.values(success?.content ?? {}).some((c) => c.schema !== undefined)
        if (!documented) undocumented.push(`${method.toUpperCase()} ${path}`)
      }
    }
    expect(count).toBeGreaterThan(30)
    expect(undocumented).toEqual([])
  })

  /** Calls a route; the problems are a missing schema, a failed call, or the answer's mismatches with its schema. */
  async function check(method: string, route: string, url: string, jwt: string, payload?: object) {
    const def = byRoute.get(`${method} ${route}`)
    if (!def?.response) return { body: {}, problems: [`${method} ${route}: no response schema`] }
    const res = await f.t.inject({ method: method as 'GET', url, headers: bearer(jwt), payload })
    if (res.statusCode >= 300)
      return { body: {}, problems: [`${method} ${url}: ${res.statusCode} ${res.body}`] }
    const body: unknown = def.response.description === 'text/csv' ? res.body : res.json()
    const parsed = (def.response as z.ZodType).safeParse(body)
    const problems = parsed.success
      ? []
      : parsed.error.issues.map((i) => `${method} ${url} ${i.path.join('.')}: ${i.message}`)
    return { body: body as Record<string, unknown>, problems }
  }

  async function expectValid(method: string, route: string, url: string, jwt: string, payload?: object) {
    const { body, problems } = await check(method, route, url, jwt, payload)
    expect(problems).toEqual([])
    return body
  }

  it('every list and read route without path parameters answers in its declared shape', async () => {
    const reads = (f.t.routes as RouteDef[]).filter((r) => r.method === 'GET' && !r.url.includes(':'))
    expect(reads.length).toBeGreaterThan(20)
    const problems: string[] = []
    for (const r of reads) {
      const jwt = r.auth === 'admin' || r.auth === 'superadmin' ? f.adminJwt : f.userJwt
      problems.push(...(await check('GET', r.url, r.url, jwt)).problems)
    }
    expect(problems).toEqual([])
  })

  it('the answers the dashboard reads most (keys, users, channels, groups, prices, vouchers, logs) keep their fields', async () => {
    const key = await expectValid('POST', '/user/tokens', '/user/tokens', f.userJwt, { name: 'schema-key' })
    expect(key.key).toMatch(/^sk-/)
    await expectValid('GET', '/user/tokens/:id', `/user/tokens/${String(key.id)}`, f.userJwt)
    await expectValid(
      'POST',
      '/admin/tokens/:id/freeze',
      `/admin/tokens/${String(key.id)}/freeze`,
      f.adminJwt,
    )
    const logs = await expectValid('GET', '/admin/logs', '/admin/logs', f.adminJwt)
    expect((logs.data as unknown[]).length).toBeGreaterThan(0)
    await expectValid('GET', '/admin/users/:username', '/admin/users/user', f.adminJwt)
    await expectValid('PATCH', '/admin/users/:username', '/admin/users/user', f.adminJwt, { quota_usd: 50 })
    await expectValid('GET', '/admin/users/:username/groups', '/admin/users/user/groups', f.adminJwt)
    await expectValid('GET', '/admin/channels/:id', `/admin/channels/${f.channels.openai}`, f.adminJwt)
    await expectValid('GET', '/admin/groups/:id/channels', `/admin/groups/${f.groupId}/channels`, f.adminJwt)
    await expectValid('POST', '/admin/rate-limits', '/admin/rate-limits', f.adminJwt, {
      group_id: f.groupId,
      window_sec: 60,
      limit_type: 'request_limit',
      value: 1000,
    })
    const status = await expectValid('GET', '/auth/my-status', '/auth/my-status', f.userJwt)
    expect((status.groups as unknown[]).length).toBeGreaterThan(0)
    await expectValid('POST', '/admin/prices', '/admin/prices', f.adminJwt, {
      model_name: 'schema-model',
      unit: 'input_token',
      price_per_unit: 1,
    })
    const one = await expectValid('POST', '/admin/vouchers', '/admin/vouchers', f.adminJwt, { amount_usd: 1 })
    await expectValid('POST', '/admin/vouchers', '/admin/vouchers', f.adminJwt, { amount_usd: 1, count: 2 })
    await expectValid('POST', '/user/vouchers/redeem', '/user/vouchers/redeem', f.userJwt, {
      code: one.code as string,
    })
  })
})
