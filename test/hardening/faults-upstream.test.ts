/**
 * Fault injection between the gateway and the provider (issue 15, acceptance 3; catalogue #69), on both
 * databases: the channels' base URL points at a TCP fault proxy in front of the fake provider, which refuses,
 * black-holes, slows or cuts the provider's answers. A request that got no answer ends within the channel's
 * timeout with 502 (refused, reset) or 504 (no answer) in the client's protocol, and costs nothing; a stream cut
 * or stalled after its first bytes ends with the protocol's error event and is billed as `partial`. The gateway
 * serves again as soon as the provider does, and every request's money reconciles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFaultProxy, type FaultProxy } from '../support/start-fault-proxy.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { toBig } from '../../src/infra/db/convert-row-values.ts'
import { startFaultGateway, type Answer, type FaultGateway, type Payer } from '../support/fault-fixture.ts'

const kinds = await testDbKinds()

/** The channels' connect, first-byte and idle timeouts. */
const TIMEOUT_MS = 1000
/** Scheduling slack on a loaded 2-core machine. */
const MARGIN_MS = 1500
const BOUND_MS = TIMEOUT_MS + MARGIN_MS

describe.each(kinds)('upstream faults (%s) (issue 15 faults; catalogue #69)', (kind) => {
  let proxy: FaultProxy
  let g: FaultGateway

  beforeAll(async () => {
    // The proxy's target is the fake provider, which the fixture starts: the proxy is created first, aimed later.
    const target = { host: '127.0.0.1', port: 0 }
    proxy = await startFaultProxy(target)
    g = await startFaultGateway(kind, {
      channelBaseUrl: (upstream) => {
        target.port = upstream.port
        return proxy.url('http', '/v1')
      },
      channel: {
        connect_timeout_ms: TIMEOUT_MS,
        first_byte_timeout_ms: TIMEOUT_MS,
        idle_timeout_ms: TIMEOUT_MS,
      },
    })
  })
  afterAll(async () => {
    await proxy?.restore()
    await g?.close()
    await proxy?.close()
  })

  async function warmPayer(): Promise<Payer> {
    const p = await g.newPayer()
    expect((await p.chat()).status).toBe(200)
    await g.finished()
    return p
  }

  /** The usage rows of a payer's requests since `after` (request ids), newest last. */
  async function rowsOf(p: Payer) {
    return g.db
      .selectFrom('usage_logs')
      .select(['request_id', 'status', 'cost_nano', 'usage_source', 'error_code', 'is_stream'])
      .where('username', '=', p.username)
      .orderBy('created_at')
      .execute()
  }

  function expectFailed(r: Answer, status: 502 | 504, protocol: 'openai' | 'anthropic') {
    expect(r.failure, `no answer after ${Math.round(r.ms)} ms`).toBeUndefined()
    expect(r.status, r.text).toBe(status)
    expect(r.ms).toBeLessThan(BOUND_MS)
    // A failure before the first byte is a plain error answer, never a 200 stream.
    expect(String(r.headers['content-type'])).toContain('application/json')
    const body = JSON.parse(r.text) as Record<string, unknown>
    if (protocol === 'openai') {
      expect(body).toMatchObject({
        error: { type: 'server_error', code: status === 504 ? 'upstream_timeout' : 'upstream_error' },
      })
    } else {
      expect(body).toMatchObject({
        type: 'error',
        error: { type: status === 504 ? 'timeout_error' : 'api_error' },
      })
    }
    // Nothing about where the provider is.
    expect(r.text).not.toMatch(new RegExp(`127\\.0\\.0\\.1|:${proxy.port}|ECONN|UND_ERR`))
  }

  /** After the fault: the same gateway serves again, and the money adds up. */
  async function recovers(p: Payer) {
    await expect
      .poll(async () => (await p.chat({ giveUpMs: BOUND_MS })).status, { timeout: 15_000 })
      .toBe(200)
    expect((await p.chat({ stream: true })).status).toBe(200)
    expect((await p.messages()).status).toBe(200)
    await g.finished()
    await expect.poll(() => p.expectMoneyReconciled().then(() => true), { timeout: 10_000 }).toBe(true)
  }

  it.each([
    ['refused (provider down)', 'refuse', 502],
    ['black-holed (accepts, never answers)', 'black-hole', 504],
    ['reset before it answers', 'reset', 502],
  ] as const)(
    '%s: %s → %i in the client protocol within the timeout, refunded',
    async (_label, fault, status) => {
      const p = await warmPayer()
      const before = (await rowsOf(p)).length
      if (fault === 'refuse') await proxy.refuse()
      if (fault === 'black-hole') await proxy.blackHole()
      if (fault === 'reset') await proxy.resetMidResponse({ afterBytes: 0 })
      try {
        const [chat, streamed, messages] = await Promise.all([
          p.chat(),
          p.chat({ stream: true }),
          p.messages(),
        ])
        expectFailed(chat, status, 'openai')
        expectFailed(streamed, status, 'openai')
        expectFailed(messages, status, 'anthropic')
        const health = await g.call('GET', '/health')
        expect(health.status).toBe(200)
      } finally {
        await proxy.restore()
      }
      await g.finished()
      // Refunded: each failed request has its row, at no cost, and nothing stays held.
      const rows = (await rowsOf(p)).slice(before)
      expect(rows).toHaveLength(3)
      for (const row of rows) {
        expect(Number(row.status)).toBe(status)
        expect(toBig(row.cost_nano)).toBe(0n)
      }
      await recovers(p)
    },
  )

  it('slow (+250 ms per packet): answers and streams still arrive, billed as usual', async () => {
    const p = await warmPayer()
    await proxy.latency(250)
    try {
      const rs = await Promise.all([p.chat(), p.chat({ stream: true }), p.messages({ stream: true })])
      for (const r of rs) {
        expect(r.status, r.text).toBe(200)
        expect(r.ms).toBeGreaterThanOrEqual(450)
      }
      expect(rs[1].text).toContain('data: [DONE]')
      expect(rs[2].text).toContain('event: message_stop')
    } finally {
      await proxy.restore()
    }
    await g.finished()
    const rows = await rowsOf(p)
    for (const row of rows) expect(toBig(row.cost_nano)).toBeGreaterThan(0n)
    await recovers(p)
  })

  it.each([
    ['cut (reset) mid-stream', 'reset'],
    ['stalled (black-holed) mid-stream', 'black-hole'],
  ] as const)(
    '%s: the stream ends with an error event within the idle timeout, billed as partial',
    async (_l, fault) => {
      const p = await warmPayer()
      const before = (await rowsOf(p)).length
      const sent = g.upstream.eventsSent
      // A slow stream: one event every 150 ms; the fault strikes once the provider has sent two.
      const slow = { 'x-fake-scenario': 'slow-events:150' }
      const pending = Promise.all([
        p.chat({ stream: true, headers: slow }),
        p.messages({ stream: true, headers: slow }),
      ])
      await expect
        .poll(() => g.upstream.eventsSent - sent, { timeout: 5000, interval: 5 })
        .toBeGreaterThanOrEqual(4)
      if (fault === 'reset') proxy.resetConnections()
      else await proxy.blackHole()
      let openai: Answer, anthropic: Answer
      try {
        ;[openai, anthropic] = await pending
      } finally {
        await proxy.restore()
      }
      for (const r of [openai, anthropic]) {
        expect(r.failure, `no answer after ${Math.round(r.ms)} ms`).toBeUndefined()
        // The 200 and the first events were already out: the stream itself carries the failure.
        expect(r.status).toBe(200)
        expect(r.ms).toBeLessThan(BOUND_MS + 1000)
      }
      expect(openai.text).toMatch(/^data: \{"id"/m)
      expect(openai.text).toMatch(/^data: \{"error":\{/m)
      expect(openai.text).not.toContain('data: [DONE]')
      expect(anthropic.text).toContain('event: message_start')
      expect(anthropic.text).toMatch(/^event: error$/m)
      expect(anthropic.text).not.toContain('event: message_stop')
      await g.finished()
      const rows = (await rowsOf(p)).slice(before)
      expect(rows).toHaveLength(2)
      for (const row of rows) {
        expect(row.usage_source).toBe('partial')
        // The provider read the prompt and wrote part of an answer: that is billed, not given away.
        expect(toBig(row.cost_nano)).toBeGreaterThan(0n)
      }
      await recovers(p)
    },
  )
})
