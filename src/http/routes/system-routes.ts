import { route } from '../define-route.ts'
import { publicPrices } from '../../services/billing/price-service.ts'
import { readSettlementStats } from '../../billing/settlement-stats.ts'
import { probeDatabase } from '../../infra/db/probe-database.ts'
import { dataOf, health, publicPrice, readiness } from '../../contracts/responses.ts'

export const systemRoutes = [
  route({
    method: 'GET',
    url: '/health',
    response: health,
    auth: 'public',
    tag: 'system',
    summary: 'Liveness: never touches a dependency',
    handler: async () => ({ status: 'healthy' }),
  }),
  route({
    method: 'GET',
    url: '/ready',
    response: readiness,
    auth: 'public',
    tag: 'system',
    summary: 'Readiness: database reachable; Redis state reported',
    handler: async ({ deps, reply }) => {
      const database = (await probeDatabase(deps.db.db)) ? 'ok' : 'unreachable'
      const limiter = deps.limiter.health()
      const settled = readSettlementStats()
      const redis = !deps.config.REDIS_URL ? 'not_configured' : limiter.healthy ? 'ok' : 'unreachable'
      // Redis down is not "not ready" when rate limiting fails open (the default); it is reported here.
      const ready = database === 'ok' && (limiter.healthy || deps.config.RATE_LIMIT_FAIL_OPEN)
      void reply.code(ready ? 200 : 503)
      return {
        status: ready ? 'ready' : 'not_ready',
        database,
        redis,
        rate_limiter: {
          backend: limiter.backend,
          healthy: limiter.healthy,
          fail_open: deps.config.RATE_LIMIT_FAIL_OPEN,
          fail_open_count: limiter.failOpenCount,
        },
        // Settlements the database refused wait for a retry; reported, never "not ready" by themselves.
        settlements: {
          pending: settled.pending,
          failed_attempts: settled.failedAttempts,
          recovered: settled.recovered,
          left_for_next_start: settled.leftForNextStart,
          replayed_at_start: settled.replayed,
        },
      }
    },
  }),
  route({
    method: 'GET',
    url: '/public/model-prices',
    response: dataOf(publicPrice),
    auth: 'public',
    tag: 'public',
    summary: 'Global price list for the public pricing page',
    handler: async ({ deps }) => publicPrices({ db: deps.db.db, clock: deps.clock }),
  }),
]
