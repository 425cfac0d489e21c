import cluster from 'node:cluster'
import { ConfigError, loadConfig, readEnv } from './config/load-config.ts'
import { ensureDataDir } from './config/ensure-data-dir.ts'
import type { Config } from './config/config-schema.ts'
import { buildApp } from './app.ts'
import { bootstrapSuperadmin } from './services/users/bootstrap-superadmin.ts'
import { scheduleAuditRetention } from './services/logs/schedule-audit-retention.ts'
import { warnIfAuditFolderIsSlow } from './infra/audit/measure-file-creation.ts'
import { announceReady } from './cluster/announce-ready.ts'
import { invalidationBusFor } from './cluster/create-invalidation-bus.ts'
import { handleStopSignals } from './cluster/handle-stop-signals.ts'
import { scheduleOrphanSweep } from './cluster/schedule-orphan-sweep.ts'
import { startPrimary } from './cluster/start-primary.ts'
import { startWorker } from './cluster/start-worker.ts'
import { auditDir } from './infra/audit/resolve-audit-path.ts'

/** WORKERS=1: the whole gateway in this one process. */
async function startSingle(config: Readonly<Config>, generatedSecrets: boolean): Promise<void> {
  // The one process reserving against a SQLite file holds in memory, without a commit per request
  // (docs/architecture.md, "Reservations in memory"); buildApp falls back to the rows if another process reserves.
  const built = await buildApp({ config, invalidationBus: invalidationBusFor(config), holdsKept: 'memory' })
  const { app, deps } = built
  const boot = await bootstrapSuperadmin(deps.db.db, deps.clock, {
    superadminUsername: config.SUPERADMIN_USERNAME,
    dataDir: config.DATA_DIR,
    createLocalAdmin: config.databaseKind === 'sqlite' || !config.SUPERADMIN_USERNAME,
  })
  // Holds a crash left behind hold money for nothing: released before serving, and then those of any gateway
  // process sharing the database that dies — never a live one's (docs/architecture.md, "Several workers and hosts").
  const sweeper = scheduleOrphanSweep(deps.db.db, app.log)
  await sweeper.run()
  const retention = scheduleAuditRetention(config, app.log)
  if (config.AUDIT_BODIES !== 'off') warnIfAuditFolderIsSlow(auditDir(config.DATA_DIR), app.log)
  if (generatedSecrets)
    app.log.info(
      { dir: config.DATA_DIR },
      'generated JWT and encryption secrets into secrets.json (mode 0600)',
    )
  handleStopSignals(
    async (signal) => {
      app.log.info({ signal }, 'shutting down')
      clearInterval(retention)
      sweeper.stop()
      await built.shutdown(config.SHUTDOWN_GRACE_MS)
    },
    (err) => app.log.error({ err }, 'shutdown failed'),
  )
  await app.listen({ port: config.GATEWAY_PORT, host: config.GATEWAY_HOST })
  announceReady(config, boot)
}

async function main(): Promise<void> {
  // Everything written under DATA_DIR (database, WAL, secrets, audit files) is private to the service user.
  process.umask(0o077)
  let loaded
  try {
    loaded = loadConfig(readEnv(process.cwd(), process.env))
    ensureDataDir(loaded.config.DATA_DIR)
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`)
      process.exit(1)
    }
    throw err
  }
  const { config, generatedSecrets } = loaded
  if (cluster.isWorker) return startWorker(config, Number(process.env.GATEWAY_WORKER_ID))
  if (config.WORKERS > 1) return startPrimary(config, generatedSecrets)
  return startSingle(config, generatedSecrets)
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exit(1)
})
