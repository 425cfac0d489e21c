import type { IncomingHttpHeaders } from 'node:http'
import { AppError } from '../domain/errors.ts'
import { looksLikeApiKey } from '../infra/crypto/api-key.ts'
import { extractClientKey, KEY_CONFLICT } from './extract-client-key.ts'
import type { KeyPrincipal, KeyCache } from './key-cache.ts'
import { thenMaybe, type MaybePromise } from './value-or-promise.ts'

/** The key a request authenticated with, and whose it is. */
export interface AuthenticatedKey {
  principal: KeyPrincipal
  key: string
}

/**
 * Step 1 of a proxied request (docs/architecture.md): the `sk-` key from one of the documented carriers, looked up
 * (cached) and checked — frozen, expired, owner disabled. Throws the AppError the client is answered with. A key
 * in the cache is answered synchronously (no promise to await on the hot path); otherwise a promise of the same.
 */
export function authenticateKey(
  keys: KeyCache,
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
  now: number,
): MaybePromise<AuthenticatedKey> {
  const key = extractClientKey(headers, query)
  if (key === KEY_CONFLICT) throw new AppError('invalid_api_key', 'Conflicting API keys were sent')
  if (!key) throw new AppError('invalid_api_key', 'An API key is required (Authorization: Bearer sk-…)')
  if (!looksLikeApiKey(key)) throw new AppError('invalid_api_key', 'Invalid API key')
  return thenMaybe(keys.lookup(key, now), (principal) => admitPrincipal(principal, key, now))
}

function admitPrincipal(principal: KeyPrincipal | null, key: string, now: number): AuthenticatedKey {
  if (!principal) throw new AppError('invalid_api_key', 'Invalid API key')
  if (principal.frozen) throw new AppError('key_frozen', 'This API key is frozen')
  if (principal.expiresAt !== null && principal.expiresAt < now)
    throw new AppError('key_expired', 'This API key has expired')
  if (principal.userDisabled) throw new AppError('forbidden', 'The owner of this API key is disabled')
  return { principal, key }
}
