import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { REDIS_TEST_URL, requireService } from '../../../test/support/services.ts'
import { AppError } from '../../domain/errors.ts'
import { createRedisRateLimiter, type RedisRateLimiterOptions } from './create-redis-rate-limiter.ts'
import type { AdmitResult, LimitRule, RateLimiter } from './rate-limiter-types.ts'
import { RateLimiterUnavailableError } from './rate-limiter-unavailable-error.ts'
import {
  closedPortUrl,
  startBlackHole,
  startFaultProxy,
  type FaultProxy,
} from '../../../test/support/start-fault-proxy.ts'

const redisUrl = new URL(REDIS_TEST_URL)
const redisUp = await requireService('Redis', redisUrl.hostname, Number(redisUrl.port || 6379))
const PREFIX = `test:rl-faults:${randomUUID()}`
const TIMEOUT = 150
/** What "never hang" allows beyond the command timeout: timers and scheduling on a busy machine. */
const MARGIN = 150
const rule: LimitRule = { id: 'req', limitType: 'request_limit', limit: 1000, windowSec: 60 }
const tokens: LimitRule = { id: 'tok', limitType: 'token_limit', limit: 1000, windowSec: 60 }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const open: RateLimiter[] = []
function limiter(url: string, extra: Partial<RedisRateLimiterOptions> = {}): RateLimiter {
  const l = createRedisRateLimiter({
    url,
    prefix: PREFIX,
    commandTimeoutMs: TIMEOUT,
    failOpen: true,
    ...extra,
  })
  open.push(l)
  return l
}
const admit = (l: RateLimiter, scope = 'g:1:u:faults', rules = [rule]) =>
  l.admit({ scope, rules, requestId: randomUUID(), estimate: { tokens: 10, costNano: 0 } })

async function timed<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
  const t0 = performance.now()
  try {
    const value = await p
    return { value, ms: performance.now() - t0 }
  } catch (error) {
    return { error, ms: performance.now() - t0 }
  }
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()))
})

describe.each([
  ['black-holed (accepts, never answers)', 'blackhole'],
  ['stopped (closed port)', 'closed'],
] as const)('redis %s', (_name, kind) => {
  let url: string
  let close = async () => {}
  beforeAll(async () => {
    if (kind === 'blackhole') {
      const hole = await startBlackHole()
      url = hole.url
      close = () => hole.close()
    } else {
      url = await closedPortUrl()
    }
  })
  afterAll(() => close())

  it('fail-open: admit returns within the timeout, degraded, counted and unhealthy', async () => {
    const l = limiter(url)
    const runs = await Promise.all(Array.from({ length: 20 }, () => timed(admit(l))))
    for (const r of runs) {
      expect(r.ms).toBeLessThan(TIMEOUT + MARGIN)
      expect(r.value).toEqual({ ok: true, state: [], degraded: 'fail-open' })
    }
    const later = await timed(admit(l))
    expect(later.ms).toBeLessThan(TIMEOUT + MARGIN)
    expect(later.value).toMatchObject({ ok: true, degraded: 'fail-open' })
    const h = l.health()
    expect(h).toMatchObject({ backend: 'redis', healthy: false, failOpenCount: 21 })
    expect(h.lastError).toBeTypeOf('string')
  })

  it('fail-open: settle, usage and concurrency stay within the timeout too', async () => {
    const l = limiter(url)
    const settle = await timed(l.settle('g:1:u:x', [tokens], randomUUID(), { tokens: 5, costNano: 0 }))
    expect(settle.ms).toBeLessThan(TIMEOUT + MARGIN)
    expect(settle.error).toBeUndefined()
    const usage = await timed(l.usage('g:1:u:x', tokens))
    expect(usage).toMatchObject({ value: 0 })
    expect(usage.ms).toBeLessThan(TIMEOUT + MARGIN)
    const acquire = await timed(l.acquireConcurrency('k:1', 1, 60))
    expect(acquire.ms).toBeLessThan(TIMEOUT + MARGIN)
    expect(acquire.value).toBeTypeOf('function')
    await (acquire.value as () => Promise<void>)()
  })

  it('fail-closed: admit, usage and acquire throw RateLimiterUnavailableError (503) within the timeout', async () => {
    const l = limiter(url, { failOpen: false })
    const calls: (() => Promise<unknown>)[] = [
      () => admit(l),
      () => l.usage('g:1:u:x', rule),
      () => l.acquireConcurrency('k:1', 1, 60),
    ]
    for (const call of calls) {
      const r = await timed(call())
      expect(r.ms).toBeLessThan(TIMEOUT + MARGIN)
      expect(r.error).toBeInstanceOf(RateLimiterUnavailableError)
      expect(r.error).toBeInstanceOf(AppError)
      expect((r.error as AppError).status).toBe(503)
    }
    const settle = await timed(l.settle('g:1:u:x', [tokens], randomUUID(), { tokens: 5, costNano: 0 }))
    expect(settle.error).toBeUndefined()
    expect(l.health()).toMatchObject({ healthy: false, failOpenCount: 0 })
  })

  it('fail-open can stay bounded by a per-instance local limit', async () => {
    const l = limiter(url, { failOpenLocalLimit: { instances: 2 } })
    const small: LimitRule = { id: 'small', limitType: 'request_limit', limit: 4, windowSec: 60 }
    const results: AdmitResult[] = []
    for (let i = 0; i < 3; i++) results.push(await admit(l, 'g:1:u:local', [small]))
    expect(results.map((r) => r.ok)).toEqual([true, true, false])
    expect(results[0]).toMatchObject({ degraded: 'fail-open' })
    expect(results[2]).toMatchObject({ ok: false, rule: small })
    expect(l.health().failOpenCount).toBe(2)
  })

  it('reports errors through onError at a throttled rate', async () => {
    const seen: string[] = []
    const l = limiter(url, { onError: (e) => seen.push(e.message), errorLogIntervalMs: 60_000 })
    for (let i = 0; i < 5; i++) await admit(l)
    expect(seen).toHaveLength(1)
  })
})

describe.skipIf(!redisUp)('redis behind a fault proxy', () => {
  let proxy: FaultProxy
  beforeAll(async () => {
    proxy = await startFaultProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) })
  })
  afterAll(() => proxy.close())

  it('black-holed mid-flight: times out, then fails fast (circuit open), then recovers', async () => {
    const l = limiter(proxy.url('redis'), { breaker: { failureThreshold: 3, cooldownMs: 300 } })
    const scope = `g:${randomUUID()}:shared`
    expect(await admit(l, scope)).toMatchObject({ ok: true, state: [{ used: 1 }] })
    await proxy.blackHole()
    try {
      for (let i = 0; i < 3; i++) {
        const r = await timed(admit(l, scope))
        expect(r.value).toMatchObject({ degraded: 'fail-open' })
        expect(r.ms).toBeGreaterThanOrEqual(TIMEOUT - 20)
        expect(r.ms).toBeLessThan(TIMEOUT + MARGIN)
      }
      const fast = await timed(admit(l, scope))
      expect(fast.value).toMatchObject({ degraded: 'fail-open' })
      expect(fast.ms).toBeLessThan(30)
      expect(l.health().healthy).toBe(false)
    } finally {
      await proxy.restore()
    }
    await sleep(350)
    const back = await admit(l, scope)
    expect(back.ok && back.degraded).toBeUndefined()
    expect(l.health()).toMatchObject({ healthy: true, failOpenCount: 4 })
  })

  it('stopped and restarted: fails open at once, reconnects in the background', async () => {
    const l = limiter(proxy.url('redis'))
    const scope = `g:${randomUUID()}:shared`
    expect(await admit(l, scope)).toMatchObject({ ok: true })
    await proxy.refuse()
    await sleep(50)
    const down = await timed(admit(l, scope))
    expect(down.value).toMatchObject({ degraded: 'fail-open' })
    expect(down.ms).toBeLessThan(TIMEOUT + MARGIN)
    expect(l.health().healthy).toBe(false)
    await proxy.restore()
    let back: AdmitResult | undefined
    for (let i = 0; i < 60 && !(back?.ok && !back.degraded); i++) {
      await sleep(100)
      back = await admit(l, scope)
    }
    expect(back).toMatchObject({ ok: true, state: [{ used: 2 }] })
    expect(back?.ok && back.degraded).toBeUndefined()
    expect(l.health().healthy).toBe(true)
  })
})

afterAll(async () => {
  if (!redisUp) return
  const { Redis } = await import('ioredis')
  const { keyPattern } = await import('./build-rate-limit-keys.ts')
  const redis = new Redis(REDIS_TEST_URL)
  const keys = await redis.keys(keyPattern(PREFIX))
  if (keys.length) await redis.unlink(...keys)
  redis.disconnect()
})
