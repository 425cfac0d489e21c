import type { Kysely } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import { toBool } from '../infra/db/convert-row-values.ts'
import type { Clock } from '../infra/clock.ts'
import type { Role } from '../contracts/users.ts'

export interface CachedUser {
  username: string
  role: Role
  disabled: boolean
}

/**
 * Authority comes from the database, never from a JWT claim. Entries live for `ttlMs` at most and are dropped
 * at once on any change in this process, so a demotion takes effect on the next request.
 */
export function createUserCache(db: Kysely<Database>, clock: Clock, ttlMs = 2000, maxEntries = 10_000) {
  const entries = new Map<string, { value: CachedUser | null; at: number }>()
  return {
    async get(username: string): Promise<CachedUser | null> {
      const hit = entries.get(username)
      if (hit && clock.now() - hit.at < ttlMs) return hit.value
      const row = await db
        .selectFrom('users')
        .select(['username', 'role', 'disabled'])
        .where('username', '=', username)
        .executeTakeFirst()
      const value = row ? { username: row.username, role: row.role, disabled: toBool(row.disabled) } : null
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string)
      entries.set(username, { value, at: clock.now() })
      return value
    },
    invalidate(username?: string): void {
      if (username === undefined) entries.clear()
      else entries.delete(username)
    },
  }
}
export type UserCache = ReturnType<typeof createUserCache>
