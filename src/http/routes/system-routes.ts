import { sql, type Kysely } from 'kysely'
import type { Database } from '../../infra/db/database-types.ts'
import { route } from '../define-route.ts'
import { publicPrices } from '../../services/billing/price-service.ts'
import { readSettlementStats } from '../../billing/settlement-stats.ts'

/**
 * The longest /ready waits for the database: probes (a load balancer's, Kubernetes') give up after a second or
 * two, and a database that takes longer to answer `select 1` is not one to send traffic to.
 */
export const READY_PROBE_MS = 2000

/** Whether the database answers `select 1` within READY_PROBE_MS; a hung database never holds the probe. */
async function probeDatabase(db: Kysely<Database>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), READY_PROBE_MS)))
  const probe = sql`select 1`.execute(db).then(
    () => true,
    () => false,
  )
  try {
    return await Promise.race([probe, timeout])
  } finally {
    clearTimeout(timer)
  }
}

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
    auth: 'public',
    tag: 'public',
    summary: 'Global price list for the public pricing page',
    handler: async ({ deps }) => publicPrices({ db: deps.db.db, clock: deps.clock }),
  }),
]
