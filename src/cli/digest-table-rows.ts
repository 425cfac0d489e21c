import { createHash } from 'node:crypto'
import type { Row } from './read-table-pages.ts'

const MOD = 1n << 256n

/**
 * One value as text the same way from either driver: integers arrive as bigint (SQLite, PostgreSQL int8) or
 * number (PostgreSQL int4), reals as number, text as string.
 */
function canonical(value: unknown): string {
  if (value === null || value === undefined) return '\u0000null'
  if (typeof value === 'bigint' || typeof value === 'number') return String(value)
  if (Buffer.isBuffer(value)) return `\u0000hex:${value.toString('hex')}`
  if (typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? '1' : '0'
  if (value instanceof Date) return String(value.getTime())
  return JSON.stringify(value)
}

/**
 * A digest of a table's rows that does not depend on their order (the sum of each row's SHA-256 modulo 2^256),
 * so the same rows read from SQLite and PostgreSQL, whose text collations order them differently, digest alike.
 */
export function createRowDigest(columns: readonly string[]) {
  let sum = 0n
  let rows = 0
  return {
    add(page: Row[]): void {
      for (const row of page) {
        const h = createHash('sha256')
        for (const c of columns) h.update(canonical(row[c])).update('\u0000|')
        sum = (sum + BigInt(`0x${h.digest('hex')}`)) % MOD
        rows++
      }
    },
    result: () => ({ rows, digest: sum.toString(16).padStart(64, '0') }),
  }
}
