import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AdmitResult, LimitRule, RateLimiter } from '../../src/infra/rate-limit/rate-limiter-types.ts'

/** How the contract suite drives one implementation. */
export interface LimiterHarness {
  /** A new limiter; for Redis each one is its own connection (a separate gateway process). */
  create(): RateLimiter
  /** Lets `ms` pass: real waiting for Redis (its TIME is the clock), a clock shift for memory. */
  advance(ms: number): Promise<void>
  /** Whether separately created limiters share their counts. */
  shared: boolean
}

const rule = (
  limitType: LimitRule['limitType'],
  limit: number,
  windowSec: number,
  id = randomUUID(),
): LimitRule => ({
  id,
  limitType,
  limit,
  windowSec,
})
const scope = () => `g:${randomUUID()}:u:alice`
const est = (tokens = 0, costNano: bigint | number = 0) => ({ tokens, costNano })
const okCount = (rs: AdmitResult[]) => rs.filter((r) => r.ok).length

function rejected(r: AdmitResult): Extract<AdmitResult, { ok: false }> {
  if (r.ok) throw new Error(`expected a rejection, got ${JSON.stringify(r)}`)
  return r
}

/** The semantics both limiters share (docs/architecture.md, *Money › Rate limits*). */
export function registerRateLimiterCases(harness: () => LimiterHarness): void {
  let h: LimiterHarness
  let limiter: RateLimiter
  const admit = (s: string, rules: LimitRule[], estimate = est(), requestId = randomUUID()) =>
    limiter.admit({ scope: s, rules, requestId, estimate })

  beforeAll(() => {
    h = harness()
    limiter = h.create()
  })
  afterAll(async () => {
    await limiter.close()
  })

  describe('request_limit', () => {
    it('admits exactly the limit, then rejects with the rule and its state', async () => {
      const s = scope()
      const r = rule('request_limit', 3, 60)
      const results = []
      for (let i = 0; i < 4; i++) results.push(await admit(s, [r]))
      expect(results.map((x) => x.ok)).toEqual([true, true, true, false])
      expect(results[0].state).toEqual([{ ruleId: r.id, limit: 3, used: 1, remaining: 2, resetSec: 60 }])
      expect(results[2].state[0]).toMatchObject({ used: 3, remaining: 0 })
      const no = rejected(results[3])
      expect(no.rule).toEqual(r)
      expect(no.retryAfterSec).toBeGreaterThanOrEqual(59)
      expect(no.retryAfterSec).toBeLessThanOrEqual(60)
      expect(no.state[0]).toMatchObject({ ruleId: r.id, used: 3, remaining: 0 })
      expect(await limiter.usage(s, r)).toBe(3)
    })

    it('50 concurrent admits against a limit of 7 admit exactly 7', async () => {
      const s = scope()
      const r = rule('request_limit', 7, 60)
      const results = await Promise.all(Array.from({ length: 50 }, () => admit(s, [r])))
      expect(okCount(results)).toBe(7)
      expect(await limiter.usage(s, r)).toBe(7)
    })

    it('two limiter instances (two gateway processes) enforce one rule together', async () => {
      if (!h.shared) return
      const other = h.create()
      try {
        const s = scope()
        const r = rule('request_limit', 7, 60)
        const results = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            (i % 2 ? other : limiter).admit({
              scope: s,
              rules: [r],
              requestId: randomUUID(),
              estimate: est(),
            }),
          ),
        )
        expect(okCount(results)).toBe(7)
        expect(await other.usage(s, r)).toBe(7)
      } finally {
        await other.close()
      }
    })

    it('scopes are independent', async () => {
      const r = rule('request_limit', 1, 60)
      const [a, b] = [scope(), scope()]
      expect((await admit(a, [r])).ok).toBe(true)
      expect((await admit(b, [r])).ok).toBe(true)
      expect((await admit(a, [r])).ok).toBe(false)
    })

    it('records nothing unless every rule passes', async () => {
      const s = scope()
      const loose = rule('request_limit', 5, 60)
      const tight = rule('request_limit', 3, 60)
      const tokens = rule('token_limit', 1000, 60)
      const results = []
      for (let i = 0; i < 5; i++) results.push(await admit(s, [loose, tight, tokens], est(10)))
      expect(results.map((x) => x.ok)).toEqual([true, true, true, false, false])
      expect(rejected(results[3]).rule.id).toBe(tight.id)
      expect(await limiter.usage(s, loose)).toBe(3)
      expect(await limiter.usage(s, tokens)).toBe(30)
    })

    it('ignores disabled rules (limit or window <= 0)', async () => {
      const s = scope()
      const off = [rule('request_limit', 0, 60), rule('token_limit', -1, 60), rule('request_limit', 5, 0)]
      const r = await admit(s, off, est(10_000))
      expect(r).toEqual({ ok: true, state: [] })
      expect(await limiter.usage(s, off[0])).toBe(0)
    })

    it('a fractional request limit admits up to its ceiling, like the original `current < value`', async () => {
      const s = scope()
      const r = rule('request_limit', 1.5, 60)
      const results = [await admit(s, [r]), await admit(s, [r]), await admit(s, [r])]
      expect(results.map((x) => x.ok)).toEqual([true, true, false])
    })

    it('Retry-After is the time until the oldest entry leaves the window, to the second', async () => {
      const s = scope()
      const r = rule('request_limit', 2, 3)
      expect((await admit(s, [r])).ok).toBe(true) // t = 0
      await h.advance(1000)
      expect((await admit(s, [r])).ok).toBe(true) // t = 1.0
      await h.advance(100)
      expect(rejected(await admit(s, [r])).retryAfterSec).toBe(2) // 1.9 s left
      await h.advance(1000)
      const wait = rejected(await admit(s, [r])).retryAfterSec // 0.9 s left
      expect(wait).toBe(1)
      await h.advance(wait * 1000)
      expect((await admit(s, [r])).ok).toBe(true) // t = 3.1: the first entry expired
      const next = rejected(await admit(s, [r]))
      expect(next.retryAfterSec).toBe(1) // the entry of t = 1.0 expires at 4.0
      expect(next.state[0]).toMatchObject({ used: 2, remaining: 0, resetSec: 1 })
    })

    it('with several failing rules, reports the one that frees up last', async () => {
      const s = scope()
      const short = rule('request_limit', 1, 2)
      const long = rule('request_limit', 1, 60)
      expect((await admit(s, [short, long])).ok).toBe(true)
      const no = rejected(await admit(s, [short, long]))
      expect(no.rule.id).toBe(long.id)
      expect(no.retryAfterSec).toBeGreaterThanOrEqual(59)
    })
  })

  describe('token_limit and quota_limit', () => {
    it('count the admission estimate, so a burst cannot overrun them', async () => {
      const s = scope()
      const r = rule('token_limit', 1000, 60)
      const results = await Promise.all(Array.from({ length: 10 }, () => admit(s, [r], est(300))))
      expect(okCount(results)).toBe(3)
      expect(await limiter.usage(s, r)).toBe(900)
      const no = rejected(results.find((x) => !x.ok) as AdmitResult)
      expect(no.state[0]).toMatchObject({ used: 900, remaining: 100 })
    })

    it('settlement replaces the estimate by the actual (lower or higher), idempotently', async () => {
      const s = scope()
      const r = rule('token_limit', 1000, 60)
      const [a, b] = [randomUUID(), randomUUID()]
      expect((await admit(s, [r], est(400), a)).ok).toBe(true)
      expect((await admit(s, [r], est(400), b)).ok).toBe(true)
      expect((await admit(s, [r], est(400))).ok).toBe(false)
      await limiter.settle(s, [r], a, est(100))
      await limiter.settle(s, [r], a, est(100))
      expect(await limiter.usage(s, r)).toBe(500)
      expect((await admit(s, [r], est(400))).ok).toBe(true) // 900
      await limiter.settle(s, [r], b, est(700)) // 100 + 700 + 400
      expect(await limiter.usage(s, r)).toBe(1200)
      const no = rejected(await admit(s, [r], est(1)))
      expect(no.state[0]).toMatchObject({ used: 1200, remaining: 0 })
    })

    it('a refund (settle with 0) frees tokens and spend but keeps the request count', async () => {
      const s = scope()
      const reqs = rule('request_limit', 2, 60)
      const toks = rule('token_limit', 100, 60)
      const usd = rule('quota_limit', 1, 60)
      const id = randomUUID()
      expect((await admit(s, [reqs, toks, usd], est(60, 600_000_000n), id)).ok).toBe(true)
      await limiter.settle(s, [reqs, toks, usd], id, est(0, 0))
      expect(await limiter.usage(s, toks)).toBe(0)
      expect(await limiter.usage(s, usd)).toBe(0)
      expect(await limiter.usage(s, reqs)).toBe(1)
    })

    it('quota_limit is in USD while spend is in nano-USD (bigint or number)', async () => {
      const s = scope()
      const r = rule('quota_limit', 1.5, 60)
      const first = await admit(s, [r], est(0, 1_000_000_000n))
      expect(first.ok).toBe(true)
      expect(first.state[0]).toMatchObject({ limit: 1.5, used: 1, remaining: 0.5 })
      expect((await admit(s, [r], est(0, 600_000_000))).ok).toBe(false)
      expect((await admit(s, [r], est(0, 500_000_000n))).ok).toBe(true)
      expect(await limiter.usage(s, r)).toBe(1.5)
    })

    it('settling a request that is no longer recorded counts its actual use now', async () => {
      const s = scope()
      const r = rule('token_limit', 1000, 60)
      await limiter.settle(s, [r], randomUUID(), est(250))
      await limiter.settle(s, [r], randomUUID(), est(0))
      expect(await limiter.usage(s, r)).toBe(250)
    })

    it('an estimate larger than the limit is rejected with the full window as Retry-After', async () => {
      const s = scope()
      const r = rule('token_limit', 100, 30)
      const no = rejected(await admit(s, [r], est(101)))
      expect(no.retryAfterSec).toBe(30)
      expect(no.state[0]).toMatchObject({ used: 0, remaining: 100, resetSec: 0 })
    })

    it('Retry-After waits until enough of the window has expired to fit the estimate', async () => {
      const s = scope()
      const r = rule('token_limit', 100, 3)
      expect((await admit(s, [r], est(60))).ok).toBe(true) // t = 0
      await h.advance(1000)
      expect((await admit(s, [r], est(30))).ok).toBe(true) // t = 1.0, used 90
      await h.advance(50)
      expect(rejected(await admit(s, [r], est(30))).retryAfterSec).toBe(2) // the first entry suffices
      expect(rejected(await admit(s, [r], est(80))).retryAfterSec).toBe(3) // both must go
      await h.advance(2000)
      expect(await limiter.usage(s, r)).toBe(30)
      expect((await admit(s, [r], est(70))).ok).toBe(true)
    })
  })

  describe('sliding window', () => {
    it('entries leave the window after windowSec', async () => {
      const s = scope()
      const r = rule('request_limit', 2, 2)
      const t = rule('token_limit', 10, 2)
      expect((await admit(s, [r, t], est(5))).ok).toBe(true)
      expect((await admit(s, [r, t], est(5))).ok).toBe(true)
      expect((await admit(s, [r, t], est(0))).ok).toBe(false)
      await h.advance(2050)
      expect(await limiter.usage(s, r)).toBe(0)
      expect(await limiter.usage(s, t)).toBe(0)
      expect((await admit(s, [r, t], est(10))).ok).toBe(true)
    })

    it('usage of an unknown scope is 0', async () => {
      expect(await limiter.usage(scope(), rule('token_limit', 5, 60))).toBe(0)
    })
  })

  describe('concurrency', () => {
    it('acquire returns null at the limit; release frees a slot once', async () => {
      const key = `k:${randomUUID()}`
      const a = await limiter.acquireConcurrency(key, 2, 60)
      const b = await limiter.acquireConcurrency(key, 2, 60)
      expect(a).toBeTypeOf('function')
      expect(b).toBeTypeOf('function')
      expect(await limiter.acquireConcurrency(key, 2, 60)).toBeNull()
      await a?.()
      await a?.()
      const c = await limiter.acquireConcurrency(key, 2, 60)
      expect(c).toBeTypeOf('function')
      expect(await limiter.acquireConcurrency(key, 2, 60)).toBeNull()
      await b?.()
      await c?.()
    })

    it('concurrent acquires get exactly max leases', async () => {
      const key = `k:${randomUUID()}`
      const got = await Promise.all(Array.from({ length: 20 }, () => limiter.acquireConcurrency(key, 5, 60)))
      expect(got.filter((g) => g !== null)).toHaveLength(5)
      await Promise.all(got.map((g) => (g ? g() : Promise.resolve())))
      expect(await limiter.acquireConcurrency(key, 5, 60)).not.toBeNull()
    })

    it('a lease that is never released expires after ttlSec', async () => {
      const key = `k:${randomUUID()}`
      expect(await limiter.acquireConcurrency(key, 1, 1)).not.toBeNull()
      expect(await limiter.acquireConcurrency(key, 1, 1)).toBeNull()
      await h.advance(1050)
      expect(await limiter.acquireConcurrency(key, 1, 1)).not.toBeNull()
    })
  })

  it('reports health', () => {
    expect(limiter.health()).toMatchObject({ healthy: true, failOpenCount: 0 })
  })
}
