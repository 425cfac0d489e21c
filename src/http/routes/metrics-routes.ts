import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Registry } from 'prom-client'
import { AppError } from '../../domain/errors.ts'
import { safeEqual } from '../../infra/crypto/safe-equal.ts'
import type { AppDeps } from '../app-deps.ts'
import { satisfies } from '../principal.ts'
import { resolvePrincipal } from '../resolve-principal.ts'

function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization
  if (typeof h !== 'string') return undefined
  return /^Bearer\s+(\S+)$/i.exec(h.trim())?.[1]
}

/**
 * Whether the caller may read the metrics: the scrape token (`METRICS_TOKEN`, for Prometheus), the
 * `x-admin-key`, or an admin's session (bearer or dashboard cookie). Anything else is 401 — a user's session
 * included, so the answer never tells which accounts exist.
 */
async function mayScrape(deps: AppDeps, req: FastifyRequest): Promise<boolean> {
  const token = deps.config.METRICS_TOKEN
  if (token && safeEqual(bearerToken(req), token)) return true
  try {
    return satisfies(await resolvePrincipal(deps, req, 'admin'), 'admin')
  } catch (err) {
    if (err instanceof AppError && (err.status === 401 || err.status === 403)) return false
    throw err
  }
}

/** What `/metrics` serves: this instance's registry, or a cluster's totals (docs/architecture.md, "Several workers and hosts"). */
export type MetricsExposition = Pick<Registry, 'metrics' | 'contentType'>

/** `GET /metrics`: the Prometheus text exposition of this gateway instance's registry (or of its cluster). */
export function registerMetricsRoute(app: FastifyInstance, deps: AppDeps, registry: MetricsExposition): void {
  app.get('/metrics', async (req, reply) => {
    if (!(await mayScrape(deps, req))) throw new AppError('unauthorized', 'Authentication required')
    const text = await registry.metrics()
    return reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(text)
  })
}
