/**
 * Fault injection in front of Redis (issue 15, acceptance 3; catalogue #35, #36, #81), on both databases: the
 * gateway's REDIS_URL points at a TCP fault proxy that refuses, black-holes, slows or cuts Redis's answers.
 * Rate limiting fails open by default: requests go on, none waits on Redis much past REDIS_COMMAND_TIMEOUT_MS,
 * `/ready` stays ready and says Redis is unreachable, `/health` answers at once. Only rate limiting degrades: keys,
 * freezes and budgets are still enforced. Configured fail-closed, the same faults answer 503 in the client's
 * protocol within the same bound. The limiter reconnects by itself when Redis is back, and the money reconciles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFaultProxy, type FaultProxy } from '../support/start-fault-proxy.ts'
import { REDIS_TEST_URL, requireService } from '../support/services.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { startFaultGateway, type Answer, type FaultGateway, type Payer } from '../support/fault-fixture.ts'

const redisUrl = new URL(REDIS_TEST_URL)
const redisUp = await requireService('Redis', redisUrl.hostname, Number(redisUrl.port || 6379))
const kinds = await testDbKinds()

const COMMAND_TIMEOUT_MS = 300
/** /health answers from memory; the bound only allows for a busy event loop on a loaded machine. */
const HEALTH_MS = 1000
/**
 * What a request may take while Redis is faulty: admission asks Redis at most twice (the key's limits and its
 * concurrency slot), each bounded by the command timeout, plus the fake provider and a loaded machine's slack.
 */
const BOUND_MS = 2 * COMMAND_TIMEOUT_MS + 1300

type Fault = 'refuse' | 'black-hole' | 'reset'
const FAULTS: Fault[] = ['refuse', 'black-hole', 'reset']

async function inject(proxy: FaultProxy, fault: Fault) {
  if (fault === 'refuse') await proxy.refuse()
  if (fault === 'black-hole') await proxy.blackHole()
  if (fault === 'reset') await proxy.resetMidResponse({ afterBytes: 0 })
}

function expectAnswered(r: Answer) {
  expect(r.failure, `no answer after ${Math.round(r.ms)} ms`).toBeUndefined()
  expect(r.status, r.text).toBe(200)
  expect(r.ms).toBeLessThan(BOUND_MS)
}

type ReadyBody = {
  status: string
  redis: string
  rate_limiter: { healthy: boolean; fail_open_count: number }
}

describe.skipIf(!redisUp).each(kinds)(
  'Redis faults, fail-open (%s) (issue 15 faults; #35, #36, #81)',
  (kind) => {
    let proxy: FaultProxy
    let g: FaultGateway

    beforeAll(async () => {
      proxy = await startFaultProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) })
      g = await startFaultGateway(kind, {
        env: { REDIS_URL: proxy.url('redis'), REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) },
      })
    })
    afterAll(async () => {
      await proxy?.restore()
      await g?.close()
      await proxy?.close()
    })

    /** A payer whose key has its own limits, so every request asks Redis (rpm, tpm, a concurrency slot). */
    async function limitedPayer(rpm = 1000): Promise<Payer> {
      const p = await g.newPayer({ key: { rpm, tpm: 10_000_000, max_concurrency: 50 } })
      expect((await p.chat()).status).toBe(200)
      await g.finished()
      return p
    }

    async function ready(): Promise<ReadyBody & { code: number; ms: number }> {
      const r = await g.call('GET', '/ready')
      return { ...(JSON.parse(r.text) as ReadyBody), code: r.status, ms: r.ms }
    }

    it.each(FAULTS)(
      '%s: requests go on within the bound, /ready reports it, and Redis comes back',
      async (fault) => {
        const p = await limitedPayer()
        await inject(proxy, fault)
        try {
          const rs = await Promise.all([p.chat(), p.chat({ stream: true }), p.messages(), p.chat()])
          for (const r of rs) expectAnswered(r)
          // Later requests too (the circuit breaker is open by now: they do not even wait for Redis).
          for (const r of await Promise.all([p.chat(), p.messages()])) expectAnswered(r)
          const [state, health] = await Promise.all([ready(), g.call('GET', '/health')])
          // Rate limiting fails open, so the gateway stays ready, and says why it is degraded.
          expect(state).toMatchObject({ code: 200, status: 'ready', redis: 'unreachable' })
          expect(state.rate_limiter.healthy).toBe(false)
          expect(state.rate_limiter.fail_open_count).toBeGreaterThan(0)
          expect(state.ms).toBeLessThan(1000)
          expect(health.status).toBe(200)
          expect(health.ms).toBeLessThan(HEALTH_MS)
        } finally {
          await proxy.restore()
        }
        // The same process reconnects on its own: Redis counts again and /ready says so.
        await expect.poll(async () => (await p.chat(), (await ready()).redis), { timeout: 15_000 }).toBe('ok')
        await g.finished()
        await expect.poll(() => p.expectMoneyReconciled().then(() => true), { timeout: 10_000 }).toBe(true)
      },
    )

    it('slow (+50 ms each way, well under the command timeout): limits are still counted in Redis and enforced', async () => {
      const p = await limitedPayer(4)
      await proxy.latency(50)
      try {
        const rs: Answer[] = []
        for (let i = 0; i < 4; i++) rs.push(await p.chat())
        // One request of the minute was the warm-up: three more pass, the fifth is over the key's rpm.
        expect(rs.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200])
        expect(rs[3].status, rs[3].text).toBe(429)
        expect(rs[3].headers['retry-after']).toBeDefined()
        expect((await ready()).redis).toBe('ok')
      } finally {
        await proxy.restore()
      }
      await g.finished()
      await expect.poll(() => p.expectMoneyReconciled().then(() => true), { timeout: 10_000 }).toBe(true)
    })

    it('black-holed: only rate limiting degrades — deleted keys 401, frozen keys 403, empty balances 402 (#36)', async () => {
      const deleted = await limitedPayer()
      const frozen = await limitedPayer()
      const broke = await g.newPayer({ key: { rpm: 1000 }, balanceUsd: 0.000001 })
      await proxy.blackHole()
      try {
        const del = await g.call('DELETE', `/user/tokens/${deleted.keyId}`, {
          headers: { authorization: `Bearer ${deleted.jwt}` },
        })
        expect(del.status).toBe(204)
        const frz = await g.call('POST', `/user/tokens/${frozen.keyId}/freeze`, {
          headers: { authorization: `Bearer ${frozen.jwt}` },
        })
        expect(frz.status, frz.text).toBeLessThan(300)
        const [gone, cold, poor] = await Promise.all([deleted.chat(), frozen.chat(), broke.chat()])
        expect(gone.status, gone.text).toBe(401)
        expect(cold.status, cold.text).toBe(403)
        expect(poor.status, poor.text).toBe(402)
        expect(JSON.parse(poor.text)).toMatchObject({ error: { type: 'insufficient_quota' } })
        for (const r of [gone, cold, poor]) expect(r.ms).toBeLessThan(BOUND_MS)
      } finally {
        await proxy.restore()
      }
      await g.finished()
      for (const p of [deleted, frozen, broke]) {
        await expect.poll(() => p.expectMoneyReconciled().then(() => true), { timeout: 10_000 }).toBe(true)
      }
    })
  },
)

// Fail-closed refuses before any money moves, so one database shows it: PostgreSQL where there is one, the
// multi-host setup that shares a Redis.
describe.skipIf(!redisUp).each(kinds.slice(-1))(
  'Redis faults, fail-closed (%s) (issue 15 faults; #35, #81)',
  (kind) => {
    let proxy: FaultProxy
    let g: FaultGateway

    beforeAll(async () => {
      proxy = await startFaultProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) })
      g = await startFaultGateway(kind, {
        env: {
          REDIS_URL: proxy.url('redis'),
          REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
          RATE_LIMIT_FAIL_OPEN: 'false',
        },
      })
    })
    afterAll(async () => {
      await proxy?.restore()
      await g?.close()
      await proxy?.close()
    })

    it('black-holed: 503 in the client protocol within the bound, not ready; then serves again', async () => {
      const p = await g.newPayer({ key: { rpm: 1000 } })
      expect((await p.chat()).status).toBe(200)
      await g.finished()
      await proxy.blackHole()
      try {
        const [chat, messages] = await Promise.all([p.chat(), p.messages()])
        for (const r of [chat, messages]) {
          expect(r.failure).toBeUndefined()
          expect(r.status, r.text).toBe(503)
          expect(r.ms).toBeLessThan(BOUND_MS)
        }
        expect(JSON.parse(chat.text)).toMatchObject({ error: { type: 'server_error' } })
        expect(JSON.parse(messages.text)).toMatchObject({
          type: 'error',
          error: { type: 'overloaded_error' },
        })
        const state = await g.call('GET', '/ready')
        expect(state.status).toBe(503)
        expect(JSON.parse(state.text)).toMatchObject({ status: 'not_ready', redis: 'unreachable' })
        expect((await g.call('GET', '/health')).status).toBe(200)
      } finally {
        await proxy.restore()
      }
      await expect.poll(async () => (await p.chat()).status, { timeout: 15_000, interval: 200 }).toBe(200)
      await g.finished()
      await expect.poll(() => p.expectMoneyReconciled().then(() => true), { timeout: 10_000 }).toBe(true)
    })
  },
)
