import { ConfigError, loadConfig, readEnv } from './config/load-config.ts'
import { ensureDataDir } from './config/ensure-data-dir.ts'
import { buildApp } from './app.ts'
import { bootstrapSuperadmin } from './services/users/bootstrap-superadmin.ts'
import { scheduleAuditRetention } from './services/logs/schedule-audit-retention.ts'

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
  const built = await buildApp({ config })
  const { app, deps } = built
  const boot = await bootstrapSuperadmin(deps.db.db, deps.clock, {
    superadminUsername: config.SUPERADMIN_USERNAME,
    dataDir: config.DATA_DIR,
    createLocalAdmin: config.databaseKind === 'sqlite' || !config.SUPERADMIN_USERNAME,
  })
  // Reservations left by a crash hold money for nothing: release them before serving. Every reservation older than
  // this start counts as left, so with several gateways on one database the sweep must run before any serves.
  const swept = await built.proxy.billing.sweep(Date.now())
  if (swept > 0) app.log.warn({ swept }, 'released reservations left by an earlier run')
  const retention = scheduleAuditRetention(config, app.log)
  if (generatedSecrets)
    app.log.info(
      { dir: config.DATA_DIR },
      'generated JWT and encryption secrets into secrets.json (mode 0600)',
    )
  await app.listen({ port: config.GATEWAY_PORT, host: config.GATEWAY_HOST })
  if (boot.createdLocalAdmin) {
    // Printed once, on the start that created the account; the password stays in its 0600 file.
    process.stdout.write(
      `\n  Any Gateway is ready at http://127.0.0.1:${config.GATEWAY_PORT}/\n` +
        `  Bootstrap superadmin: username "${boot.createdLocalAdmin.username}", ` +
        `password in ${boot.createdLocalAdmin.passwordFile}\n` +
        `  (cat that file, log in, then change the password or add your own superadmin).\n\n`,
    )
  }
  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    clearInterval(retention)
    built
      .shutdown(config.SHUTDOWN_GRACE_MS)
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        app.log.error({ err }, 'shutdown failed')
        process.exit(1)
      })
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exit(1)
})
