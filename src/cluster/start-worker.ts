import { AggregatorRegistry } from 'prom-client'
import type { Config } from '../config/config-schema.ts'
import { buildApp } from '../app.ts'
import { createIpcRateLimiter } from '../infra/cluster/create-ipc-rate-limiter.ts'
import { createIpcCaller } from '../infra/cluster/ipc-calls.ts'
import { invalidationBusFor } from './create-invalidation-bus.ts'
import { handleStopSignals } from './handle-stop-signals.ts'
import { workerReady, METRICS_SERVICE } from './worker-messages.ts'

/**
 * One cluster worker: a full gateway on the shared port (docs/architecture.md, "Several workers and hosts"). The
 * primary has migrated, bootstrapped and swept before forking it; without Redis its rate limits are the primary's
 * and its cache changes go through the primary; `/metrics` answers the primary's totals of every worker.
 */
export async function startWorker(config: Readonly<Config>, workerId: number): Promise<void> {
  const metricsCall = createIpcCaller(METRICS_SERVICE)
  const built = await buildApp({
    config,
    limiter: config.REDIS_URL ? undefined : createIpcRateLimiter(),
    invalidationBus: invalidationBusFor(config),
    workerId,
    metricsExposition: {
      metrics: async () => (await metricsCall('collect')) as string,
      contentType: AggregatorRegistry.PROMETHEUS_CONTENT_TYPE,
    },
  })
  const { app } = built
  // Answers the primary's aggregation requests (prom-client's cluster protocol) with this worker's families.
  new AggregatorRegistry()
  AggregatorRegistry.setRegistries([built.metrics.registry])
  handleStopSignals(
    async (signal) => {
      app.log.info({ signal, worker: workerId }, 'worker shutting down')
      await built.shutdown(config.SHUTDOWN_GRACE_MS)
    },
    (err) => app.log.error({ err }, 'worker shutdown failed'),
  )
  await app.listen({
    port: config.GATEWAY_PORT,
    host: config.GATEWAY_HOST,
    // The primary says "Server listening" once every worker listens.
    listenTextResolver: (address) => `worker ${workerId} listening at ${address}`,
  })
  workerReady(built.instanceId)
}
