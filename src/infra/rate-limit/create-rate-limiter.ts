import type { Clock } from '../clock.ts'
import { createMemoryRateLimiter } from './create-memory-rate-limiter.ts'
import { createRedisRateLimiter, type RedisRateLimiterOptions } from './create-redis-rate-limiter.ts'
import type { RateLimiter } from './rate-limiter-types.ts'

export interface RateLimiterConfig extends Omit<RedisRateLimiterOptions, 'url'> {
  /** REDIS_URL; without it the limiter is in-process (one gateway process only). */
  redisUrl?: string
  clock?: Clock
}

/**
 * Redis when REDIS_URL is set, shared by all processes; otherwise the in-process limiter
 * (docs/architecture.md, *Money › Rate limits*).
 */
export function createRateLimiter(config: RateLimiterConfig): RateLimiter {
  const { redisUrl, ...rest } = config
  if (redisUrl) return createRedisRateLimiter({ ...rest, url: redisUrl })
  return createMemoryRateLimiter({ clock: config.clock })
}
