import crypto, { randomBytes } from 'node:crypto'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** `sk-` + 48 uniform base62 characters (≈285 bits of entropy, well above the 32 random bytes required). */
export function generateApiKey(): string {
  let out = 'sk-'
  while (out.length < 3 + 48) {
    for (const byte of randomBytes(64)) {
      // Rejection sampling keeps every character uniform.
      if (byte < 248 && out.length < 3 + 48) out += BASE62[byte % 62]
    }
  }
  return out
}

/** Keys are high-entropy, so an unsalted SHA-256 is safe and allows one indexed lookup. */
export function hashApiKey(key: string): string {
  // The one-shot `crypto.hash` (Node ≥ 20.12) skips the Hash object; it runs for every proxied request.
  return crypto.hash('sha256', key, 'hex')
}

/** What may be shown after creation: the first characters only. */
export function apiKeyPrefix(key: string): string {
  return `${key.slice(0, 7)}…${key.slice(-4)}`
}

/** A syntactic check before any lookup, so junk never reaches the database or the cache. */
export function looksLikeApiKey(key: string): boolean {
  return key.length >= 20 && key.length <= 200 && /^sk-[A-Za-z0-9_-]+$/.test(key)
}
