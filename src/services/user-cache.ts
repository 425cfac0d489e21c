import type { Kysely } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import { toBool, toNum } from '../infra/db/convert-row-values.ts'
import type { Clock } from '../infra/clock.ts'
import type { Role } from '../contracts/users.ts'

export interface CachedUser {
  id: string
  username: string
  role: Role
  disabled: boolean
  /** A session must carry this number (see src/infra/crypto/jwt.ts). */
  sessionVersion: number
}

/**
 * Authority comes from the database, never from a JWT claim. Entries are keyed by user id (a session names the
 * id), live for `ttlMs` at most and are dropped at once on any change in this process, so a demotion, a
 * password reset or a disabled account takes effect on the next request here and within `ttlMs` on other
 * gateway processes sharing the database.
 */
export function createUserCache(db: Kysely<Database>, clock: Clock, ttlMs = 2000, maxEntries = 10_000) {
  const entries = new Map<string, { value: CachedUser | null; at: number }>()
  const idByName = new Map<string, string>()

  const forget = (id: string) => {
    const hit = entries.get(id)
    if (hit?.value) idByName.delete(hit.value.username)
    entries.delete(id)
  }

  return {
    async get(userId: string): Promise<CachedUser | null> {
      const hit = entries.get(userId)
      if (hit && clock.now() - hit.at < ttlMs) return hit.value
      const row = await db
        .selectFrom('users')
        .select(['id', 'username', 'role', 'disabled', 'session_version'])
        .where('id', '=', userId)
        .executeTakeFirst()
      const value = row
        ? {
            id: row.id,
            username: row.username,
            role: row.role,
            disabled: toBool(row.disabled),
            sessionVersion: toNum(row.session_version),
          }
        : null
      forget(userId)
      if (entries.size >= maxEntries) forget(entries.keys().next().value as string)
      entries.set(userId, { value, at: clock.now() })
      if (value) idByName.set(value.username, userId)
      return value
    },
    /** Drops one user (by username, as the admin routes know them) or everyone. */
    invalidate(username?: string): void {
      if (username === undefined) {
        entries.clear()
        idByName.clear()
        return
      }
      const id = idByName.get(username)
      if (id !== undefined) forget(id)
    },
  }
}
export type UserCache = ReturnType<typeof createUserCache>
