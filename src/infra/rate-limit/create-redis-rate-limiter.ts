import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { systemClock, type Clock } from '../clock.ts'
import { concurrencyKey, ruleKeys } from './build-rate-limit-keys.ts'
import { CircuitBreaker } from './circuit-breaker.ts'
import { createFailOpenGuard, type FailOpenGuard } from './create-fail-open-guard.ts'
import { amountFor, prepareRules, retryAfterSec, ruleState, type PreparedRule } from './prepare-rules.ts'
import {
  ACQUIRE_SCRIPT,
  ADMIT_SCRIPT,
  SETTLE_SCRIPT,
  USAGE_SCRIPT,
  type LuaScript,
} from './rate-limit-scripts.ts'
import type {
  AdmitRequest,
  AdmitResult,
  LimitRule,
  RateLimiter,
  RateLimiterHealth,
  UsageAmount,
} from './rate-limiter-types.ts'
import { RateLimiterUnavailableError } from './rate-limiter-unavailable-error.ts'
import { runLuaScript } from './run-lua-script.ts'
import { DeadlineExceededError, withDeadline } from './with-deadline.ts'
import { errorMessage } from '../../domain/errors.ts'

export interface RedisRateLimiterOptions {
  url: string
  /** Key prefix (also the hash tag's first part); default `rl`. */
  prefix?: string
  /** Upper bound of every call, connection wait included; default 200 ms (REDIS_COMMAND_TIMEOUT_MS). */
  commandTimeoutMs?: number
  /** Redis down or slow: admit anyway (default) or throw RateLimiterUnavailableError (503). */
  failOpen?: boolean
  /** For the circuit breaker, error throttling and the fail-open local limit; window times always come from Redis TIME. */
  clock?: Clock
  /** Consecutive failures before calls fail fast for `cooldownMs` (default 3 and 1000 ms). */
  breaker?: { failureThreshold?: number; cooldownMs?: number }
  /**
   * While failing open, still enforce each rule in-process at `limit / instances` (fail-open bounded by a
   * per-instance local limiter; docs/security.md, *Rate limits when Redis fails*). Off by default: fail-open
   * admits everything.
   */
  failOpenLocalLimit?: { instances: number }
  /** Backend errors, at most one call per `errorLogIntervalMs` (default 5000), with how many were suppressed. */
  onError?: (err: Error, suppressed: number) => void
  errorLogIntervalMs?: number
}

const READY_STATES = new Set(['ready', 'wait', 'connecting', 'connect'])

/**
 * The Redis limiter: one Lua script checks and records all rules of a request atomically, with the time taken
 * from Redis, so every gateway process shares one exact count. Every call is bounded by `commandTimeoutMs`;
 * faults count into the circuit breaker and health(), and then fail open or closed.
 */
export function createRedisRateLimiter(opts: RedisRateLimiterOptions): RateLimiter {
  const prefix = opts.prefix ?? 'rl'
  const timeoutMs = opts.commandTimeoutMs ?? 200
  const failOpen = opts.failOpen ?? true
  const clock = opts.clock ?? systemClock
  const breaker = new CircuitBreaker({
    clock,
    failureThreshold: opts.breaker?.failureThreshold ?? 3,
    cooldownMs: opts.breaker?.cooldownMs ?? 1000,
  })
  const redis = new Redis(opts.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    connectTimeout: Math.max(1000, timeoutMs),
    retryStrategy: (times) => Math.min(100 * times, 2000),
  })
  const guard: FailOpenGuard | null = opts.failOpenLocalLimit
    ? createFailOpenGuard(opts.failOpenLocalLimit.instances, clock)
    : null
  let everReady = false
  let closed = false
  let lastError: string | undefined
  let failOpenCount = 0
  let lastLogAt = -Infinity
  let suppressed = 0
  const logIntervalMs = opts.errorLogIntervalMs ?? 5000

  function noteError(err: Error): void {
    lastError = err.message
    if (!opts.onError) return
    const now = clock.now()
    if (now - lastLogAt < logIntervalMs) {
      suppressed++
      return
    }
    lastLogAt = now
    const n = suppressed
    suppressed = 0
    opts.onError(err, n)
  }

  /** Calls waiting for the first connection: released on 'ready', failed at once when that attempt closes. */
  const waiters = new Set<{ resolve: () => void; reject: (e: Error) => void }>()
  redis.on('error', (err: Error) => noteError(err))
  redis.on('ready', () => {
    everReady = true
    breaker.reset()
    for (const w of waiters) w.resolve()
    waiters.clear()
  })
  redis.on('close', () => {
    for (const w of waiters) w.reject(new Error(`redis connection closed: ${lastError ?? 'unknown'}`))
    waiters.clear()
  })

  function waitForReady(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const w = {
        resolve: () => {
          clearTimeout(timer)
          resolve()
        },
        reject: (e: Error) => {
          clearTimeout(timer)
          reject(e)
        },
      }
      const timer = setTimeout(
        () => {
          waiters.delete(w)
          reject(new DeadlineExceededError('redis connect', timeoutMs))
        },
        Math.max(0, ms),
      )
      waiters.add(w)
    })
  }

  async function ensureReady(deadline: number): Promise<void> {
    if (redis.status === 'ready') return
    // Lazy: the first call connects; later reconnects are ioredis' own, in the background.
    if (redis.status === 'wait') redis.connect().catch(() => undefined) // failures arrive as 'error'/'close'
    if (!everReady && ['wait', 'connecting', 'connect'].includes(redis.status))
      return waitForReady(deadline - performance.now())
    throw new Error(`redis not connected (${redis.status})`)
  }

  /** One bounded backend call: breaker, connection and script together never take longer than timeoutMs. */
  async function call(script: LuaScript, keys: string[], args: (string | number)[]): Promise<unknown> {
    if (closed) throw new Error('rate limiter closed')
    if (!breaker.tryPass())
      throw new Error(`circuit open after ${breaker.consecutiveFailures} failures: ${lastError ?? ''}`)
    const deadline = performance.now() + timeoutMs
    try {
      await ensureReady(deadline)
      const result = await withDeadline(
        runLuaScript(redis, script, keys, args),
        deadline - performance.now(),
        `redis ${script.name}`,
      )
      breaker.success()
      return result
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e))
      breaker.failure()
      noteError(err)
      throw err
    }
  }

  const keysOf = (scope: string, prepared: PreparedRule[]): string[] =>
    prepared.flatMap((p) => {
      const k = ruleKeys(prefix, scope, p.rule.id)
      return [k.entries, k.amounts, k.sum]
    })

  async function admitRemote(req: AdmitRequest, prepared: PreparedRule[]): Promise<AdmitResult> {
    const args: (string | number)[] = [req.requestId, prepared.length]
    for (const p of prepared) args.push(p.kind, p.windowMs, p.limitUnits, amountFor(p.rule, req.estimate))
    const out = (await call(ADMIT_SCRIPT, keysOf(req.scope, prepared), args)) as number[]
    const state = prepared.map((p, i) => ruleState(p.rule, Number(out[3 + 2 * i]), Number(out[4 + 2 * i])))
    if (Number(out[0]) === 1) return { ok: true, state }
    return {
      ok: false,
      rule: prepared[Number(out[1]) - 1].rule,
      retryAfterSec: retryAfterSec(Number(out[2])),
      state,
    }
  }

  function unavailable(e: unknown): RateLimiterUnavailableError {
    return new RateLimiterUnavailableError(errorMessage(e), { cause: e })
  }

  async function admit(req: AdmitRequest): Promise<AdmitResult> {
    const prepared = prepareRules(req.rules)
    if (prepared.length === 0) return { ok: true, state: [] }
    try {
      return await admitRemote(req, prepared)
    } catch (e) {
      if (!failOpen) throw unavailable(e)
      if (guard) {
        const local = await guard.admit(req)
        if (!local.ok) return local
      }
      failOpenCount++
      return { ok: true, state: [], degraded: 'fail-open' }
    }
  }

  async function settle(
    scope: string,
    rules: LimitRule[],
    requestId: string,
    actual: UsageAmount,
  ): Promise<void> {
    const prepared = prepareRules(rules).filter((p) => p.kind === 'a')
    if (guard) await guard.settle(scope, rules, requestId, actual)
    if (prepared.length === 0) return
    const args: (string | number)[] = [requestId, prepared.length]
    for (const p of prepared) args.push(p.windowMs, amountFor(p.rule, actual))
    // Settlement runs after the response: a fault is recorded (breaker, health) and never thrown.
    await call(SETTLE_SCRIPT, keysOf(scope, prepared), args).catch(() => undefined)
  }

  async function usage(scope: string, rule: LimitRule): Promise<number> {
    const [p] = prepareRules([rule])
    if (!p) return 0
    try {
      const units = await call(USAGE_SCRIPT, keysOf(scope, [p]), [p.kind, p.windowMs])
      return ruleState(p.rule, Number(units), 0).used
    } catch (e) {
      if (!failOpen) throw unavailable(e)
      return 0
    }
  }

  async function acquireConcurrency(
    key: string,
    max: number,
    ttlSec: number,
  ): Promise<null | (() => Promise<void>)> {
    const leaseKey = concurrencyKey(prefix, key)
    const leaseId = randomUUID()
    try {
      const got = await call(
        ACQUIRE_SCRIPT,
        [leaseKey],
        [max, Math.max(1, Math.round(ttlSec * 1000)), leaseId],
      )
      if (Number(got) !== 1) return null
    } catch (e) {
      if (!failOpen) throw unavailable(e)
      failOpenCount++
      return async () => undefined
    }
    let released = false
    return async () => {
      if (released || closed) return
      released = true
      // A lost release only keeps the slot until the lease's ttl.
      await withDeadline(redis.zrem(leaseKey, leaseId), timeoutMs, 'redis release').catch((e: unknown) =>
        noteError(e instanceof Error ? e : new Error(String(e))),
      )
    }
  }

  function health(): RateLimiterHealth {
    const healthy = !closed && breaker.consecutiveFailures === 0 && READY_STATES.has(redis.status)
    return { backend: 'redis', healthy, ...(lastError !== undefined && { lastError }), failOpenCount }
  }

  async function close(): Promise<void> {
    if (closed) return
    closed = true
    await guard?.close()
    if (redis.status === 'ready')
      await withDeadline(redis.quit(), timeoutMs, 'redis quit').catch(() => undefined)
    redis.disconnect()
  }

  return { admit, settle, usage, acquireConcurrency, health, close }
}
