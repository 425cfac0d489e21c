import type { Kysely } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import { hashApiKey } from '../infra/crypto/api-key.ts'
import { parseJson, toBigOrNull, toBool, toNumOrNull } from '../infra/db/convert-row-values.ts'
import type { Role } from '../contracts/users.ts'
import type { MaybePromise } from './value-or-promise.ts'

export interface KeyPrincipal {
  keyId: string
  keyName: string
  username: string | null
  role: Role
  userDisabled: boolean
  groupId: string | null
  frozen: boolean
  expiresAt: number | null
  allowedModels: ReadonlySet<string> | null
  quotaNano: bigint | null
  /** The owner's balance is unlimited (NULL): nothing to reserve against it. */
  userUnlimited: boolean
  rpm: number | null
  tpm: number | null
  maxConcurrency: number | null
}

/**
 * Key lookups by SHA-256, cached for `ttlMs` (bounded) so the hot path does not query the database per request.
 * Freeze, delete and expiry changes made through this process invalidate at once; other processes see them
 * within `ttlMs`. Unknown keys are cached briefly too, so a flood of bad keys cannot hammer the database.
 */
export function createKeyCache(
  db: Kysely<Database>,
  ttlMs = 5000,
  negativeTtlMs = 1000,
  maxEntries = 50_000,
) {
  const byHash = new Map<string, { value: KeyPrincipal | null; at: number }>()

  async function load(hash: string): Promise<KeyPrincipal | null> {
    const row = await db
      .selectFrom('tokens')
      .leftJoin('users', 'users.username', 'tokens.username')
      .select([
        'tokens.id',
        'tokens.name',
        'tokens.username',
        'tokens.group_id',
        'tokens.frozen',
        'tokens.expires_at',
        'tokens.allowed_models',
        'tokens.quota_nano',
        'tokens.rpm',
        'tokens.tpm',
        'tokens.max_concurrency',
        'users.role',
        'users.disabled',
        'users.quota_nano as user_quota_nano',
      ])
      .where('tokens.key_hash', '=', hash)
      .executeTakeFirst()
    if (!row) return null
    const models = parseJson<string[] | null>(row.allowed_models, null)
    return {
      keyId: row.id,
      keyName: row.name,
      username: row.username,
      role: (row.role ?? 'user') as Role,
      userDisabled: row.disabled === null ? false : toBool(row.disabled),
      groupId: row.group_id,
      frozen: toBool(row.frozen),
      expiresAt: toNumOrNull(row.expires_at),
      allowedModels: models && models.length ? new Set(models) : null,
      quotaNano: toBigOrNull(row.quota_nano),
      userUnlimited: row.username !== null && row.role !== null && row.user_quota_nano === null,
      rpm: toNumOrNull(row.rpm),
      tpm: toNumOrNull(row.tpm),
      maxConcurrency: toNumOrNull(row.max_concurrency),
    }
  }

  return {
    /**
     * The key's principal (null: no such key). A cache hit is answered synchronously, not as a promise: the hot
     * path then needs no microtask for it (authenticate-key.ts).
     */
    lookup(key: string, now: number): MaybePromise<KeyPrincipal | null> {
      const hash = hashApiKey(key)
      const hit = byHash.get(hash)
      if (hit && now - hit.at < (hit.value ? ttlMs : negativeTtlMs)) return hit.value
      return load(hash).then((value) => {
        if (byHash.size >= maxEntries) byHash.delete(byHash.keys().next().value as string)
        byHash.set(hash, { value, at: now })
        return value
      })
    },
    /** Drops every cached entry of a key id (or all), after freeze, delete, edit or a user change. */
    invalidate(keyId?: string): void {
      if (keyId === undefined) {
        byHash.clear()
        return
      }
      for (const [hash, entry] of byHash) if (entry.value?.keyId === keyId) byHash.delete(hash)
    },
    invalidateUser(username: string): void {
      for (const [hash, entry] of byHash) if (entry.value?.username === username) byHash.delete(hash)
    },
  }
}
export type KeyCache = ReturnType<typeof createKeyCache>
