import { createHash, randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REDIS_TEST_URL, requireService } from '../../../test/support/services.ts'
import { keyPattern, ruleKeys } from './build-rate-limit-keys.ts'
import { createRedisRateLimiter } from './create-redis-rate-limiter.ts'
import { registerRateLimiterCases } from '../../../test/support/rate-limiter-contract.ts'
import type { LimitRule } from './rate-limiter-types.ts'
import { runLuaScript } from './run-lua-script.ts'

const url = new URL(REDIS_TEST_URL)
const redisUp = await requireService('Redis', url.hostname, Number(url.port || 6379))
const PREFIX = `test:rl:${randomUUID()}`
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Deletes every key this file created. */
async function cleanup(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_TEST_URL)
  try {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', keyPattern(prefix), 'COUNT', 1000)
      if (keys.length) await redis.unlink(...keys)
      cursor = next
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
}

describe.skipIf(!redisUp)('redis rate limiter', () => {
  afterAll(() => cleanup(PREFIX))

  describe('contract', () => {
    registerRateLimiterCases(() => ({
      create: () =>
        createRedisRateLimiter({
          url: REDIS_TEST_URL,
          prefix: PREFIX,
          commandTimeoutMs: 1000,
          failOpen: true,
        }),
      advance: sleep,
      shared: true,
    }))
  })

  describe('storage', () => {
    const limiter = createRedisRateLimiter({ url: REDIS_TEST_URL, prefix: PREFIX, commandTimeoutMs: 1000 })
    let redis: Redis
    beforeAll(() => {
      redis = new Redis(REDIS_TEST_URL)
    })
    afterAll(async () => {
      await limiter.close()
      redis.disconnect()
    })

    it('keeps every key of a scope in one hash tag, with a TTL', async () => {
      const scope = `g:${randomUUID()}:u:bo}b{`
      const rule: LimitRule = { id: 'tok:1', limitType: 'token_limit', limit: 100, windowSec: 5 }
      expect(
        (
          await limiter.admit({
            scope,
            rules: [rule],
            requestId: 'req-1',
            estimate: { tokens: 7, costNano: 0 },
          })
        ).ok,
      ).toBe(true)
      const keys = ruleKeys(PREFIX, scope, rule.id)
      const tags = Object.values(keys).map((k) => k.slice(k.indexOf('{') + 1, k.indexOf('}')))
      expect(new Set(tags).size).toBe(1)
      expect(await redis.zscore(keys.entries, 'req-1')).not.toBeNull()
      expect(await redis.hget(keys.amounts, 'req-1')).toBe('7')
      expect(await redis.get(keys.sum)).toBe('7')
      for (const k of Object.values(keys)) {
        const ttl = await redis.pttl(k)
        expect(ttl).toBeGreaterThan(5000)
        expect(ttl).toBeLessThanOrEqual(10_000)
      }
    })

    it('two scopes or rules never share a key', () => {
      expect(ruleKeys('p', 'a}:r:b', 'c').entries).not.toBe(ruleKeys('p', 'a', 'b}:r:c').entries)
      expect(ruleKeys('p', 's', 'x:amt').entries).not.toBe(ruleKeys('p', 's', 'x').amounts)
    })

    it('loads a script the server does not know yet (EVALSHA falls back to EVAL)', async () => {
      const body = `return ARGV[1] .. '${randomUUID()}'`
      const script = { name: 'probe', source: body, sha: createHash('sha1').update(body).digest('hex') }
      expect(await redis.script('EXISTS', script.sha)).toEqual([0])
      expect(await runLuaScript(redis, script, [], ['x'])).toMatch(/^x/)
      expect(await redis.script('EXISTS', script.sha)).toEqual([1])
      expect(await runLuaScript(redis, script, [], ['y'])).toMatch(/^y/)
    })

    it('reports healthy after successful calls', async () => {
      const rule: LimitRule = { id: 'r', limitType: 'request_limit', limit: 5, windowSec: 60 }
      const r = await limiter.admit({
        scope: `g:${randomUUID()}:shared`,
        rules: [rule],
        requestId: randomUUID(),
        estimate: { tokens: 0, costNano: 0 },
      })
      expect(r).toMatchObject({ ok: true })
      expect(r.ok && r.degraded).toBeUndefined()
      expect(limiter.health()).toEqual({ backend: 'redis', healthy: true, failOpenCount: 0 })
    })
  })
})
