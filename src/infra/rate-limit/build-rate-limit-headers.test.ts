import { describe, expect, it } from 'vitest'
import { buildRateLimitHeaders } from './build-rate-limit-headers.ts'
import type { LimitRule } from './rate-limiter-types.ts'

const rule: LimitRule = { id: 'r1', limitType: 'request_limit', limit: 10, windowSec: 60 }

describe('rate limit headers', () => {
  it.each([
    {
      name: 'a rejection carries Retry-After and the tripped rule',
      decision: {
        ok: false as const,
        rule,
        retryAfterSec: 17,
        state: [
          { ruleId: 'other', limit: 5, used: 5, remaining: 0, resetSec: 3 },
          { ruleId: 'r1', limit: 10, used: 10, remaining: 0, resetSec: 12 },
        ],
      },
      expected: {
        'retry-after': '17',
        'x-ratelimit-limit': '10',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '17',
      },
    },
    {
      name: 'an admission reports the rule closest to its limit',
      decision: {
        ok: true as const,
        state: [
          { ruleId: 'a', limit: 100, used: 10, remaining: 90, resetSec: 50 },
          { ruleId: 'b', limit: 10, used: 8, remaining: 2, resetSec: 20 },
        ],
      },
      expected: { 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '2', 'x-ratelimit-reset': '20' },
    },
  ])('$name', ({ decision, expected }) => {
    expect(buildRateLimitHeaders(decision)).toEqual(expected)
  })

  it('no rules, no headers', () => {
    expect(buildRateLimitHeaders({ ok: true, state: [], degraded: 'fail-open' })).toEqual({})
  })
})
