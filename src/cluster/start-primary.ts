import cluster, { type Worker } from 'node:cluster'
import pino from 'pino'
import { AggregatorRegistry } from 'prom-client'
import type { Config } from '../config/config-schema.ts'
import { REDACT_PATHS } from '../app.ts'
import { systemClock } from '../infra/clock.ts'
import { createDb, migrate } from '../infra/db/create-db.ts'
import { claimSqliteHolds } from '../infra/db/claim-sqlite-holds.ts'
import { createRateLimiter } from '../infra/rate-limit/create-rate-limiter.ts'
import { createRateLimiterService } from '../infra/cluster/create-ipc-rate-limiter.ts'
import { answerIpcCalls } from '../infra/cluster/ipc-calls.ts'
import { relayInvalidations } from '../infra/cluster/invalidation-bus.ts'
import { markInstanceGone } from '../infra/cluster/gateway-instance.ts'
import { createSettlementWriter } from '../billing/settle-usage.ts'
import { bootstrapSuperadmin } from '../services/users/bootstrap-superadmin.ts'
import { scheduleAuditRetention } from '../services/logs/schedule-audit-retention.ts'
import { warnIfAuditFolderIsSlow } from '../infra/audit/measure-file-creation.ts'
import { announceReady } from './announce-ready.ts'
import { handleStopSignals } from './handle-stop-signals.ts'
import { scheduleOrphanSweep } from './schedule-orphan-sweep.ts'
import { isWorkerReady, METRICS_SERVICE } from './worker-messages.ts'
import { restartDelayMs } from './restart-delay.ts'
import { auditDir } from '../infra/audit/resolve-audit-path.ts'

/** A worker that lived at least this long before it died restarts at once; a quicker death backs off. */
const HEALTHY_LIFE_MS = 10_000

/**
 * The cluster primary (WORKERS ≥ 2; docs/architecture.md, "Several workers and hosts"). It runs the single-instance
 * jobs before any worker serves — migrations, the bootstrap superadmin, the settlements an earlier run left, the
 * sweep of dead processes' holds — and then forks the workers, which share the port. It keeps the audit retention
 * and the periodic sweep, restarts a worker that dies (with a backoff when it keeps dying), owns the rate limiter
 * without Redis, relays cache changes between workers without Redis, and adds up the workers' metrics. SIGTERM or
 * SIGINT drains every worker (each runs its own graceful shutdown) and then exits.
 */
export async function startPrimary(config: Readonly<Config>, generatedSecrets: boolean): Promise<void> {
  const logger = pino({ level: config.LOG_LEVEL, redact: { paths: REDACT_PATHS, censor: '[redacted]' } })
  const db = createDb({
    kind: config.databaseKind,
    sqlitePath: config.sqlitePath,
    postgresUrl: config.DATABASE_URL,
    poolSize: 2,
    preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT_MS,
  })
  // The workers keep their holds in the rows; no other gateway process may keep this file's in its memory while
  // they run. Held for the primary's life (the operating system lets go when it exits); before anything writes.
  if (config.databaseKind === 'sqlite') claimSqliteHolds(config.sqlitePath, 'database')
  await migrate(db)
  const boot = await bootstrapSuperadmin(db.db, systemClock, {
    superadminUsername: config.SUPERADMIN_USERNAME,
    dataDir: config.DATA_DIR,
    createLocalAdmin: config.databaseKind === 'sqlite' || !config.SUPERADMIN_USERNAME,
  })
  // Settlements an earlier run left waiting land before the sweep could release their holds (settle-usage.ts).
  const leftovers = createSettlementWriter(db.db, { journalDir: config.DATA_DIR, logger })
  await leftovers.replayLeftovers()
  leftovers.stop()
  const sweeper = scheduleOrphanSweep(db.db, logger)
  await sweeper.run()
  const retention = scheduleAuditRetention(config, logger)
  if (config.AUDIT_BODIES !== 'off') warnIfAuditFolderIsSlow(auditDir(config.DATA_DIR), logger)
  if (generatedSecrets)
    logger.info(
      { dir: config.DATA_DIR },
      'generated JWT and encryption secrets into secrets.json (mode 0600)',
    )

  // Bigints (money, rate-limit amounts) cross the IPC channel as they are.
  cluster.setupPrimary({ serialization: 'advanced' })
  const limiter = config.REDIS_URL ? null : createRateLimiter({ clock: systemClock })
  const limiterService = limiter ? createRateLimiterService(limiter) : null
  const aggregator = new AggregatorRegistry()

  const count = config.WORKERS
  const slots = new Map<
    number,
    { worker: Worker; startedAt: number; failures: number; instanceId?: string }
  >()
  let stopping = false
  let announced = false
  let ready = 0
  const live = () => [...slots.values()].map((s) => s.worker)

  const fork = (slot: number, failures: number) => {
    const worker = cluster.fork({ GATEWAY_WORKER_ID: String(slot) })
    const state = { worker, startedAt: Date.now(), failures, instanceId: undefined as string | undefined }
    slots.set(slot, state)
    limiterService?.serve(worker)
    if (!config.REDIS_URL) relayInvalidations(worker, live)
    answerIpcCalls(worker, METRICS_SERVICE, { collect: () => aggregator.clusterMetrics() })
    worker.on('message', (m: unknown) => {
      if (!isWorkerReady(m)) return
      state.instanceId = m.instanceId
      if (announced) {
        logger.info({ worker: slot, pid: worker.process.pid }, 'worker restarted and listening')
        return
      }
      if (++ready < count) return
      announced = true
      logger.info(
        { workers: count },
        `Server listening at http://${config.GATEWAY_HOST}:${config.GATEWAY_PORT}`,
      )
      announceReady(config, boot)
    })
    worker.once('exit', (code, signal) => {
      if (slots.get(slot)?.worker === worker) slots.delete(slot)
      if (stopping) return
      // Its holds are nobody's now: released at once, not after its heartbeat goes stale.
      if (state.instanceId) {
        markInstanceGone(db.db, state.instanceId)
          .then(() => sweeper.run())
          .catch((err: unknown) => logger.warn({ err }, 'releasing a dead worker’s reservations failed'))
      }
      if (!announced) {
        // A worker that cannot start (the port taken, a bad database) would fail again: the start fails.
        logger.fatal({ worker: slot, code, signal }, 'a worker failed to start; stopping')
        stopAll('worker failed to start')
          .catch(() => undefined)
          .finally(() => process.exit(1))
        return
      }
      const lived = Date.now() - state.startedAt
      const next = lived >= HEALTHY_LIFE_MS ? 0 : failures + 1
      const delay = restartDelayMs(next)
      logger.error({ worker: slot, code, signal, restartInMs: delay }, 'worker died; restarting it')
      setTimeout(() => {
        if (!stopping) fork(slot, next)
      }, delay)
    })
  }

  const stopAll = async (signal: string) => {
    stopping = true
    clearInterval(retention)
    sweeper.stop()
    const exits = live().map(
      (w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve()))),
    )
    // Each worker drains itself (its own graceful shutdown); the IPC channel stays up meanwhile (its limiter).
    for (const w of live()) w.process.kill(signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM')
    const deadline = setTimeout(() => {
      for (const w of live()) w.process.kill('SIGKILL')
    }, config.SHUTDOWN_GRACE_MS + 15_000)
    await Promise.all(exits)
    clearTimeout(deadline)
    await limiter?.close()
    await db.close()
  }

  handleStopSignals(
    async (signal) => {
      logger.info({ signal }, 'shutting down every worker')
      await stopAll(signal)
    },
    (err) => logger.error({ err }, 'shutdown failed'),
  )
  for (let slot = 1; slot <= count; slot++) fork(slot, 0)
}
