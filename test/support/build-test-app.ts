import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import pino from 'pino'
import { buildApp, REDACT_PATHS, type BuiltApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config/load-config.ts'
import { createDb, type DbKind } from '../../src/infra/db/create-db.ts'
import { hashPassword } from '../../src/infra/crypto/password-hash.ts'
import { createTestDatabase, type TestDatabase } from './test-databases.ts'
import { insertTestUser } from './insert-test-user.ts'

import type { Role } from '../../src/contracts/users.ts'

export interface TestApp extends BuiltApp {
  tdb: TestDatabase
  secrets: { jwt: string; adminKey: string; fallbackKey: string; encryptionKey: string }
  /** Everything the app logged, to scan for secrets. */
  logs: string[]
  createUser(username: string, password: string, role?: Role, quotaUsd?: number | null): Promise<void>
  login(username: string, password: string): Promise<string>
  inject: FastifyInstance['inject']
}

export interface TestAppOptions {
  env?: Record<string, string>
  /** A second gateway instance on the same database and secrets as `shared`; the database is not dropped on close. */
  shared?: TestApp
  /** Where the gateway keeps its reservations' holds (app.ts BuildOptions; default: the database's rows). */
  holdsKept?: import('../../src/infra/db/claim-sqlite-holds.ts').HoldsKept
  onProxyFinished?: (outcome: import('../../src/proxy/handle-proxy-request.ts').ProxyOutcome) => void
  /** Resolves channel hosts instead of the system DNS (a DNS server whose answer changes). */
  resolveUpstreamHost?: import('../../src/services/channels/check-upstream-address.ts').ResolveHost
}

export async function buildTestApp(kind: DbKind = 'sqlite', opts: TestAppOptions = {}): Promise<TestApp> {
  const env = opts.env ?? {}
  const owned = !opts.shared
  const tdb = opts.shared?.tdb ?? (await createTestDatabase(kind))
  const secrets = opts.shared?.secrets ?? {
    jwt: randomBytes(32).toString('base64url'),
    adminKey: randomBytes(32).toString('base64url'),
    fallbackKey: randomBytes(32).toString('base64url'),
    encryptionKey: randomBytes(32).toString('hex'),
  }
  const { config } = loadConfig({
    DATA_DIR: tdb.dir,
    DATABASE_URL: tdb.url,
    JWT_SECRET: secrets.jwt,
    ENCRYPTION_KEY: secrets.encryptionKey,
    ADMIN_KEY: secrets.adminKey,
    ADMIN_FALLBACK_KEY: secrets.fallbackKey,
    LOG_LEVEL: 'info',
    ...env,
  })
  const logs: string[] = []
  const logger = pino(
    { level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    { write: (line: string) => void logs.push(line) },
  )
  // A second instance gets its own connection (pool), as a second gateway process would.
  const db2 = owned
    ? tdb.db
    : createDb(
        kind === 'postgres'
          ? { kind, postgresUrl: tdb.url, poolSize: 20 }
          : { kind, sqlitePath: tdb.url.slice('sqlite:'.length), checkpointInBackground: true },
      )
  const built = await buildApp({
    config,
    db: db2,
    logger,
    onProxyFinished: opts.onProxyFinished,
    resolveUpstreamHost: opts.resolveUpstreamHost,
    holdsKept: opts.holdsKept,
  })
  await built.app.ready()
  const db = db2.db
  return {
    ...built,
    tdb,
    secrets,
    logs,
    inject: built.app.inject.bind(built.app),
    async createUser(username, password, role = 'user', quotaUsd = 10) {
      await insertTestUser(db, {
        username,
        passwordHash: await hashPassword(password),
        role,
        quotaNano: quotaUsd === null ? null : BigInt(Math.round(quotaUsd * 1e9)),
      })
    },
    async login(username, password) {
      const res = await built.app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { username, password },
      })
      if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`)
      return (res.json() as { access_token: string }).access_token
    },
    close: async () => {
      await built.close()
      if (owned) await tdb.drop()
      else await db2.close()
    },
  }
}

export const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` })
