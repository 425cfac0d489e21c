import { mkdirSync } from 'node:fs'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, Migrator, PostgresDialect, type Migration, type MigrationProvider } from 'kysely'
import pg from 'pg'
import type { Database } from './database-types.ts'
import { initialSchema } from './migrations/001-initial-schema.ts'
import { reservationsMigration } from './migrations/002-reservations.ts'
import { sessionVersionMigration } from './migrations/003-session-version.ts'
import { keyFrozenByMigration } from './migrations/004-key-frozen-by.ts'
import { rateLimitAppliesToMigration } from './migrations/005-rate-limit-applies-to.ts'
import { channelTagsAndLatencyMigration } from './migrations/006-channel-tags-and-latency.ts'
import { usageClientIpMigration } from './migrations/007-usage-client-ip.ts'
import { ledgerNoteMigration } from './migrations/008-ledger-note.ts'
import { reservationOwnerMigration } from './migrations/009-reservation-owner.ts'
import { channelResponsesApiMigration } from './migrations/010-channel-responses-api.ts'
import { cacheChangesMigration } from './migrations/011-cache-changes.ts'
import { registerRawSqlite } from './raw-sqlite.ts'
import { ImmediateSqliteDialect } from './immediate-sqlite-dialect.ts'
import { createStatementNames, prepareRepeatedStatements } from './prepare-repeated-statements.ts'
import { boundPostgresPool, type PostgresLimits } from './bound-postgres-pool.ts'
import { checkpointInBackground } from './checkpoint-in-background.ts'

export type DbKind = 'sqlite' | 'postgres'

export interface Db {
  kind: DbKind
  db: Kysely<Database>
  close(): Promise<void>
}

// int8 (bigint) as JS bigint, so money above 2^53 nano-USD stays exact.
pg.types.setTypeParser(20, (v) => BigInt(v))

export interface DbOptions {
  kind: DbKind
  sqlitePath?: string
  postgresUrl?: string
  poolSize?: number
  /**
   * PostgreSQL: send repeated writes as named prepared statements (default true). Off for a connection pooler
   * that cannot keep them across its server connections (PgBouncer in transaction mode before 1.21).
   */
  preparedStatements?: boolean
  /**
   * PostgreSQL: a pooled connection that fails while idle (the server restarted, an administrator ended it).
   * The pool drops it and opens a new one when needed; this only reports it. Without a listener the pool's
   * 'error' event would end the process.
   */
  onIdleConnectionError?: (error: Error) => void
  /** PostgreSQL: bound on opening a connection or waiting for a free one (DATABASE_CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number
  /** PostgreSQL: bound on one statement, migrations excepted (DATABASE_QUERY_TIMEOUT_MS); 0 = none. */
  queryTimeoutMs?: number
  /**
   * SQLite file: WAL checkpoints run on a thread of their own instead of inside this connection's commits
   * (checkpoint-in-background.ts) — for the gateway's serving connection, whose commits are on the event loop.
   */
  checkpointInBackground?: boolean
  /** The checkpoint thread ended on its own (checkpoint-in-background.ts): the connection checkpoints again. */
  onCheckpointThreadStopped?: (error: Error) => void
}

/** The bounds of each PostgreSQL handle; `migrate` lifts the statement bound while it runs. */
const postgresLimits = new WeakMap<Db, PostgresLimits>()

export function createDb(opts: DbOptions): Db {
  if (opts.kind === 'postgres') {
    const limits: PostgresLimits = {
      connectTimeoutMs: opts.connectTimeoutMs ?? 5000,
      queryTimeoutMs: opts.queryTimeoutMs ?? 15_000,
    }
    const pool = new pg.Pool({
      connectionString: opts.postgresUrl,
      max: opts.poolSize ?? 10,
      connectionTimeoutMillis: limits.connectTimeoutMs,
      // A peer that vanished without a reset (host down, dropped route) is noticed on idle connections too.
      keepAlive: true,
    })
    pool.on('error', (error) => opts.onIdleConnectionError?.(error))
    if (opts.preparedStatements !== false) {
      const names = createStatementNames()
      pool.on('connect', (client) => prepareRepeatedStatements(client, names))
    }
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: boundPostgresPool(pool, limits) }),
    })
    const handle: Db = { kind: 'postgres', db, close: () => db.destroy() }
    postgresLimits.set(handle, limits)
    return handle
  }
  const file = opts.sqlitePath ?? ':memory:'
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  const sqlite = new SQLite(file)
  const mode = sqlite.pragma('journal_mode = WAL', { simple: true }) as string
  if (file !== ':memory:' && mode !== 'wal') throw new Error(`SQLite refused WAL mode (got ${mode})`)
  sqlite.pragma('busy_timeout = 10000')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('synchronous = NORMAL')
  // 8 MiB of page cache: the hot path touches the right edges of a few B-trees (new usage, ledger and reservation
  // rows) and the rows of users and keys, a few hundred KiB; what the dashboard reads beyond that comes from the OS's
  // file cache. 64 MiB, as before, filled as the file grew: with a 63 MiB database, reservation and settlement held
  // 55 MiB more RSS (208 against 153 MiB) and took no less CPU per request (the growing cache's page faults cost more).
  sqlite.pragma('cache_size = -8192')
  // Statement journals (a multi-row insert inside a transaction keeps the pages it changes, to undo just itself)
  // and sorts stay in memory: by default one past 64 KiB spills to a new file in /var/tmp, created and deleted
  // again for every settlement batch.
  sqlite.pragma('temp_store = MEMORY')
  sqlite.defaultSafeIntegers(true)
  const cached = withStatementCache(sqlite)
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: cached }) })
  registerRawSqlite(db, cached)
  const checkpoints =
    opts.checkpointInBackground && file !== ':memory:'
      ? checkpointInBackground(sqlite, file, undefined, opts.onCheckpointThreadStopped)
      : null
  return {
    kind: 'sqlite',
    db,
    close: async () => {
      await checkpoints?.stop()
      await db.destroy()
    },
  }
}

/**
 * Kysely prepares every statement anew; on the hot path the same few statements repeat, so prepared statements
 * are kept (bounded) and reused. Schema changes (migrations) clear the cache.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>()
  const prepareRaw = sqlite.prepare.bind(sqlite)
  // Made once: every query goes through here, so no closure or bound function is created per call.
  const prepare = (source: string): SQLite.Statement => {
    const hit = cache.get(source)
    if (hit) return hit
    if (/^\s*(create|alter|drop)\b/i.test(source)) {
      cache.clear()
      return prepareRaw(source)
    }
    const stmt = prepareRaw(source)
    if (cache.size >= max) cache.delete(cache.keys().next().value as string)
    cache.set(source, stmt)
    return stmt
  }
  const bound = new Map<PropertyKey, unknown>()
  return new Proxy(sqlite, {
    get(target, prop, receiver) {
      if (prop === 'prepare') return prepare
      const value = Reflect.get(target, prop, receiver) as unknown
      if (typeof value !== 'function') return value
      let fn = bound.get(prop)
      if (fn === undefined) {
        fn = (value as (...a: unknown[]) => unknown).bind(target)
        bound.set(prop, fn)
      }
      return fn
    },
  })
}

function migrationsFor(kind: DbKind): Record<string, Migration> {
  return {
    '001-initial-schema': initialSchema(kind),
    '002-reservations': reservationsMigration,
    '003-session-version': sessionVersionMigration,
    '004-key-frozen-by': keyFrozenByMigration,
    '005-rate-limit-applies-to': rateLimitAppliesToMigration,
    '006-channel-tags-and-latency': channelTagsAndLatencyMigration,
    '007-usage-client-ip': usageClientIpMigration,
    '008-ledger-note': ledgerNoteMigration,
    '009-reservation-owner': reservationOwnerMigration,
    '010-channel-responses-api': channelResponsesApiMigration,
    '011-cache-changes': cacheChangesMigration,
  }
}

export async function migrate(handle: Db): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(handle.kind) }
  const migrator = new Migrator({ db: handle.db, provider })
  // A migration may rewrite a large table: it runs before the gateway serves, so it is not cut by the bound
  // meant for requests.
  const limits = postgresLimits.get(handle)
  const bound = limits?.queryTimeoutMs ?? 0
  if (limits) limits.queryTimeoutMs = 0
  const { error, results } = await migrator.migrateToLatest().finally(() => {
    if (limits) limits.queryTimeoutMs = bound
  })
  const failed = results?.find((r) => r.status === 'Error')
  if (error || failed) {
    throw new Error(
      `migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`,
    )
  }
}
