import { describe, expect, it } from 'vitest'
import { buildRateLimitHeaders } from './build-rate-limit-headers.ts'
import type { LimitRule } from './rate-limiter-types.ts'

const rule: LimitRule = { id: 'r1', limitType: 'request_limit', limit: 10, windowSec: 60 }

describe('rate limit headers', () => {
  it('a rejection carries Retry-After and the tripped rule', () => {
    const headers = buildRateLimitHeaders({
      ok: false,
      rule,
      retryAfterSec: 17,
      state: [
        { ruleId: 'other', limit: 5, used: 5, remaining: 0, resetSec: 3 },
        { ruleId: 'r1', limit: 10, used: 10, remaining: 0, resetSec: 12 },
      ],
    })
    expect(headers).toEqual({
      'retry-after': '17',
      'x-ratelimit-limit': '10',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '17',
    })
  })

  it('an admission reports the rule closest to its limit', () => {
    const headers = buildRateLimitHeaders({
      ok: true,
      state: [
        { ruleId: 'a', limit: 100, used: 10, remaining: 90, resetSec: 50 },
        { ruleId: 'b', limit: 10, used: 8, remaining: 2, resetSec: 20 },
      ],
    })
    expect(headers).toEqual({
      'x-ratelimit-limit': '10',
      'x-ratelimit-remaining': '2',
      'x-ratelimit-reset': '20',
    })
  })

  it('no rules, no headers', () => {
    expect(buildRateLimitHeaders({ ok: true, state: [], degraded: 'fail-open' })).toEqual({})
  })
})
