import { randomUUID } from 'node:crypto'
import { systemClock, type Clock } from '../clock.ts'
import { amountFor, prepareRules, retryAfterSec, ruleState, type PreparedRule } from './prepare-rules.ts'
import type {
  AdmitRequest,
  AdmitResult,
  LimitRule,
  RateLimiter,
  RuleState,
  UsageAmount,
} from './rate-limiter-types.ts'
import { SlidingWindow } from './sliding-window.ts'

export interface MemoryRateLimiterOptions {
  clock?: Clock
  /** Most scopes tracked at once; past it, expired scopes are swept, then the least recently used is dropped. */
  maxScopes?: number
  /** Most concurrency keys tracked at once (keys with no live lease are dropped). */
  maxConcurrencyKeys?: number
}

type Scope = Map<string, SlidingWindow>

const SWEEP_EVERY_OPS = 256
const SWEEP_BATCH = 64

/**
 * The in-process limiter (no REDIS_URL): same semantics as the Redis one within one process. JavaScript runs
 * each call to completion, so check-and-record is atomic without locks.
 */
export function createMemoryRateLimiter(opts: MemoryRateLimiterOptions = {}): RateLimiter {
  const clock = opts.clock ?? systemClock
  const maxScopes = opts.maxScopes ?? 100_000
  const maxConcurrencyKeys = opts.maxConcurrencyKeys ?? 100_000
  /** Insertion order = least recently used first. */
  const scopes = new Map<string, Scope>()
  const leases = new Map<string, Map<string, number>>()
  let ops = 0

  function sweep(limit: number): void {
    const now = clock.now()
    let seen = 0
    for (const [name, scope] of scopes) {
      if (seen++ >= limit) break
      dropEmpty(name, scope, now)
    }
  }

  function dropEmpty(name: string, scope: Scope, now: number): void {
    for (const [ruleId, w] of scope) {
      w.trim(now)
      if (w.size === 0) scope.delete(ruleId)
    }
    if (scope.size === 0) scopes.delete(name)
  }

  function tick(): void {
    if (++ops % SWEEP_EVERY_OPS === 0) sweep(SWEEP_BATCH)
  }

  /** The scope, moved to the most recently used end; created only when `create`. */
  function scopeOf(name: string, create: boolean): Scope | undefined {
    const found = scopes.get(name)
    if (found) {
      scopes.delete(name)
      scopes.set(name, found)
      return found
    }
    if (!create) return undefined
    if (scopes.size >= maxScopes) sweep(SWEEP_BATCH)
    while (scopes.size >= maxScopes) {
      const oldest = scopes.keys().next().value as string
      scopes.delete(oldest)
    }
    const scope: Scope = new Map()
    scopes.set(name, scope)
    return scope
  }

  function windowOf(scope: Scope, rule: PreparedRule): SlidingWindow {
    let w = scope.get(rule.rule.id)
    if (!w) {
      w = new SlidingWindow(rule.windowMs)
      scope.set(rule.rule.id, w)
    }
    return w
  }

  function admit(req: AdmitRequest): AdmitResult {
    tick()
    const prepared = prepareRules(req.rules)
    if (prepared.length === 0) return { ok: true, state: [] }
    const now = clock.now()
    const scope = scopeOf(req.scope, true) as Scope
    const windows = prepared.map((p) => windowOf(scope, p))
    const amounts = prepared.map((p) => amountFor(p.rule, req.estimate))
    const used = windows.map((w, i) => w.trim(now, prepared[i].windowMs))
    let failed = -1
    let failedMs = -1
    prepared.forEach((p, i) => {
      if (used[i] + amounts[i] <= p.limitUnits) return
      const ms =
        amounts[i] > p.limitUnits
          ? p.windowMs
          : windows[i].msUntilFreed(used[i] + amounts[i] - p.limitUnits, now)
      if (ms > failedMs) {
        failed = i
        failedMs = ms
      }
    })
    if (failed >= 0) {
      const state = prepared.map((p, i) => ruleState(p.rule, used[i], windows[i].resetMs(now)))
      dropEmpty(req.scope, scope, now)
      return { ok: false, rule: prepared[failed].rule, retryAfterSec: retryAfterSec(failedMs), state }
    }
    const state: RuleState[] = prepared.map((p, i) => {
      const w = windows[i]
      if (p.kind === 'r') {
        if (!w.has(req.requestId)) w.record(req.requestId, 1, now)
      } else {
        w.record(req.requestId, amounts[i], now)
      }
      return ruleState(p.rule, w.sum, w.resetMs(now))
    })
    return { ok: true, state }
  }

  function settle(scopeName: string, rules: LimitRule[], requestId: string, actual: UsageAmount): void {
    tick()
    const prepared = prepareRules(rules).filter((p) => p.kind === 'a')
    if (prepared.length === 0) return
    const now = clock.now()
    const amounts = prepared.map((p) => amountFor(p.rule, actual))
    const scope = scopeOf(
      scopeName,
      amounts.some((a) => a > 0),
    )
    if (!scope) return
    prepared.forEach((p, i) => {
      const w = windowOf(scope, p)
      w.trim(now, p.windowMs)
      w.correct(requestId, amounts[i], now)
    })
    dropEmpty(scopeName, scope, now)
  }

  function usage(scopeName: string, rule: LimitRule): number {
    const [p] = prepareRules([rule])
    const w = p ? scopes.get(scopeName)?.get(p.rule.id) : undefined
    if (!p || !w) return 0
    const units = w.trim(clock.now(), p.windowMs)
    return ruleState(p.rule, units, 0).used
  }

  function acquireConcurrency(key: string, max: number, ttlSec: number): (() => Promise<void>) | null {
    const now = clock.now()
    let held = leases.get(key)
    if (held) {
      for (const [id, expires] of held) if (expires <= now) held.delete(id)
    }
    if ((held?.size ?? 0) >= max) return null
    if (!held) {
      if (leases.size >= maxConcurrencyKeys) {
        for (const [k, m] of leases) {
          for (const [id, expires] of m) if (expires <= now) m.delete(id)
          if (m.size === 0) leases.delete(k)
        }
        if (leases.size >= maxConcurrencyKeys) leases.delete(leases.keys().next().value as string)
      }
      held = new Map()
      leases.set(key, held)
    }
    const id = randomUUID()
    held.set(id, now + Math.max(1, ttlSec * 1000))
    let released = false
    return async () => {
      if (released) return
      released = true
      const m = leases.get(key)
      if (!m) return
      m.delete(id)
      if (m.size === 0) leases.delete(key)
    }
  }

  return {
    admit: async (req) => admit(req),
    settle: async (scope, rules, requestId, actual) => settle(scope, rules, requestId, actual),
    usage: async (scope, rule) => usage(scope, rule),
    acquireConcurrency: async (key, max, ttlSec) => acquireConcurrency(key, max, ttlSec),
    health: () => ({ backend: 'memory', healthy: true, failOpenCount: 0 }),
    close: async () => {
      scopes.clear()
      leases.clear()
    },
  }
}
