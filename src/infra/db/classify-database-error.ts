import { DatabaseUnavailableError } from './database-unavailable-error.ts'

/** The driver's error code: better-sqlite3's `SQLITE_…`, PostgreSQL's SQLSTATE, or Node's `E…` socket codes. */
function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : ''
}

/**
 * A write refused because its primary key was written already. For a settlement, whose key is the request id,
 * that means the settlement landed before (say, its commit went through but the answer was lost on the way back).
 */
export function isDuplicateKeyError(err: unknown): boolean {
  const code = codeOf(err)
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE'
}

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
])
const PG_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection ended',
]

/**
 * The database could not take any write just now (unreachable, restarting, locked by another connection, out of
 * resources): every write would fail the same way, whatever it holds. The opposite of a fault of one write.
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  // The bounded PostgreSQL pool has already judged its link failures and timeouts.
  if (err instanceof DatabaseUnavailableError) return true
  const code = codeOf(err)
  if (code.startsWith('SQLITE_')) {
    return /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|PROTOCOL)/.test(code)
  }
  // SQLSTATE classes 08 (connection), 53 (resources), 57P (operator intervention: shutdown, terminated backend),
  // 55P03 (lock not available), 40001/40P01 (serialisation failure, deadlock).
  if (/^(08|53)...$|^57P0.$/.test(code) || ['55P03', '40001', '40P01'].includes(code)) return true
  if (SOCKET_CODES.has(code)) return true
  const message = err instanceof Error ? err.message : ''
  if (PG_MESSAGES.some((m) => message.includes(m))) return true
  // Kysely and the pool wrap the driver's error now and then.
  const cause = (err as { cause?: unknown } | null)?.cause
  return cause !== undefined && depth < 5 && isDatabaseUnavailable(cause, depth + 1)
}
