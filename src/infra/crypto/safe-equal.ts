import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * Constant-time comparison of secrets of any length or type: digests have a fixed length, so
 * `timingSafeEqual` never throws and the length of the secret is not leaked.
 */
export function safeEqual(given: unknown, expected: string | undefined): boolean {
  if (typeof given !== 'string' || !expected || given.length === 0) return false
  const a = createHash('sha256').update(given, 'utf8').digest()
  const b = createHash('sha256').update(expected, 'utf8').digest()
  return timingSafeEqual(a, b)
}
