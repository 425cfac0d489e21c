import cluster from 'node:cluster'
import type { Logger } from 'pino'
import type { Config } from '../config/config-schema.ts'
import {
  createIpcInvalidationBus,
  createRedisInvalidationBus,
  type CacheChange,
  type InvalidationBus,
} from '../infra/cluster/invalidation-bus.ts'
import { CACHE_CHANGE_KINDS } from '../infra/cluster/invalidation-bus.ts'
import { warnOnceAMinute } from '../infra/warn-once-a-minute.ts'

/**
 * How this process hears of other processes' changes (docs/architecture.md, "Several workers and hosts"): Redis
 * pub/sub when REDIS_URL is set (every worker, every host), else the cluster primary's relay for a worker, else
 * nobody (one process alone).
 */
export function invalidationBusFor(
  config: Readonly<Config>,
): ((apply: (change: CacheChange) => void, logger: Logger) => Promise<InvalidationBus>) | undefined {
  if (config.REDIS_URL) {
    const url = config.REDIS_URL
    return (apply, logger) =>
      createRedisInvalidationBus({
        url,
        onChange: apply,
        onResubscribed: () => {
          for (const what of CACHE_CHANGE_KINDS) if (what !== 'circuit') apply({ what })
        },
        onError: warnOnceAMinute(
          logger,
          'cache invalidation over Redis failed; other processes hear of changes through the database meanwhile',
        ),
      })
  }
  if (cluster.isWorker) return async (apply) => createIpcInvalidationBus(apply)
  return undefined
}
