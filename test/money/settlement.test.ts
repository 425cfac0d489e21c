import net from 'node:net'
import { Worker } from 'node:worker_threads'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProxyFixture, waitForOutcomes, MODELS, type ProxyFixture } from '../support/proxy-fixture.ts'
import { bearer } from '../support/build-test-app.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { toBig } from '../../src/infra/db/convert-row-values.ts'

const kinds = await testDbKinds()

describe.each(kinds)('settlement (%s)', (kind) => {
  let f: ProxyFixture

  beforeAll(async () => {
    f = await startProxyFixture(kind)
    for (const [model, unit, price] of [
      [MODELS.openai, 'input_token', 2.5],
      [MODELS.openai, 'output_token', 10],
      [MODELS.openai, 'cache_read_token', 1.25],
      [MODELS.anthropic, 'input_token', 3],
      [MODELS.anthropic, 'output_token', 15],
      [MODELS.anthropic, 'cache_read_token', 0.3],
      [MODELS.anthropic, 'cache_write_token', 3.75],
      [MODELS.anthropic, 'cache_write_1h_token', 6],
      [MODELS.gemini, 'input_token', 0.3],
      [MODELS.gemini, 'output_token', 2.5],
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

  async function send(path: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    const n = f.outcomes.length
    const res = await request(`${f.gateway}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
    const text = await res.body.text()
    await waitForOutcomes(f, n + 1)
    return { status: res.statusCode, text, outcome: f.outcomes.at(-1)! }
  }

  async function balance() {
    const u = await f.t.tdb.db.db
      .selectFrom('users')
      .select(['quota_nano', 'reserved_nano'])
      .where('username', '=', 'user')
      .executeTakeFirstOrThrow()
    return { balance: toBig(u.quota_nano), reserved: toBig(u.reserved_nano) }
  }

  it('bills a streamed answer the same as the same answer unstreamed, for each protocol', async () => {
    const pairs: [string, Record<string, unknown>, Record<string, unknown>][] = [
      [
        '/v1/chat/completions',
        { model: MODELS.openai, messages: [{ role: 'user', content: 'same' }] },
        { stream: true },
      ],
      [
        '/v1/messages',
        { model: MODELS.anthropic, max_tokens: 64, messages: [{ role: 'user', content: 'same' }] },
        { stream: true },
      ],
    ]
    for (const [path, body, extra] of pairs) {
      const plain = await send(path, body)
      const streamed = await send(path, { ...body, ...extra })
      expect(plain.status).toBe(200)
      expect(streamed.status).toBe(200)
      expect(plain.outcome.settlement!.costNano).toBeGreaterThan(0n)
      expect(streamed.outcome.settlement!.costNano).toBe(plain.outcome.settlement!.costNano)
      expect(streamed.outcome.settlement!.usage).toEqual(plain.outcome.settlement!.usage)
    }
    const gPlain = await send(`/v1beta/models/${MODELS.gemini}:generateContent`, {
      contents: [{ role: 'user', parts: [{ text: 'same' }] }],
    })
    const gStream = await send(`/v1beta/models/${MODELS.gemini}:streamGenerateContent?alt=sse`, {
      contents: [{ role: 'user', parts: [{ text: 'same' }] }],
    })
    expect(gStream.outcome.settlement!.costNano).toBe(gPlain.outcome.settlement!.costNano)
    expect(gPlain.outcome.settlement!.costNano).toBeGreaterThan(0n)
  })

  it('bills an abandoned stream for the prompt and the output seen, never 0', async () => {
    const n = f.outcomes.length
    const ac = new AbortController()
    const res = await request(`${f.gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${f.key}`,
        'content-type': 'application/json',
        'x-fake-scenario': 'slow-events:200',
      },
      body: JSON.stringify({
        model: MODELS.openai,
        stream: true,
        messages: [{ role: 'user', content: 'abandon' }],
      }),
      signal: ac.signal,
    })
    try {
      for await (const _chunk of res.body) break
    } catch {
      /* aborted */
    }
    ac.abort()
    await waitForOutcomes(f, n + 1)
    const s = f.outcomes.at(-1)!.settlement!
    expect(s.usageSource).toBe('partial')
    expect(s.costNano).toBeGreaterThan(0n)
    expect(s.usage.inputTokens).toBeGreaterThan(0)
    const { reserved } = await balance()
    expect(reserved).toBe(0n)
  })

  /** A request whose client leaves after `leaveAfterMs`; resolves with its outcome once settled. */
  async function abandon(body: Record<string, unknown>, scenario: string | null, leaveWhen: () => boolean) {
    const n = f.outcomes.length
    const ac = new AbortController()
    const pending = request(`${f.gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${f.key}`,
        'content-type': 'application/json',
        ...(scenario ? { 'x-fake-scenario': scenario } : {}),
      },
      body: JSON.stringify(body),
      signal: ac.signal,
    }).catch(() => 'aborted')
    await expect.poll(leaveWhen, { timeout: 3000, interval: 10 }).toBe(true)
    // The provider (or the proxy in front of it) has held the request for a moment: a slow model.
    await new Promise((r) => setTimeout(r, 300))
    ac.abort()
    expect(await pending).toBe('aborted')
    const gone = () => f.outcomes.slice(n).find((o) => o.status === 499 && o.model === body.model)
    await expect.poll(gone, { timeout: 3000, interval: 10 }).toBeTruthy()
    return gone()!
  }

  async function moneyOf(requestId: string) {
    const rows = await f.t.tdb.db.db
      .selectFrom('usage_logs')
      .selectAll()
      .where('request_id', '=', requestId)
      .execute()
    const ledger = await f.t.tdb.db.db
      .selectFrom('balance_ledger')
      .selectAll()
      .where('request_id', '=', requestId)
      .execute()
    const open = await f.t.tdb.db.db
      .selectFrom('reservations')
      .selectAll()
      .where('request_id', '=', requestId)
      .execute()
    return { rows, ledger, open }
  }

  it.each([
    ['plain', false],
    ['streamed', true],
  ])(
    'issue 15 defect 2: a client that leaves before a slow provider answers pays for the prompt it sent (%s)',
    async (_label, stream) => {
      const prompt = `slow model, ${stream ? 'streamed' : 'plain'}: ${'words '.repeat(200)}`
      const before = await balance()
      const o = await abandon(
        {
          model: MODELS.openai,
          ...(stream ? { stream: true } : {}),
          messages: [{ role: 'user', content: prompt }],
        },
        'delay:4000',
        () => f.upstream.requests.some((r) => r.body.includes(prompt)),
      )
      const s = o.settlement!
      expect(s.usageSource).toBe('partial')
      // No usage came back: the prompt is estimated as at admission, a token per 4 bytes of the request body.
      expect(s.usage.inputTokens).toBe(Math.ceil(o.requestBody.length / 4))
      expect(s.costNano).toBeGreaterThan(0n)
      const m = await moneyOf(o.requestId)
      expect(m.rows).toHaveLength(1)
      expect(m.rows[0].usage_source).toBe('partial')
      expect(toBig(m.rows[0].cost_nano)).toBe(s.costNano)
      expect(m.ledger).toHaveLength(1)
      expect(toBig(m.ledger[0].amount_nano)).toBe(-s.costNano)
      expect(m.open).toHaveLength(0)
      const after = await balance()
      expect(before.balance - after.balance).toBe(s.costNano)
      expect(after.reserved).toBe(0n)
    },
  )

  it('issue 15 defect 2: a client that leaves before its request reached the provider pays nothing, refunded once', async () => {
    const provider = await startUnresponsiveListener()
    try {
      const model = 'never-reached'
      const g = await f.t.inject({
        method: 'POST',
        url: '/admin/groups',
        headers: bearer(f.adminJwt),
        payload: { name: 'g-never-reached', all_visible: true, priority: 70 },
      })
      const gid = (g.json() as { id: string }).id
      await f.addChannel(
        {
          name: model,
          provider: 'openai',
          base_url: `http://127.0.0.1:${provider.port}/v1`,
          api_key: 'sk-never-reached-canary',
          models: [model],
          // undici notices a client's abort only once it has a connection; the connect timeout ends the wait.
          connect_timeout_ms: 1000,
        },
        gid,
      )
      await f.t.inject({
        method: 'POST',
        url: '/admin/prices',
        headers: bearer(f.adminJwt),
        payload: { model_name: model, unit: 'input_token', price_per_unit: 100 },
      })
      const before = await balance()
      const sentAt = Date.now()
      const o = await abandon(
        { model, messages: [{ role: 'user', content: 'never reaches the provider' }] },
        null,
        () => Date.now() - sentAt > 100,
      )
      expect(o.settlement!.usageSource).toBe('none')
      expect(o.settlement!.costNano).toBe(0n)
      const m = await moneyOf(o.requestId)
      expect(m.rows).toHaveLength(1)
      expect(toBig(m.rows[0].cost_nano)).toBe(0n)
      expect(m.ledger.every((l) => toBig(l.amount_nano) === 0n)).toBe(true)
      expect(m.open).toHaveLength(0)
      // Refunded exactly once: the balance is whole and nothing stays held (nor is given back twice).
      expect(await balance()).toEqual(before)
    } finally {
      await provider.close()
    }
  })

  it.each(['status:500', 'stall-headers', 'refused'])(
    'refunds fully and exactly once when the upstream fails (%s)',
    async (scenario) => {
      const model = `refund-${scenario.replace(/\W/g, '')}`
      const g = await f.t.inject({
        method: 'POST',
        url: '/admin/groups',
        headers: bearer(f.adminJwt),
        payload: { name: `g-${model}`, all_visible: true, priority: 50 },
      })
      const gid = (g.json() as { id: string }).id
      await f.addChannel(
        {
          name: model,
          provider: 'openai',
          base_url: scenario === 'refused' ? 'http://127.0.0.1:9/v1' : `${f.upstream.url}/v1`,
          api_key: 'sk-refund-canary',
          models: [model],
          first_byte_timeout_ms: 500,
        },
        gid,
      )
      await f.t.inject({
        method: 'POST',
        url: '/admin/prices',
        headers: bearer(f.adminJwt),
        payload: { model_name: model, unit: 'output_token', price_per_unit: 100 },
      })
      const before = await balance()
      const r = await send(
        '/v1/chat/completions',
        { model, max_tokens: 100, messages: [{ role: 'user', content: 'x' }] },
        scenario === 'refused' ? {} : { 'x-fake-scenario': scenario },
      )
      expect(r.status).toBeGreaterThanOrEqual(500)
      const after = await balance()
      expect(after).toEqual(before)
      expect(after.reserved).toBe(0n)
      const rows = await f.t.tdb.db.db
        .selectFrom('usage_logs')
        .selectAll()
        .where('model', '=', model)
        .execute()
      expect(rows).toHaveLength(1)
      expect(toBig(rows[0].cost_nano)).toBe(0n)
      const ledger = await f.t.tdb.db.db
        .selectFrom('balance_ledger')
        .selectAll()
        .where('request_id', '=', rows[0].request_id)
        .execute()
      expect(ledger.every((l) => toBig(l.amount_nano) === 0n)).toBe(true)
    },
  )

  it('bills a failed-over request once, on the channel that answered', async () => {
    const model = 'failover-billing'
    const g = await f.t.inject({
      method: 'POST',
      url: '/admin/groups',
      headers: bearer(f.adminJwt),
      payload: { name: 'g-fob', all_visible: true, priority: 60 },
    })
    const gid = (g.json() as { id: string }).id
    await f.addChannel(
      {
        name: 'dead',
        provider: 'openai',
        base_url: 'http://127.0.0.1:9/v1',
        api_key: 'sk-dead-canary',
        models: [model],
        weight: 1000,
      },
      gid,
    )
    const good = await f.addChannel(
      {
        name: 'good',
        provider: 'openai',
        base_url: `${f.upstream.url}/v1`,
        api_key: 'sk-good-canary',
        models: [model],
        weight: 1,
      },
      gid,
    )
    await f.t.inject({
      method: 'POST',
      url: '/admin/prices',
      headers: bearer(f.adminJwt),
      payload: { model_name: model, unit: 'output_token', price_per_unit: 100 },
    })
    const before = await balance()
    const r = await send('/v1/chat/completions', { model, messages: [{ role: 'user', content: 'x' }] })
    expect(r.status).toBe(200)
    const rows = await f.t.tdb.db.db.selectFrom('usage_logs').selectAll().where('model', '=', model).execute()
    expect(rows).toHaveLength(1)
    expect(rows[0].channel_id).toBe(good)
    const after = await balance()
    expect(before.balance - after.balance).toBe(toBig(rows[0].cost_nano))
    expect(toBig(rows[0].cost_nano)).toBeGreaterThan(0n)
  })
})

/**
 * A provider whose connection queue is full: it listens (in a worker thread whose event loop is blocked, so it never
 * accepts) and the one connection its queue holds is taken, so a further connection attempt hangs and no request
 * byte ever reaches it.
 */
async function startUnresponsiveListener(): Promise<{ port: number; close(): Promise<void> }> {
  const wake = new Int32Array(new SharedArrayBuffer(4))
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads')
     const server = require('node:net').createServer()
     server.listen({ port: 0, host: '127.0.0.1', backlog: 0 }, () => {
       parentPort.postMessage(server.address().port)
       Atomics.wait(workerData, 0, 0)
       server.close()
     })`,
    { eval: true, workerData: wake },
  )
  const port = await new Promise<number>((resolve) => worker.once('message', resolve))
  const fillers: net.Socket[] = []
  // Connections complete in the kernel until the accept queue is full; the first that hangs shows it is.
  for (;;) {
    const socket = net.connect(port, '127.0.0.1')
    socket.on('error', () => undefined)
    fillers.push(socket)
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 300)
      socket.once('connect', () => {
        clearTimeout(timer)
        resolve(true)
      })
    })
    if (!connected) break
  }
  return {
    port,
    close: async () => {
      for (const s of fillers) s.destroy()
      Atomics.store(wake, 0, 1)
      Atomics.notify(wake, 0)
      await worker.terminate()
    },
  }
}
