import { mkdirSync } from 'node:fs'
import { ConfigError } from './load-config.ts'

/**
 * Creates DATA_DIR (mode 0700) if it does not exist. Whatever the database, the gateway keeps files there: the
 * bootstrap password, the audit records, and with SQLite the database and generated secrets. Only the SQLite
 * path used to create it, so a first start on PostgreSQL failed writing the bootstrap password.
 */
export function ensureDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error'
    throw new ConfigError(`Invalid configuration:\n  DATA_DIR: cannot create ${dataDir} (${code})`)
  }
}
