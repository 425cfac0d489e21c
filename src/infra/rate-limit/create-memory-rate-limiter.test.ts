import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Clock } from '../clock.ts'
import { createMemoryRateLimiter } from './create-memory-rate-limiter.ts'
import { registerRateLimiterCases } from '../../../test/support/rate-limiter-contract.ts'
import type { LimitRule } from './rate-limiter-types.ts'

function fakeClock(): Clock & { advance(ms: number): void } {
  let t = 1_750_000_000_000
  return { now: () => t, advance: (ms) => void (t += ms) }
}

describe('memory rate limiter: contract', () => {
  registerRateLimiterCases(() => {
    const clock = fakeClock()
    return {
      create: () => createMemoryRateLimiter({ clock }),
      advance: async (ms) => clock.advance(ms),
      shared: false,
    }
  })
})

describe('memory rate limiter: bounded memory', () => {
  const r: LimitRule = { id: 'r1', limitType: 'request_limit', limit: 1, windowSec: 10 }

  it('caps the tracked scopes, dropping the least recently used', async () => {
    const limiter = createMemoryRateLimiter({ clock: fakeClock(), maxScopes: 3 })
    const admit = (scope: string) =>
      limiter.admit({ scope, rules: [r], requestId: randomUUID(), estimate: { tokens: 0, costNano: 0 } })
    for (const s of ['a', 'b', 'c']) expect((await admit(s)).ok).toBe(true)
    expect((await admit('a')).ok).toBe(false) // touches a
    expect((await admit('d')).ok).toBe(true) // evicts b, the least recently used
    expect(await limiter.usage('b', r)).toBe(0)
    expect(await limiter.usage('a', r)).toBe(1)
    expect(await limiter.usage('c', r)).toBe(1)
  })

  it('drops expired scopes instead of live ones when full', async () => {
    const clock = fakeClock()
    const limiter = createMemoryRateLimiter({ clock, maxScopes: 2 })
    const admit = (scope: string, rule: LimitRule) =>
      limiter.admit({ scope, rules: [rule], requestId: randomUUID(), estimate: { tokens: 0, costNano: 0 } })
    const short: LimitRule = { ...r, id: 'short', windowSec: 1 }
    expect((await admit('live', r)).ok).toBe(true)
    expect((await admit('old', short)).ok).toBe(true)
    await limiter.usage('live', r) // live is now the most recently used
    clock.advance(2000)
    expect((await admit('new', r)).ok).toBe(true)
    expect(await limiter.usage('live', r)).toBe(1)
  })

  it('rejected admissions and refunds leave no scope behind', async () => {
    const limiter = createMemoryRateLimiter({ clock: fakeClock(), maxScopes: 1 })
    const tokens: LimitRule = { id: 't', limitType: 'token_limit', limit: 5, windowSec: 10 }
    expect(
      (
        await limiter.admit({
          scope: 'x',
          rules: [tokens],
          requestId: '1',
          estimate: { tokens: 6, costNano: 0 },
        })
      ).ok,
    ).toBe(false)
    await limiter.settle('y', [tokens], '2', { tokens: 0, costNano: 0 })
    expect(
      (await limiter.admit({ scope: 'z', rules: [r], requestId: '3', estimate: { tokens: 0, costNano: 0 } }))
        .ok,
    ).toBe(true)
    expect(await limiter.usage('z', r)).toBe(1)
  })
})
