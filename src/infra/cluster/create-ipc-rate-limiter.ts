import type { Worker } from 'node:cluster'
import { randomUUID } from 'node:crypto'
import type {
  AdmitRequest,
  AdmitResult,
  LimitRule,
  RateLimiter,
  UsageAmount,
} from '../rate-limit/rate-limiter-types.ts'
import { answerIpcCalls, createIpcCaller } from './ipc-calls.ts'

const SERVICE = 'limiter'

/**
 * A cluster worker's rate limiter without Redis: every decision is taken by the one in-process limiter the primary
 * owns (serveRateLimiter), so a limit holds across all workers exactly as in one process (docs/architecture.md,
 * "Several workers and hosts"). An admission is one round trip (batched with the others of the same turn,
 * ipc-calls.ts); settlements and releases are one-way notices.
 */
export function createIpcRateLimiter(): RateLimiter {
  const call = createIpcCaller(SERVICE)
  return {
    admit: async (req) => (await call('admit', req)) as AdmitResult,
    settle: async (scope, rules, requestId, actual) => {
      // No answer awaited: settlement never fails for limiter faults (rate-limiter-types.ts), and it reaches the
      // primary before any later call of this worker (one ordered channel). A primary that is stopping loses one
      // correction, as a Redis outage would.
      call.notify('settle', scope, rules, requestId, actual)
    },
    usage: async (scope, rule) => (await call('usage', scope, rule)) as number,
    acquireConcurrency: async (key, max, ttlSec) => {
      const lease = (await call('acquire', key, max, ttlSec)) as string | null
      if (lease === null) return null
      let released = false
      return async () => {
        if (released) return
        released = true
        call.notify('release', lease)
      }
    },
    health: () => ({ backend: 'memory', healthy: true, failOpenCount: 0 }),
    close: async () => undefined,
  }
}

/**
 * The primary's side: answers the workers' limiter calls from `limiter`. A worker's concurrency leases are given
 * back when it exits (a crashed worker's requests are gone with it); its counted requests stay counted.
 */
export function createRateLimiterService(limiter: RateLimiter) {
  const leases = new Map<string, { worker: Worker; release: () => Promise<void> }>()
  return {
    serve(worker: Worker): void {
      answerIpcCalls(worker, SERVICE, {
        admit: (_w, req: AdmitRequest) => limiter.admit(req),
        settle: (_w, scope: string, rules: LimitRule[], requestId: string, actual: UsageAmount) =>
          limiter.settle(scope, rules, requestId, actual),
        usage: (_w, scope: string, rule: LimitRule) => limiter.usage(scope, rule),
        acquire: async (w, key: string, max: number, ttlSec: number) => {
          const release = await limiter.acquireConcurrency(key, max, ttlSec)
          if (!release) return null
          const id = randomUUID()
          leases.set(id, { worker: w, release })
          return id
        },
        release: async (_w, id: string) => {
          const lease = leases.get(id)
          leases.delete(id)
          await lease?.release()
        },
      })
      worker.once('exit', () => {
        for (const [id, lease] of leases) {
          if (lease.worker !== worker) continue
          leases.delete(id)
          void lease.release()
        }
      })
    },
  }
}
