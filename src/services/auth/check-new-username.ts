import type { Kysely } from 'kysely'
import type { Database } from '../../infra/db/database-types.ts'
import { AppError, conflict } from '../../domain/errors.ts'
import {
  canonicalUsername,
  isReservedUsername,
  usernameSkeleton,
} from '../../domain/auth/canonical-username.ts'

/** A unique index refused the row (SQLite or PostgreSQL). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null
  if (!e || typeof e !== 'object') return false
  return (
    e.code === '23505' ||
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    (typeof e.message === 'string' && /UNIQUE constraint/.test(e.message))
  )
}

/**
 * The name a new user is stored under: canonical (canonical-username.ts), never the break-glass name in any form.
 * Used by the admin API and the bootstrap.
 */
export function canonicalNewUsername(raw: string): string {
  const name = canonicalUsername(raw)
  if (!name) throw new AppError('validation_error', 'username: must not be empty')
  if (isReservedUsername(name)) throw new AppError('validation_error', 'username: is reserved')
  return name
}

/** 409 when the name, or a name that looks like it (`аdmin` next to `admin`), already exists. */
export async function assertUsernameFree(db: Kysely<Database>, username: string): Promise<void> {
  const clash = await db
    .selectFrom('users')
    .select('username')
    .where((eb) =>
      eb.or([
        eb('username', '=', username),
        eb('username_skeleton', '=', usernameSkeleton(canonicalUsername(username))),
      ]),
    )
    .executeTakeFirst()
  if (clash) throw usernameTaken(username, clash.username)
}

export function usernameTaken(username: string, existing?: string): AppError {
  return existing === undefined || existing === username
    ? conflict(`User "${username}" already exists`)
    : conflict(`User "${username}" looks like the existing user "${existing}"`)
}
