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
      const ready = database === 'ok'
      void reply.code(ready ? 200 : 503)
      return {
        status: ready ? 'ready' : 'not_ready',
        database,
        redis: deps.config.REDIS_URL ? 'configured' : 'not_configured',
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
