import os from 'node:os'
import { ensureDataDir } from '../config/ensure-data-dir.ts'
import { loadConfig, readEnv } from '../config/load-config.ts'
import type { Config } from '../config/config-schema.ts'
import { systemClock, type Clock } from '../infra/clock.ts'
import { createDb, migrate, type Db } from '../infra/db/create-db.ts'
import { publishCacheChanges, type CacheChange } from '../infra/cluster/invalidation-bus.ts'
import { recordCacheChanges } from '../infra/cluster/record-cache-changes.ts'
import { createAdminAuditRecorder, type AdminAuditRecorder } from '../services/record-admin-audit.ts'
import type { CliIo } from './cli-command.ts'

export interface GatewayContext {
  config: Readonly<Config>
  db: Db
  clock: Clock
  /** Records what the command changed in the admin audit, as the admin API does. */
  audit: AdminAuditRecorder
  /** Who the admin audit names: `cli:<system user>`. */
  actor: string
  /**
   * What the command changed that running gateways cache: told to them once the command succeeded, through the
   * database (`cache_changes`, read by every gateway four times a second) and, when REDIS_URL is set, over Redis too
   * (docs/architecture.md, "Caches across processes").
   */
  changed(change: CacheChange): void
  /**
   * Tells the running gateways what `changed` collected; false when neither the database nor Redis took it (their
   * caches then expire within 5 s).
   */
  tellGateways(): Promise<boolean>
  close(): Promise<void>
}

/**
 * The server's own configuration (environment, `.env`, DATA_DIR, DATABASE_URL, secrets) and its database,
 * migrated as a start would: a command sees and changes exactly what the gateway serves.
 */
export async function openGatewayContext(
  io: CliIo,
  opts: { migrate?: boolean } = {},
): Promise<GatewayContext> {
  const { config } = loadConfig(readEnv(io.cwd, io.env), io.cwd)
  ensureDataDir(config.DATA_DIR)
  const db = createDb({
    kind: config.databaseKind,
    sqlitePath: config.sqlitePath,
    postgresUrl: config.DATABASE_URL,
    poolSize: 2,
    preparedStatements: false,
  })
  try {
    if (opts.migrate !== false) await migrate(db)
  } catch (err) {
    await db.close()
    throw err
  }
  let user = 'unknown'
  try {
    user = os.userInfo().username
  } catch {
    // No passwd entry (a container's numeric user): keep "unknown".
  }
  const changes: CacheChange[] = []
  return {
    config,
    db,
    clock: systemClock,
    audit: createAdminAuditRecorder(db.db, systemClock),
    actor: `cli:${user}`,
    changed: (change) => void changes.push(change),
    tellGateways: async () => {
      const told = changes.splice(0)
      if (told.length === 0) return true
      const recorded = await recordCacheChanges(db.db, told).then(
        () => true,
        () => false,
      )
      const published = config.REDIS_URL ? await publishCacheChanges(config.REDIS_URL, told) : false
      return recorded || published
    },
    close: () => db.close(),
  }
}

/** Runs `fn` with the gateway's context and always closes the database. */
export async function withGatewayContext<T>(
  io: CliIo,
  fn: (ctx: GatewayContext) => Promise<T>,
  opts: { migrate?: boolean } = {},
): Promise<T> {
  const ctx = await openGatewayContext(io, opts)
  try {
    const result = await fn(ctx)
    if (!(await ctx.tellGateways()))
      io.stderr('warning: running gateways could not be told; they see the change within 5 s\n')
    return result
  } finally {
    await ctx.close()
  }
}
