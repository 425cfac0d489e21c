import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProxyFixture, waitForOutcomes, MODELS, type ProxyFixture } from '../support/proxy-fixture.ts'
import { buildTestApp, bearer, type TestApp } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { toBig, toNum } from '../../src/infra/db/convert-row-values.ts'
import type { AddressInfo } from 'node:net'
import { startGateway, type RunningGateway } from '../e2e/support/gateway.ts'
import type { DbKind } from '../../src/infra/db/create-db.ts'
import type { HoldsKept } from '../../src/infra/db/claim-sqlite-holds.ts'

const kinds = await testDbKinds()
const PRICE_MODEL = 'priced-model'
/** $1000 per 1M output tokens = 1,000,000 nano-USD per token; input is free, so the estimate is exact. */
const OUT_PRICE_USD = 1000

/**
 * Every database with its holds in rows, from two gateways at once; and SQLite with them in memory, which only one
 * process may do (claim-sqlite-holds.ts): that burst goes to the one gateway.
 */
const modes: [DbKind, HoldsKept][] = [
  ...kinds.map((k): [DbKind, HoldsKept] => [k, 'database']),
  ['sqlite', 'memory'],
]

describe.each(modes)('admission by reservation under a burst (%s, holds in the %s)', (kind, holdsKept) => {
  let f: ProxyFixture
  let second: TestApp | undefined
  let secondProcess: RunningGateway | undefined
  let secondUrl: string
  let outputTokens: number

  beforeAll(async () => {
    f = await startProxyFixture(kind, { holdsKept })
    expect(f.t.proxy.billing.memoryHolds !== null).toBe(holdsKept === 'memory')
    if (holdsKept === 'memory') {
      // A second gateway on this file is refused (claim-sqlite-holds.test.ts): the one gateway takes the burst.
      secondUrl = f.gateway
    } else if (kind === 'postgres') {
      // A second gateway process (`src/main.ts`, as `npm start` runs it) on the same database and secrets.
      secondProcess = await startGateway({
        DATABASE_URL: f.t.tdb.url,
        JWT_SECRET: f.t.secrets.jwt,
        ENCRYPTION_KEY: f.t.secrets.encryptionKey,
      })
      secondUrl = secondProcess.url
    } else {
      // SQLite is one process's embedded database: a second instance with its own connection instead.
      second = await buildTestApp(kind, { shared: f.t })
      await second.app.listen({ port: 0, host: '127.0.0.1' })
      secondUrl = `http://127.0.0.1:${(second.app.server.address() as AddressInfo).port}`
    }
    await f.t.inject({
      method: 'PATCH',
      url: `/admin/channels/${f.channels.openai}`,
      headers: bearer(f.adminJwt),
      payload: { models: [MODELS.openai, PRICE_MODEL] },
    })
    for (const [unit, price] of [
      ['output_token', OUT_PRICE_USD],
      ['input_token', 0],
    ] as const) {
      const r = await f.t.inject({
        method: 'POST',
        url: '/admin/prices',
        headers: bearer(f.adminJwt),
        payload: { model_name: PRICE_MODEL, unit, price_per_unit: price },
      })
      expect(r.statusCode).toBe(201)
    }
    // Learn how many output tokens the fake upstream reports for this prompt, so max_tokens makes estimate = cost.
    await f.t.inject({
      method: 'PATCH',
      url: '/admin/users/user',
      headers: bearer(f.adminJwt),
      payload: { quota_usd: null },
    })
    const probe = await call(f.gateway, f.key, 1_000_000)
    expect(probe.status).toBe(200)
    outputTokens = (JSON.parse(probe.text) as { usage: { completion_tokens: number } }).usage
      .completion_tokens
    expect(outputTokens).toBeGreaterThan(0)
  })
  afterAll(async () => {
    await second?.close()
    await secondProcess?.stop()
    await f?.close()
  })

  async function call(base: string, key: string, maxTokens: number) {
    const res = await request(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: PRICE_MODEL,
        max_tokens: maxTokens,
        messages: [{ role: 'user', content: 'x' }],
      }),
    })
    return { status: res.statusCode, text: await res.body.text() }
  }

  async function moneyOf(username: string) {
    const db = f.t.tdb.db.db
    const u = await db
      .selectFrom('users')
      .select(['quota_nano', 'reserved_nano', 'used_nano'])
      .where('username', '=', username)
      .executeTakeFirstOrThrow()
    const settled = await db
      .selectFrom('usage_logs')
      .select((eb) => [eb.fn.sum<string>('cost_nano').as('s'), eb.fn.countAll<string>().as('n')])
      .where('username', '=', username)
      .where('model', '=', PRICE_MODEL)
      // The admitted requests' rows: a refused one has its own row too, at zero cost (issue 19, Logs).
      .where('status', '=', 200)
      .executeTakeFirstOrThrow()
    const ledger = await db
      .selectFrom('balance_ledger')
      .select((eb) => eb.fn.sum<string>('amount_nano').as('s'))
      .where('username', '=', username)
      .where('kind', '=', 'settle')
      .executeTakeFirstOrThrow()
    return {
      balance: toBig(u.quota_nano),
      // Held in rows (reserved_nano) or in the gateway's memory: either must be 0 once all have settled.
      reserved: toBig(u.reserved_nano) + (f.t.proxy.billing.memoryHolds?.heldByUser(username) ?? 0n),
      settled: toBig(settled.s),
      rows: toNum(settled.n),
      ledger: toBig(ledger.s),
    }
  }

  it('admits exactly as many requests as the balance covers, from two gateways at once (two processes on PostgreSQL)', async () => {
    const perRequest = BigInt(outputTokens) * 1_000_000n
    await f.t.createUser('burst', 'burst-password', 'user', 0)
    const start = perRequest * 5n
    await f.t.tdb.db.db
      .updateTable('users')
      .set({ quota_nano: start })
      .where('username', '=', 'burst')
      .execute()
    const jwt = await f.t.login('burst', 'burst-password')
    const key = (
      (
        await f.t.inject({
          method: 'POST',
          url: '/user/tokens',
          headers: bearer(jwt),
          payload: { name: 'b' },
        })
      ).json() as { key: string }
    ).key
    const before = f.outcomes.length
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call(i % 2 ? secondUrl : f.gateway, key, outputTokens)),
    )
    const statuses = results.map((r) => r.status)
    expect(statuses.filter((s) => s === 200)).toHaveLength(5)
    expect(statuses.filter((s) => s === 402)).toHaveLength(45)
    const refused = results.find((r) => r.status === 402)!
    expect(JSON.parse(refused.text)).toMatchObject({ error: { type: 'insufficient_quota' } })
    await waitForOutcomes(f, before + Math.ceil(50 / 2) - 5) // the first instance's share has settled
    // The other gateway's settlements land on their own schedule: wait for all five (or fail on the counts below).
    let m = await moneyOf('burst')
    for (let i = 0; i < 50 && (m.rows < 5 || m.reserved !== 0n); i++) {
      await new Promise((r) => setTimeout(r, 100))
      m = await moneyOf('burst')
    }
    expect(m.rows).toBe(5)
    expect(m.reserved).toBe(0n)
    expect(m.settled).toBe(perRequest * 5n)
    expect(m.balance + m.settled).toBe(start)
    expect(-m.ledger).toBe(m.settled)
    expect(m.balance).toBe(0n)
  })

  it("caps a key's spend the same way", async () => {
    const perRequest = BigInt(outputTokens) * 1_000_000n
    const capUsd = Number(perRequest * 3n) / 1e9
    const key = await f.createKey({ quota_usd: capUsd })
    await f.t.inject({
      method: 'PATCH',
      url: '/admin/users/user',
      headers: bearer(f.adminJwt),
      payload: { quota_usd: null },
    })
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call(i % 2 ? secondUrl : f.gateway, key, outputTokens)),
    )
    expect(results.filter((r) => r.status === 200)).toHaveLength(3)
    expect(results.filter((r) => r.status === 402)).toHaveLength(27)
    const capped = () =>
      f.t.tdb.db.db
        .selectFrom('tokens')
        .select(['id', 'used_nano', 'reserved_nano', 'quota_nano'])
        .where('quota_nano', '=', perRequest * 3n)
        .executeTakeFirstOrThrow()
    // Held in rows (reserved_nano) or in the gateway's memory, until each settlement lands.
    const held = (t: Awaited<ReturnType<typeof capped>>) =>
      toBig(t.reserved_nano) + (f.t.proxy.billing.memoryHolds?.heldByKey(t.id) ?? 0n)
    let tok = await capped()
    for (let i = 0; i < 50 && held(tok) !== 0n; i++) {
      await new Promise((r) => setTimeout(r, 100))
      tok = await capped()
    }
    expect(toBig(tok.used_nano)).toBe(perRequest * 3n)
    expect(held(tok)).toBe(0n)
  })

  it('lets a settled overshoot take the balance negative, then refuses with 402', async () => {
    const model = 'overshoot-model'
    await f.t.inject({
      method: 'PATCH',
      url: `/admin/channels/${f.channels.openai}`,
      headers: bearer(f.adminJwt),
      payload: { models: [MODELS.openai, PRICE_MODEL, model] },
    })
    for (const unit of ['input_token', 'output_token']) {
      await f.t.inject({
        method: 'POST',
        url: '/admin/prices',
        headers: bearer(f.adminJwt),
        payload: { model_name: model, unit, price_per_unit: 1000 },
      })
    }
    const body = JSON.stringify({ model, max_tokens: 1, messages: [{ role: 'user', content: 'x' }] })
    // The admission estimate (docs/architecture.md, *Money › Pricing*): ⌈bytes/4⌉ input tokens + max_tokens
    // output tokens, at 1,000,000 nano-USD each.
    const estimate = BigInt(Math.ceil(Buffer.byteLength(body) / 4) + 1) * 1_000_000n
    await f.t.createUser('over', 'over-password', 'user', 0)
    await f.t.tdb.db.db
      .updateTable('users')
      .set({ quota_nano: estimate })
      .where('username', '=', 'over')
      .execute()
    const jwt = await f.t.login('over', 'over-password')
    const key = (
      (
        await f.t.inject({
          method: 'POST',
          url: '/user/tokens',
          headers: bearer(jwt),
          payload: { name: 'o' },
        })
      ).json() as { key: string }
    ).key
    const send = () =>
      request(`${f.gateway}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
      })
    const n = f.outcomes.length
    const first = await send()
    await first.body.text()
    expect(first.statusCode).toBe(200)
    await waitForOutcomes(f, n + 1)
    const cost = f.outcomes.at(-1)!.settlement!.costNano
    // The fake upstream reports ~1000 prompt tokens, far more than the estimate: a real overshoot.
    expect(cost).toBeGreaterThan(estimate)
    const m = await moneyOf('over')
    expect(m.balance).toBe(estimate - cost)
    expect(m.balance < 0n).toBe(true)
    const again = await send()
    expect(again.statusCode).toBe(402)
    expect(await again.body.json()).toMatchObject({ error: { type: 'insufficient_quota' } })
  })
})
