import { request } from 'undici'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MODELS, startProxyFixture, waitForOutcomes, type ProxyFixture } from '../support/proxy-fixture.ts'
import { bearer } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { PG_ADMIN_URL } from '../support/services.ts'
import { moneyFixtures, UNIT } from '../support/money-fixtures.ts'
import { toBig, toBigOrNull } from '../../src/infra/db/convert-row-values.ts'
import { createSettlementWriter } from '../../src/billing/settle-usage.ts'
import { redeemVoucher } from '../../src/services/billing/voucher-service.ts'
import { systemClock } from '../../src/infra/clock.ts'
import { chatCompletion, startScriptedUpstream } from './hardening-support.ts'

/**
 * Catalogue group D (docs/security.md): billing races and accounting, #25–#34, on both databases. #22–#24 and #27
 * are shown by test/money/* and test/api/voucher-race.test.ts.
 */
const kinds = await testDbKinds()

describe.each(kinds)('D. billing (%s)', (kind) => {
  let f: ProxyFixture

  beforeAll(async () => {
    f = await startProxyFixture(kind)
    for (const [model, unit, price] of [
      [MODELS.openai, 'input_token', 2],
      [MODELS.openai, 'output_token', 8],
      [MODELS.anthropic, 'input_token', 3],
      [MODELS.anthropic, 'output_token', 15],
    ] as const) {
      const r = await f.t.inject({
        method: 'POST',
        url: '/admin/prices',
        headers: bearer(f.adminJwt),
        payload: { model_name: model, unit, price_per_unit: price },
      })
      expect(r.statusCode).toBe(201)
    }
  })
  afterAll(async () => f?.close())

  const db = () => f.t.tdb.db.db

  async function money(username = 'user') {
    const u = await db()
      .selectFrom('users')
      .select(['quota_nano', 'reserved_nano'])
      .where('username', '=', username)
      .executeTakeFirstOrThrow()
    const ledger = await db()
      .selectFrom('balance_ledger')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('username', '=', username)
      .executeTakeFirstOrThrow()
    const open = await db()
      .selectFrom('reservations')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    return {
      balance: toBigOrNull(u.quota_nano),
      reserved: toBig(u.reserved_nano),
      ledgerRows: Number(ledger.n),
      openReservations: Number(open.n),
    }
  }

  async function send(path: string, body: unknown, headers: Record<string, string> = {}) {
    const res = await request(`${f.gateway}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() }
  }

  const usageRow = (requestId: string) =>
    db().selectFrom('usage_logs').selectAll().where('request_id', '=', requestId).executeTakeFirst()

  it('#25 input the gateway refuses holds nothing; provider errors refund the hold in full, exactly once', async () => {
    const before = await money()
    const limited = await f.createKey({ allowed_models: [MODELS.anthropic] })
    for (const [body, headers, status] of [
      ['{"model":', {}, 400],
      [{ messages: [] }, {}, 400],
      [{ model: '../x', messages: [] }, {}, 400],
      [{ model: 'no-such-model', messages: [] }, {}, 404],
      [{ model: MODELS.openai, messages: [] }, { authorization: `Bearer ${limited}` }, 403],
      [[1, 2], {}, 400],
    ] as const) {
      const r = await send('/v1/chat/completions', body, headers)
      expect(r.status, JSON.stringify(body)).toBe(status)
    }
    expect(await money()).toEqual(before)

    // The provider refuses or fails: the row records it at zero cost and the hold comes back.
    for (const scenario of [
      'status:400',
      'status:404',
      'status:429',
      'status:503',
      'html-502',
      'reset-before-headers',
    ]) {
      const n = f.outcomes.length
      const r = await send(
        '/v1/chat/completions',
        { model: MODELS.openai, max_tokens: 500, messages: [{ role: 'user', content: 'x' }] },
        { 'x-fake-scenario': scenario },
      )
      expect(r.status, scenario).toBeGreaterThanOrEqual(400)
      await waitForOutcomes(f, n + 1)
      const id = String(r.headers['x-request-id'])
      await expect.poll(async () => (await usageRow(id)) !== undefined, { timeout: 3000 }).toBe(true)
      const row = (await usageRow(id))!
      expect(toBig(row.cost_nano), scenario).toBe(0n)
      const ledger = await db()
        .selectFrom('balance_ledger')
        .selectAll()
        .where('request_id', '=', id)
        .execute()
      expect(ledger.every((l) => toBig(l.amount_nano) === 0n)).toBe(true)
    }
    const after = await money()
    expect(after.balance).toBe(before.balance)
    expect(after.reserved).toBe(0n)
    expect(after.openReservations).toBe(0)
  })

  it('#26 a client-chosen request id or idempotency key neither merges nor splits billing: each provider call is billed once', async () => {
    const before = await money()
    const sent = []
    for (let i = 0; i < 2; i++) {
      sent.push(
        await send(
          '/v1/chat/completions',
          { model: MODELS.openai, messages: [{ role: 'user', content: 'same request twice' }] },
          { 'x-request-id': 'client-chosen-id', 'idempotency-key': 'client-idem-1' },
        ),
      )
    }
    const ids = sent.map((s) => String(s.headers['x-request-id']))
    expect(sent.map((s) => s.status)).toEqual([200, 200])
    expect(new Set(ids).size).toBe(2)
    expect(ids).not.toContain('client-chosen-id')
    await expect
      .poll(async () => (await Promise.all(ids.map(usageRow))).every(Boolean), { timeout: 3000 })
      .toBe(true)
    const rows = await Promise.all(ids.map(usageRow))
    const cost = rows.reduce((a, r) => a + toBig(r!.cost_nano), 0n)
    expect(cost).toBeGreaterThan(0n)
    expect(before.balance! - (await money()).balance!).toBe(cost)
  })

  it('#28 concurrent voucher credits and usage debits land exactly, with one ledger row each', async () => {
    const { addUser, addKey, userMoney, ledgerOf, settlement } = moneyFixtures(db)
    const start = 1000n * UNIT
    const username = await addUser(start)
    const keyId = await addKey(username)
    const N = 150
    const vouchers = await f.t.inject({
      method: 'POST',
      url: '/admin/vouchers',
      headers: bearer(f.adminJwt),
      payload: { amount_usd: 0.001, count: N },
    })
    expect(vouchers.statusCode).toBe(201)
    const codes = vouchers.json<{ vouchers: { code: string }[] }>().vouchers.map((v) => v.code)
    expect(codes).toHaveLength(N)
    const writer = createSettlementWriter(db())
    const work: Promise<unknown>[] = []
    for (let i = 0; i < N; i++) {
      work.push(redeemVoucher({ db: db(), clock: systemClock }, username, codes[i]))
      work.push(writer.settle(settlement(username, keyId, { costNano: UNIT })))
    }
    const results = await Promise.allSettled(work)
    expect(results.filter((r) => r.status === 'rejected')).toEqual([])
    const m = await userMoney(username)
    expect(m.balance).toBe(start)
    const ledger = await ledgerOf(username)
    expect(ledger).toHaveLength(2 * N)
    expect(ledger.reduce((a, l) => a + l.amount, 0n)).toBe(0n)
    expect(ledger.filter((l) => l.amount === UNIT)).toHaveLength(N)
    expect(ledger.filter((l) => l.amount === -UNIT)).toHaveLength(N)
  })

  it('#29 a streamed answer costs what the same answer costs unstreamed, on the Responses and legacy completions surfaces too', async () => {
    for (const [path, body] of [
      ['/v1/responses', { model: MODELS.openai, input: 'same answer' }],
      ['/v1/completions', { model: MODELS.openai, prompt: 'same answer', max_tokens: 30 }],
    ] as const) {
      const costs: bigint[] = []
      for (const stream of [false, true]) {
        const n = f.outcomes.length
        const r = await send(path, { ...body, stream })
        expect(r.status).toBe(200)
        await waitForOutcomes(f, n + 1)
        const s = f.outcomes.slice(n).find((o) => o.requestId === r.headers['x-request-id'])!.settlement!
        expect(s.usageSource, `${path} stream=${stream}`).toBe('reported')
        costs.push(s.costNano)
      }
      expect(costs[0]).toBeGreaterThan(0n)
      expect(costs[1], path).toBe(costs[0])
    }
  })

  it('#30 a reported zero is billed as zero; no usage at all is estimated, never free', async () => {
    const up = await startScriptedUpstream()
    try {
      const ch = await f.t.inject({
        method: 'POST',
        url: '/admin/channels',
        headers: bearer(f.adminJwt),
        payload: {
          name: 'zero',
          provider: 'openai',
          base_url: `${up.url}/v1`,
          api_key: 'sk-zero-canary',
          models: ['zero-model'],
        },
      })
      await f.t.inject({
        method: 'POST',
        url: `/admin/groups/${f.groupId}/channels/${ch.json<{ id: string }>().id}`,
        headers: bearer(f.adminJwt),
      })
      await f.t.inject({
        method: 'POST',
        url: '/admin/prices',
        headers: bearer(f.adminJwt),
        payload: { model_name: 'zero-model', unit: 'input_token', price_per_unit: 5 },
      })
      await f.t.inject({
        method: 'POST',
        url: '/admin/prices',
        headers: bearer(f.adminJwt),
        payload: { model_name: 'zero-model', unit: 'output_token', price_per_unit: 5 },
      })
      const outcomeOf = async (r: { headers: Record<string, unknown> }) => {
        await expect
          .poll(() => f.outcomes.some((o) => o.requestId === r.headers['x-request-id']), { timeout: 3000 })
          .toBe(true)
        return f.outcomes.find((o) => o.requestId === r.headers['x-request-id'])!.settlement!
      }
      const msgs = [{ role: 'user', content: 'a prompt of some length '.repeat(10) }]
      up.answer({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: chatCompletion('zero-model', { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }),
      })
      const zero = await outcomeOf(
        await send('/v1/chat/completions', { model: 'zero-model', messages: msgs }),
      )
      expect(zero.usageSource).toBe('reported')
      expect(zero.costNano).toBe(0n)
      up.answer({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: chatCompletion('zero-model', null),
      })
      const none = await outcomeOf(
        await send('/v1/chat/completions', { model: 'zero-model', messages: msgs }),
      )
      expect(none.usageSource).toBe('estimated')
      expect(none.usage.inputTokens).toBeGreaterThan(0)
      expect(none.costNano).toBeGreaterThan(0n)
      const row = await usageRow(none.requestId)
      expect(row?.usage_source).toBe('estimated')
    } finally {
      await up.close()
    }
  })

  it('#31 a client that leaves right after [DONE] is billed once, for exactly what the provider reported', async () => {
    const body = {
      model: MODELS.openai,
      stream: true,
      messages: [{ role: 'user', content: 'leave after done' }],
    }
    const n0 = f.outcomes.length
    const whole = await send('/v1/chat/completions', body)
    await waitForOutcomes(f, n0 + 1)
    const full = f.outcomes.find((o) => o.requestId === whole.headers['x-request-id'])!.settlement!
    const n = f.outcomes.length
    const ac = new AbortController()
    const res = await request(`${f.gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: ac.signal,
    })
    const id = String(res.headers['x-request-id'])
    let text = ''
    try {
      for await (const chunk of res.body) {
        text += Buffer.from(chunk as Buffer).toString('utf8')
        if (text.includes('[DONE]')) {
          ac.abort()
          break
        }
      }
    } catch {
      /* aborted */
    }
    expect(text).toContain('[DONE]')
    await waitForOutcomes(f, n + 1)
    await expect.poll(async () => (await usageRow(id)) !== undefined, { timeout: 3000 }).toBe(true)
    const rows = await db().selectFrom('usage_logs').selectAll().where('request_id', '=', id).execute()
    expect(rows).toHaveLength(1)
    expect(toBig(rows[0].cost_nano)).toBe(full.costNano)
    expect(full.costNano).toBeGreaterThan(0n)
  })

  it('#33 a price per 1M tokens is bounded: out-of-range and non-numeric prices are refused', async () => {
    for (const price_per_unit of [1_000_001, 1e12, -0.01, 'NaN', null, '1e400']) {
      const r = await f.t.inject({
        method: 'POST',
        url: '/admin/prices',
        headers: bearer(f.adminJwt),
        payload: { model_name: 'typo-model', unit: 'input_token', price_per_unit },
      })
      expect(r.statusCode, String(price_per_unit)).toBe(400)
      expect(r.body).toContain('price_per_unit')
    }
    const rows = await db()
      .selectFrom('model_prices')
      .select('id')
      .where('model_name', '=', 'typo-model')
      .execute()
    expect(rows).toHaveLength(0)
  })
})

describe.runIf(kinds.includes('postgres'))('D. database unreachable (postgres)', () => {
  let f: ProxyFixture
  let dbName: string

  beforeAll(async () => {
    f = await startProxyFixture('postgres')
    dbName = new URL(f.t.tdb.url).pathname.slice(1)
  })
  afterAll(async () => {
    await setConnections(true)
    await f?.close()
  })

  async function setConnections(allow: boolean) {
    if (!dbName) return
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
    await admin.connect()
    await admin.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS ${allow ? 'true' : 'false'}`)
    if (!allow)
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [dbName])
    await admin.end()
  }

  it('#34 with the database gone, admission fails closed: no request reaches the provider unbilled, and service resumes by itself', async () => {
    const warm = await f.createKey({ name: 'warm' })
    const cold = await f.createKey({ name: 'cold' })
    const call = async (key: string) => {
      const res = await request(`${f.gateway}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: 'x' }] }),
      })
      return { status: res.statusCode, text: await res.body.text() }
    }
    // The warm key is in the lookup cache; the cold one must be read from the database.
    expect((await call(warm)).status).toBe(200)
    f.upstream.clearRequests()
    await setConnections(false)
    const started = Date.now()
    for (const key of [warm, cold]) {
      const r = await call(key)
      expect(r.status, r.text).toBeGreaterThanOrEqual(500)
      expect(r.text).not.toMatch(/postgres|database .* does not allow|ECONN|SQLSTATE/i)
    }
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(f.upstream.requests).toHaveLength(0)
    const ready = await f.t.inject({ method: 'GET', url: '/ready' })
    expect(ready.statusCode).toBe(503)
    expect((await f.t.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200)
    await setConnections(true)
    await expect.poll(async () => (await call(cold)).status, { timeout: 15_000, interval: 250 }).toBe(200)
    expect((await f.t.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200)
  })
})
