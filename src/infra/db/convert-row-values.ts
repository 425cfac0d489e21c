/**
 * The one place where driver value types are reconciled: pg returns int8 and SUM() as strings (we parse int8 to
 * bigint), better-sqlite3 runs with safe integers and returns every integer as bigint.
 */
export function toNum(v: unknown): number {
  if (v === null || v === undefined) return 0
  if (typeof v === 'number') return v
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'string') return Number(v)
  throw new TypeError(`not a number: ${typeof v}`)
}

export function toNumOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : toNum(v)
}

export function toBig(v: unknown): bigint {
  if (v === null || v === undefined) return 0n
  if (typeof v === 'bigint') return v
  if (typeof v === 'number') return BigInt(Math.trunc(v))
  if (typeof v === 'string') return BigInt(v.includes('.') ? v.slice(0, v.indexOf('.')) : v)
  throw new TypeError(`not an integer: ${typeof v}`)
}

export function toBigOrNull(v: unknown): bigint | null {
  return v === null || v === undefined ? null : toBig(v)
}

export function toBool(v: unknown): boolean {
  return v === true || v === 1 || v === 1n || v === '1' || v === 't' || v === 'true'
}

export const boolToInt = (b: boolean): number => (b ? 1 : 0)

export function toIso(ms: unknown): string | null {
  return ms === null || ms === undefined ? null : new Date(toNum(ms)).toISOString()
}

export function parseJson<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string' || text === '') return fallback
  try {
    return JSON.parse(text) as T
  } catch {
    return fallback
  }
}

/** Nano-USD (1e-9 USD) to USD for the API; exact for any realistic balance. */
export function nanoToUsd(nano: bigint | null): number | null {
  if (nano === null) return null
  return Number(nano) / 1e9
}

/** USD from the API to nano-USD, rounded to the nearest nano (USD amounts arrive as decimal numbers). */
export function usdToNano(usd: number): bigint {
  return BigInt(Math.round(usd * 1e9))
}
