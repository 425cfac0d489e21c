import type { Clock } from '../clock.ts'
import { createMemoryRateLimiter } from './create-memory-rate-limiter.ts'
import type { AdmitRequest, AdmitResult, LimitRule, UsageAmount } from './rate-limiter-types.ts'

/** The in-process limit that still applies while the shared backend is down, with each rule's share per instance. */
export interface FailOpenGuard {
  admit(req: AdmitRequest): Promise<AdmitResult>
  /** Corrects only requests this guard admitted. */
  settle(scope: string, rules: LimitRule[], requestId: string, actual: UsageAmount): Promise<void>
  close(): Promise<void>
}

const MAX_TRACKED_IDS = 50_000

export function createFailOpenGuard(instances: number, clock: Clock): FailOpenGuard {
  const share = Math.max(1, Math.floor(instances))
  const local = createMemoryRateLimiter({ clock, maxScopes: 20_000 })
  const admitted = new Set<string>()
  const scaled = (rules: LimitRule[]): LimitRule[] => rules.map((r) => ({ ...r, limit: r.limit / share }))

  return {
    async admit(req) {
      const result = await local.admit({ ...req, rules: scaled(req.rules) })
      if (!result.ok) {
        const original = req.rules.find((r) => r.id === result.rule.id) ?? result.rule
        return { ...result, rule: original }
      }
      admitted.add(req.requestId)
      if (admitted.size > MAX_TRACKED_IDS) admitted.delete(admitted.values().next().value as string)
      return result
    },
    async settle(scope, rules, requestId, actual) {
      if (!admitted.delete(requestId)) return
      await local.settle(scope, scaled(rules), requestId, actual)
    },
    close: () => local.close(),
  }
}
