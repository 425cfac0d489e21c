import type { IncomingHttpHeaders } from 'node:http'

export const KEY_CONFLICT: unique symbol = Symbol('conflicting API keys')

/**
 * The documented key carriers only: `Authorization: Bearer`, `x-api-key`, `x-goog-api-key`, Gemini's `?key=`.
 * Duplicated or conflicting carriers are refused rather than guessed between.
 */
export function extractClientKey(
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): string | null | typeof KEY_CONFLICT {
  const found: string[] = []
  const auth = headers.authorization
  if (typeof auth === 'string' && auth.length > 0) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth)
    if (!m) return null
    found.push(m[1])
  }
  for (const name of ['x-api-key', 'x-goog-api-key'] as const) {
    const v = headers[name]
    if (Array.isArray(v)) return KEY_CONFLICT
    if (typeof v === 'string' && v.length > 0) found.push(v.trim())
  }
  const q = query.getAll('key')
  if (q.length > 1) return KEY_CONFLICT
  if (q.length === 1 && q[0]) found.push(q[0])
  if (found.length === 0) return null
  return found.every((k) => k === found[0]) ? found[0] : KEY_CONFLICT
}
