import type { Kysely } from 'kysely'
import type { Database } from '../../infra/db/database-types.ts'
import type { Clock } from '../../infra/clock.ts'
import { newUserRow } from '../users/new-user-row.ts'
import { burnPasswordCheck, verifyPassword } from '../../infra/crypto/password-hash.ts'
import { safeEqual } from '../../infra/crypto/safe-equal.ts'
import { toBool } from '../../infra/db/convert-row-values.ts'
import type { Role } from '../../contracts/users.ts'
import { AppError } from '../../domain/errors.ts'

export const FALLBACK_USERNAME = '_admin_fallback'

export type LdapAuthenticate = (
  username: string,
  password: string,
) => Promise<
  | { ok: true; username: string; displayName?: string }
  | { ok: false; reason: 'invalid_credentials' | 'unavailable' | 'invalid_input' | 'not_found' }
>

export interface LoginThrottle {
  check(username: string, ip: string): { allowed: true } | { allowed: false; retryAfterSec: number }
  recordFailure(username: string, ip: string): void
  recordSuccess(username: string, ip: string): void
  /** Settles the attempt without judging the password (the directory was unreachable). */
  release(username: string, ip: string): void
}

export interface LoginDeps {
  db: Kysely<Database>
  clock: Clock
  fallbackKey?: string
  ldap?: LdapAuthenticate
  throttle: LoginThrottle
}

export interface LoginResult {
  username: string
  role: Role
  source: 'fallback' | 'local' | 'ldap'
}

const invalid = () => new AppError('invalid_credentials', 'Invalid username or password')

/** Blank, whitespace-only or NUL-containing passwords are refused before any check (an empty LDAP bind is anonymous). */
function isUsablePassword(password: string): boolean {
  return password.trim().length > 0 && !password.includes('\0')
}

/**
 * Login order: the break-glass fallback account, then local accounts, then LDAP/AD. A local account never falls
 * through to LDAP, and an LDAP "wrong password" never falls through to anything else.
 */
export async function login(
  deps: LoginDeps,
  username: string,
  password: string,
  ip: string,
): Promise<LoginResult> {
  const name = username.trim()
  const gate = deps.throttle.check(name.toLowerCase(), ip)
  if (!gate.allowed) {
    throw new AppError('login_throttled', 'Too many failed logins; try again later', undefined, {
      'retry-after': String(gate.retryAfterSec),
    })
  }
  const fail = (): never => {
    deps.throttle.recordFailure(name.toLowerCase(), ip)
    throw invalid()
  }
  if (!name || name.length > 256 || !isUsablePassword(password)) return fail()

  if (name === FALLBACK_USERNAME) {
    if (!safeEqual(password, deps.fallbackKey)) return fail()
    deps.throttle.recordSuccess(name.toLowerCase(), ip)
    return { username: FALLBACK_USERNAME, role: 'superadmin', source: 'fallback' }
  }

  const row = await deps.db
    .selectFrom('users')
    .select(['username', 'role', 'disabled', 'password_hash', 'auth_source'])
    .where('username', '=', name)
    .executeTakeFirst()

  if (row?.auth_source === 'local') {
    const ok = row.password_hash ? await verifyPassword(password, row.password_hash) : false
    if (!ok || toBool(row.disabled)) return fail()
    await touchLogin(deps, row.username)
    deps.throttle.recordSuccess(name.toLowerCase(), ip)
    return { username: row.username, role: row.role, source: 'local' }
  }

  if (!deps.ldap) {
    await burnPasswordCheck(password)
    return fail()
  }
  const result = await deps.ldap(name, password)
  if (!result.ok) {
    if (result.reason === 'unavailable') {
      deps.throttle.release(name.toLowerCase(), ip)
      throw new AppError('service_unavailable', 'The directory server is unreachable; try again later')
    }
    return fail()
  }
  // Directory names are case-insensitive; one account per person, whatever case they typed.
  const user = await upsertLdapUser(deps, result.username.toLowerCase(), result.displayName)
  if (user.disabled) return fail()
  deps.throttle.recordSuccess(name.toLowerCase(), ip)
  return { username: user.username, role: user.role, source: 'ldap' }
}

async function touchLogin(deps: LoginDeps, username: string): Promise<void> {
  await deps.db
    .updateTable('users')
    .set({ last_login_at: deps.clock.now() })
    .where('username', '=', username)
    .execute()
}

/** A first LDAP login creates the user with role `user` and no balance, as the original did. */
async function upsertLdapUser(
  deps: LoginDeps,
  username: string,
  displayName: string | undefined,
): Promise<{ username: string; role: Role; disabled: boolean }> {
  const now = deps.clock.now()
  const existing = await deps.db
    .selectFrom('users')
    .select('auth_source')
    .where('username', '=', username)
    .executeTakeFirst()
  // A directory entry never takes over a local account of the same name.
  if (existing && existing.auth_source !== 'ldap') return { username, role: 'user', disabled: true }
  await deps.db
    .insertInto('users')
    .values(
      newUserRow({
        username,
        displayName: displayName ?? null,
        authSource: 'ldap',
        role: 'user',
        quotaNano: 0,
        lastLoginAt: now,
        now,
      }),
    )
    .onConflict((oc) => oc.column('username').doUpdateSet({ last_login_at: now }))
    .execute()
  const row = await deps.db
    .selectFrom('users')
    .select(['username', 'role', 'disabled'])
    .where('username', '=', username)
    .executeTakeFirstOrThrow()
  return { username: row.username, role: row.role, disabled: toBool(row.disabled) }
}
