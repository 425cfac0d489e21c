import { setTimeout as sleep } from 'node:timers/promises'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '../../infra/db/database-types.ts'
import type { Clock } from '../../infra/clock.ts'
import { newUserRow } from '../users/new-user-row.ts'
import { burnPasswordCheck, verifyPassword } from '../../infra/crypto/password-hash.ts'
import { safeEqual } from '../../infra/crypto/safe-equal.ts'
import { toBool, toNum } from '../../infra/db/convert-row-values.ts'
import type { Role } from '../../contracts/users.ts'
import { AppError } from '../../domain/errors.ts'
import {
  RESERVED_USERNAME,
  canonicalUsername,
  isReservedUsername,
  usernameSkeleton,
} from '../../domain/auth/canonical-username.ts'
import type { LoginThrottleDecision } from '../../domain/auth/login-throttle.ts'
import { isUniqueViolation } from './check-new-username.ts'

/** The break-glass login name (see canonical-username.ts: reserved in every form). */
export const FALLBACK_USERNAME = RESERVED_USERNAME

export type LdapAuthenticate = (
  username: string,
  password: string,
) => Promise<
  | { ok: true; username: string; displayName?: string }
  | { ok: false; reason: 'invalid_credentials' | 'unavailable' | 'invalid_input' | 'not_found' }
>

export interface LoginThrottle {
  check(username: string, ip: string): LoginThrottleDecision
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
  logger?: Logger
  /** Waits out the throttle's delay; replaceable in tests. */
  wait?: (ms: number) => Promise<unknown>
}

export type LoginResult =
  | { source: 'fallback'; username: string; role: 'superadmin' }
  | { source: 'local' | 'ldap'; username: string; role: Role; userId: string; sessionVersion: number }

const invalid = () => new AppError('invalid_credentials', 'Invalid username or password')

/** Blank, whitespace-only or NUL-containing passwords are refused before any check (an empty LDAP bind is anonymous). */
function isUsablePassword(password: string): boolean {
  return password.trim().length > 0 && !password.includes('\0')
}

interface UserRow {
  id: string
  username: string
  role: Role
  disabled: boolean
  sessionVersion: number
}

/**
 * Takes a slot of the login throttle for a password check of `name` from `ip` (a login, or a user proving their
 * current password): refused when throttled, else waits for its turn. The caller settles the slot.
 */
export async function awaitLoginTurn(
  deps: Pick<LoginDeps, 'throttle' | 'logger' | 'wait'>,
  name: string,
  ip: string,
): Promise<void> {
  const gate = deps.throttle.check(name, ip)
  if (!gate.allowed) {
    deps.logger?.warn({ ip, limitedBy: gate.limitedBy }, 'login throttled')
    throw new AppError('login_throttled', 'Too many failed logins; try again later', undefined, {
      'retry-after': String(gate.retryAfterSec),
    })
  }
  // Past the username's ceiling attempts are slowed, not refused: wait for this one's turn.
  if (gate.delayMs > 0) await (deps.wait ?? sleep)(gate.delayMs)
}

/**
 * Login order: the break-glass fallback account, then local accounts, then LDAP/AD. A local account never falls
 * through to LDAP, and an LDAP "wrong password" never falls through to anything else.
 *
 * The typed name is brought to its canonical form first (canonical-username.ts): `ＶＩＣＴＩＭ` is `victim`, and
 * every form of the break-glass name goes to the fallback check only, never to a user row or the directory.
 */
export async function login(
  deps: LoginDeps,
  username: string,
  password: string,
  ip: string,
): Promise<LoginResult> {
  const typed = username.trim()
  const name = canonicalUsername(typed)
  await awaitLoginTurn(deps, name, ip)
  const fail = (): never => {
    deps.throttle.recordFailure(name, ip)
    throw invalid()
  }
  if (!name || name.length > 256 || !isUsablePassword(password)) return fail()

  if (isReservedUsername(name)) {
    if (!deps.fallbackKey || !safeEqual(password, deps.fallbackKey)) return fail()
    deps.throttle.recordSuccess(name, ip)
    return { username: FALLBACK_USERNAME, role: 'superadmin', source: 'fallback' }
  }

  const local = await findLocalUser(deps.db, name, typed)
  if (local) {
    const ok = local.passwordHash ? await verifyPassword(password, local.passwordHash) : false
    if (!ok || local.user.disabled) return fail()
    await touchLogin(deps, local.user.username)
    deps.throttle.recordSuccess(name, ip)
    return { ...local.user, source: 'local', userId: local.user.id }
  }

  if (!deps.ldap) {
    await burnPasswordCheck(password)
    return fail()
  }
  const result = await deps.ldap(name, password)
  if (!result.ok) {
    if (result.reason === 'unavailable') {
      deps.throttle.release(name, ip)
      throw new AppError('service_unavailable', 'The directory server is unreachable; try again later')
    }
    return fail()
  }
  // Directory names are case-insensitive; one account per person, whatever case or width they typed.
  const directoryName = canonicalUsername(result.username)
  if (!directoryName || isReservedUsername(directoryName)) {
    deps.logger?.warn({ ip }, 'a directory account with the reserved break-glass name was refused')
    return fail()
  }
  const user = await upsertLdapUser(deps, directoryName, result.displayName)
  if (!user || user.disabled) return fail()
  deps.throttle.recordSuccess(name, ip)
  return { ...user, source: 'ldap', userId: user.id }
}

const USER_COLUMNS = ['id', 'username', 'role', 'disabled', 'session_version'] as const

function toUserRow(row: {
  id: string
  username: string
  role: Role
  disabled: unknown
  session_version: unknown
}): UserRow {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    disabled: toBool(row.disabled),
    sessionVersion: toNum(row.session_version),
  }
}

/**
 * The local account for a canonical name. Accounts created before names were canonical may hold another case
 * (`Bob`); the name as typed still finds those.
 */
async function findLocalUser(
  db: Kysely<Database>,
  name: string,
  typed: string,
): Promise<{ user: UserRow; passwordHash: string | null } | undefined> {
  const candidates = name === typed ? [name] : [name, typed]
  for (const candidate of candidates) {
    const row = await db
      .selectFrom('users')
      .select([...USER_COLUMNS, 'password_hash', 'auth_source'])
      .where('username', '=', candidate)
      .executeTakeFirst()
    if (row?.auth_source === 'local') return { user: toUserRow(row), passwordHash: row.password_hash }
    if (row) return undefined
  }
  return undefined
}

async function touchLogin(deps: LoginDeps, username: string): Promise<void> {
  await deps.db
    .updateTable('users')
    .set({ last_login_at: deps.clock.now() })
    .where('username', '=', username)
    .execute()
}

/**
 * A first LDAP login creates the user with role `user` and no balance, as the original did. A directory entry
 * never takes over a local account of the same name, nor gets a name that looks like an existing one
 * (`аdmin` with a Cyrillic а next to `admin`): both are refused.
 */
async function upsertLdapUser(
  deps: LoginDeps,
  username: string,
  displayName: string | undefined,
): Promise<UserRow | undefined> {
  const now = deps.clock.now()
  const read = async () => {
    const row = await deps.db
      .selectFrom('users')
      .select([...USER_COLUMNS, 'auth_source'])
      .where('username', '=', username)
      .executeTakeFirst()
    return row?.auth_source === 'ldap' ? toUserRow(row) : undefined
  }
  const existing = await deps.db
    .selectFrom('users')
    .select(['username', 'auth_source'])
    .where((eb) =>
      eb.or([eb('username', '=', username), eb('username_skeleton', '=', usernameSkeleton(username))]),
    )
    .execute()
  const same = existing.find((r) => r.username === username)
  if (same && same.auth_source !== 'ldap') return undefined
  if (!same && existing.length > 0) {
    deps.logger?.warn('a directory account whose name looks like an existing user was refused')
    return undefined
  }
  if (same) {
    await deps.db.updateTable('users').set({ last_login_at: now }).where('username', '=', username).execute()
    return read()
  }
  try {
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
      .execute()
  } catch (err) {
    // Two first logins at once: the other one created the row (read below). A look-alike or a local account
    // created meanwhile: refused (read finds no directory account of this name).
    if (!isUniqueViolation(err)) throw err
  }
  return read()
}
