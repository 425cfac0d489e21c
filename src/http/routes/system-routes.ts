import { sql } from 'kysely'
import { route } from '../define-route.ts'
import { publicPrices } from '../../services/billing/price-service.ts'

export const systemRoutes = [
  route({
    method: 'GET',
    url: '/health',
    auth: 'public',
    tag: 'system',
    summary: 'Liveness: never touches a dependency',
    handler: async () => ({ status: 'healthy' }),
  }),
  route({
    method: 'GET',
    url: '/ready',
    auth: 'public',
    tag: 'system',
    summary: 'Readiness: database reachable; Redis state reported',
    handler: async ({ deps, reply }) => {
      let database = 'ok'
      try {
        await sql`select 1`.execute(deps.db.db)
      } catch {
        database = 'unreachable'
      }
      const limiter = deps.limiter.health()
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
      }
    },
  }),
  route({
    method: 'GET',
    url: '/public/model-prices',
    auth: 'public',
    tag: 'public',
    summary: 'Global price list for the public pricing page',
    handler: async ({ deps }) => publicPrices({ db: deps.db.db, clock: deps.clock }),
  }),
]
