import type { Kysely } from 'kysely'
import { AppError } from '../domain/errors.ts'
import { canonicalUsername, isReservedUsername } from '../domain/auth/canonical-username.ts'
import type { Clock } from '../infra/clock.ts'
import type { Database } from '../infra/db/database-types.ts'
import { usdToNano } from '../infra/db/convert-row-values.ts'
import { recordOpeningBalance } from '../billing/record-balance-change.ts'
import { assertUsernameFree } from '../services/auth/check-new-username.ts'
import { newUserRow } from '../services/users/new-user-row.ts'
import type { ImportReport } from './import-report.ts'
import type { OriginalData } from './read-original-database.ts'

/**
 * The original's users (its LDAP logins), the roles of its `admin_users`, and owners of keys who never had a users
 * row, stored under the canonical names logins use here (README, "Logins and sessions"), so that `Alice` logging in
 * finds the account imported as `alice`. Returns original name → stored name for every user that exists after the
 * import; the break-glass name, which no account may hold here, and look-alikes of existing names are left out.
 */
export async function importOriginalUsers(
  db: Kysely<Database>,
  clock: Clock,
  data: OriginalData,
  report: ImportReport,
): Promise<Map<string, string>> {
  const roles = new Map(
    data.admins.map((a) => [a.username, a.role === 'superadmin' ? 'superadmin' : 'admin'] as const),
  )
  const people = new Map(data.users.map((u) => [u.username, u]))
  for (const name of [...roles.keys(), ...data.tokens.flatMap((t) => (t.username ? [t.username] : []))]) {
    if (!people.has(name)) people.set(name, { username: name, quota_usd: 0, used_usd: 0, created_at: null })
  }
  const names = new Map<string, string>()
  for (const u of people.values()) {
    if (isReservedUsername(u.username)) {
      report.skipped.push({
        kind: 'users',
        id: u.username,
        reason: 'the break-glass name cannot be an account here',
      })
      continue
    }
    const name = canonicalUsername(u.username)
    const found = await db
      .selectFrom('users')
      .select('username')
      .where('username', '=', name)
      .executeTakeFirst()
    if (found) {
      if ([...names.values()].includes(name)) {
        report.warnings.push(
          `users "${u.username}" and another original user are one account here: "${name}"`,
        )
      }
      names.set(u.username, name)
      report.existing.users++
      continue
    }
    if (u.quota_usd !== null && !(u.quota_usd >= 0 && u.quota_usd <= 1e9)) {
      report.skipped.push({
        kind: 'users',
        id: u.username,
        reason: `balance ${u.quota_usd} USD is out of range`,
      })
      continue
    }
    try {
      if (!name) throw new AppError('validation_error', 'username: is empty once normalised')
      await assertUsernameFree(db, name)
    } catch (err) {
      if (!(err instanceof AppError)) throw err
      report.skipped.push({ kind: 'users', id: u.username, reason: err.message })
      continue
    }
    const quotaNano = u.quota_usd === null ? null : usdToNano(u.quota_usd)
    const row = newUserRow({
      username: name,
      authSource: 'ldap',
      role: roles.get(u.username) ?? 'user',
      quotaNano,
      now: u.created_at ?? clock.now(),
    })
    await db
      .insertInto('users')
      .values({ ...row, used_nano: usdToNano(Math.max(0, u.used_usd)) })
      .execute()
    await recordOpeningBalance(db, { username: name, quotaNano, at: clock.now() })
    names.set(u.username, name)
    report.imported.users++
  }
  return names
}
