import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parse as parseDotenv } from 'dotenv'
import { configSchema, type Config, type RawConfig } from './config-schema.ts'

export class ConfigError extends Error {}

interface StoredSecrets {
  jwt_secret: string
  encryption_key: string
}

/** Reads `.env` without overriding variables already set in the environment. */
export function readEnv(cwd: string, env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const file = path.join(cwd, '.env')
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {}
  return { ...fromFile, ...env }
}

function parseRaw(env: Record<string, string | undefined>): RawConfig {
  const result = configSchema.safeParse(env)
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(config)'}: ${i.message}`)
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`)
  }
  return result.data
}

export function sqlitePathFrom(url: string | undefined, dataDir: string): string {
  if (!url) return path.join(dataDir, 'gateway.db')
  if (url === ':memory:' || url === 'sqlite::memory:') return ':memory:'
  // Accept the original's SQLAlchemy form `sqlite+aiosqlite:///./data/gateway.db` as well as `sqlite:./x.db` and `file:`.
  return url.replace(/^sqlite(\+\w+)?:(\/\/\/?)?/, '').replace(/^file:/, '')
}

function loadOrCreateSecrets(dataDir: string): { secrets: StoredSecrets; created: boolean } {
  const file = path.join(dataDir, 'secrets.json')
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as StoredSecrets
    if (!parsed.jwt_secret || !parsed.encryption_key) throw new ConfigError(`${file} is incomplete`)
    return { secrets: parsed, created: false }
  }
  const secrets: StoredSecrets = {
    jwt_secret: randomBytes(48).toString('base64url'),
    encryption_key: randomBytes(32).toString('hex'),
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600, flag: 'wx' })
  chmodSync(file, 0o600)
  return { secrets, created: true }
}

export function decodeEncryptionKey(value: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64')
}

/**
 * Parses every setting once into a frozen object. With SQLite and no secrets given, secrets are generated once
 * into DATA_DIR (mode 0600) and reused; with PostgreSQL several hosts must share them, so they must be given.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  cwd = process.cwd(),
): { config: Readonly<Config>; generatedSecrets: boolean } {
  const raw = parseRaw(env)
  const dataDir = path.resolve(cwd, raw.DATA_DIR)
  const databaseKind =
    raw.DATABASE_URL && /^postgres(ql)?:\/\//.test(raw.DATABASE_URL) ? 'postgres' : 'sqlite'
  let jwtSecret = raw.JWT_SECRET
  let encryptionKey = raw.ENCRYPTION_KEY
  let generatedSecrets = false
  if (!jwtSecret || !encryptionKey) {
    if (databaseKind === 'postgres') {
      const missing = [!jwtSecret && 'JWT_SECRET', !encryptionKey && 'ENCRYPTION_KEY']
        .filter(Boolean)
        .join(', ')
      throw new ConfigError(
        `Invalid configuration:\n  ${missing}: required with PostgreSQL (identical on every host)`,
      )
    }
    const { secrets, created } = loadOrCreateSecrets(dataDir)
    jwtSecret ??= secrets.jwt_secret
    encryptionKey ??= secrets.encryption_key
    generatedSecrets = created
  }
  const ldapEnabled = Boolean(
    raw.LDAP_SERVER_URL &&
    ((raw.LDAP_BASE_DN && raw.LDAP_DOMAIN) ||
      raw.LDAP_USER_DN_TEMPLATE ||
      (raw.LDAP_BIND_DN && raw.LDAP_USER_FILTER)),
  )
  const config: Config = {
    ...raw,
    DATA_DIR: dataDir,
    JWT_SECRET: jwtSecret,
    ENCRYPTION_KEY: decodeEncryptionKey(encryptionKey),
    databaseKind,
    sqlitePath: databaseKind === 'sqlite' ? path.resolve(cwd, sqlitePathFrom(raw.DATABASE_URL, dataDir)) : '',
    ldapEnabled,
  }
  if (config.sqlitePath.endsWith(':memory:')) config.sqlitePath = ':memory:'
  return { config: Object.freeze(config), generatedSecrets }
}
