import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely'
import pg from 'pg'
import { DatabaseUnavailableError } from './database-unavailable-error.ts'

/** How long the gateway waits on PostgreSQL; read at each query, so a migration can lift the bound for itself. */
export interface PostgresLimits {
  /** Opening a connection, or waiting for a free one of the pool (pg-pool counts both). */
  connectTimeoutMs: number
  /** One statement on a connection; 0 = unbounded. */
  queryTimeoutMs: number
}

/** Node socket errors of a link that is gone or never came up. */
const LINK_ERRORS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/**
 * SQLSTATEs of a server that is going away or cannot take the statement now (connection exceptions, admin or
 * crash shutdown, cannot connect now, too many connections, statement cancelled): the statement itself was fine.
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300|57014)$/

/** Whether an error of the driver means "the database is not there", as opposed to "this statement is wrong". */
export function isConnectionFailure(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) return UNAVAILABLE_SQLSTATE.test(err.code ?? '')
  const e = err as { code?: unknown; message?: unknown } | null
  if (typeof e?.code === 'string' && LINK_ERRORS.has(e.code)) return true
  return (
    typeof e?.message === 'string' &&
    /Connection terminated|not queryable|Client was closed|timeout exceeded when trying to connect/.test(
      e.message,
    )
  )
}

/**
 * The pool Kysely uses, bounded: a connection is waited for at most `connectTimeoutMs`, a statement at most
 * `queryTimeoutMs`, and every failure of the link surfaces as DatabaseUnavailableError (a 503), never a hang or
 * a 500. A connection whose statement timed out or whose link failed is destroyed, not handed back: its socket
 * may be stuck behind a black hole forever, and pg would queue the next statement behind the lost one. The pool
 * opens fresh connections when the database answers again, so recovery needs no restart.
 */
export function boundPostgresPool(raw: pg.Pool, limits: PostgresLimits): PostgresPool {
  // pg emits a link failure as an 'error' event on the client. pg-pool listens only while the client is idle in
  // the pool; one that fails while checked out (a reset during a statement) would throw it as an uncaught
  // exception and end the process. The failing statement itself is rejected and handled below.
  raw.on('connect', (client) => client.on('error', () => undefined))
  return {
    async connect(): Promise<PostgresPoolClient> {
      let client: pg.PoolClient
      try {
        client = await raw.connect()
      } catch (err) {
        throw new DatabaseUnavailableError('connect', { cause: err })
      }
      return boundClient(client, limits)
    },
    end: () => raw.end(),
  }
}

function boundClient(client: pg.PoolClient, limits: PostgresLimits): PostgresPoolClient {
  let broken = false
  const drop = () => {
    broken = true
    // Hard close: a polite Terminate would wait behind the lost statement, possibly forever.
    client.connection.stream.destroy()
  }
  async function run<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>> {
    if (broken) throw new DatabaseUnavailableError('connection lost')
    const pending = client.query(sql, parameters as unknown[]) as unknown as Promise<PostgresQueryResult<R>>
    const ms = limits.queryTimeoutMs
    let timer: NodeJS.Timeout | undefined
    try {
      if (ms <= 0) return await pending
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          drop()
          reject(new DatabaseUnavailableError('statement timed out'))
        }, ms)
      })
      // The lost statement still settles (with "Connection terminated") once its socket is gone.
      pending.catch(() => undefined)
      return await Promise.race([pending, timeout])
    } catch (err) {
      if (err instanceof DatabaseUnavailableError) throw err
      if (!isConnectionFailure(err)) throw err
      drop()
      throw new DatabaseUnavailableError('connection failed', { cause: err })
    } finally {
      clearTimeout(timer)
    }
  }
  const bound = {
    query(sqlOrCursor: string | PostgresCursor<unknown>, parameters?: readonly unknown[]) {
      // Cursors (streaming) are not used by the gateway; they go to the driver untouched.
      if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor as never)
      return run(sqlOrCursor, parameters ?? [])
    },
    release(destroy?: boolean) {
      client.release(destroy || broken ? true : undefined)
    },
  }
  return bound as PostgresPoolClient
}
