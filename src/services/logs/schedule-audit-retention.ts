import type { BaseLogger } from 'pino'
import type { Config } from '../../config/config-schema.ts'
import { removeOldAuditFiles } from '../../infra/audit/remove-old-audit-files.ts'
import { auditDir } from '../../infra/audit/resolve-audit-path.ts'

const DAY_MS = 86_400_000

/** Removes audit day folders older than AUDIT_RETENTION_DAYS at start and then daily; usage rows stay. */
export function scheduleAuditRetention(
  config: Readonly<Config>,
  log: Pick<BaseLogger, 'info' | 'warn'>,
): NodeJS.Timeout {
  const dir = auditDir(config.DATA_DIR)
  const run = () => {
    removeOldAuditFiles(dir, config.AUDIT_RETENTION_DAYS, new Date())
      .then((n) => {
        if (n > 0) log.info({ removed: n }, 'removed old audit folders')
      })
      .catch((err: unknown) => log.warn({ err }, 'audit retention failed'))
  }
  run()
  const timer = setInterval(run, DAY_MS)
  timer.unref()
  return timer
}
