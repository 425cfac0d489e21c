import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Kysely } from 'kysely'
import type { Database } from '../../infra/db/database-types.ts'
import { hashPassword } from '../../infra/crypto/password-hash.ts'
import { newId } from '../../infra/ids.ts'
import { newUserRow } from './new-user-row.ts'
import type { Clock } from '../../infra/clock.ts'
import { toNum } from '../../infra/db/convert-row-values.ts'
import { canonicalNewUsername } from '../auth/check-new-username.ts'
import { errorMessage } from '../../domain/errors.ts'

export interface BootstrapResult {
  /**
   * Set only on the start that created the account: where its password was written, and where a password file
   * found there (left by another database on the same DATA_DIR) was kept.
   */
  createdLocalAdmin?: { username: string; passwordFile: string; earlierPasswordFile?: string }
}

/**
 * Makes sure somebody can administer a fresh install:
 * - `SUPERADMIN_USERNAME` (an LDAP user, as in the original) is given role superadmin, under the canonical
 *   form of the name that their LDAP login will have; the break-glass name is refused (start fails);
 * - with no superadmin at all, a local superadmin `admin` is created once, with a random password written to
 *   `DATA_DIR/initial-admin-password` (0600). The password itself is never printed or logged.
 * A `default` group exists, as in the original.
 */
export async function bootstrapSuperadmin(
  db: Kysely<Database>,
  clock: Clock,
  opts: { superadminUsername?: string; dataDir: string; createLocalAdmin: boolean },
): Promise<BootstrapResult> {
  const now = clock.now()
  await db
    .insertInto('groups')
    .values({
      id: newId(),
      name: 'default',
      priority: 1,
      multiplier: 1,
      all_visible: 1,
      description: 'Visible to every user',
      created_at: now,
    })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute()

  if (opts.superadminUsername) {
    let username: string
    try {
      username = canonicalNewUsername(opts.superadminUsername)
    } catch (err) {
      throw new Error(`SUPERADMIN_USERNAME: ${errorMessage(err)}`)
    }
    await db
      .insertInto('users')
      .values(
        newUserRow({
          username,
          authSource: 'ldap',
          role: 'superadmin',
          quotaNano: null,
          now,
        }),
      )
      .onConflict((oc) => oc.column('username').doUpdateSet({ role: 'superadmin' }))
      .execute()
  }

  const supers = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('role', '=', 'superadmin')
    .executeTakeFirstOrThrow()
  if (toNum(supers.n) > 0 || !opts.createLocalAdmin) return {}

  const username = 'admin'
  const passwordFile = path.join(opts.dataDir, 'initial-admin-password')
  const password = randomBytes(18).toString('base64url')
  const passwordHash = await hashPassword(password)
  await db
    .insertInto('users')
    .values(
      newUserRow({
        username,
        displayName: 'Administrator',
        authSource: 'local',
        passwordHash,
        role: 'superadmin',
        quotaNano: null,
        now,
      }),
    )
    // An `admin` left from earlier (demoted, or a local account of that name) gets this password too, so that the
    // file always holds the password that works now.
    .onConflict((oc) =>
      oc
        .column('username')
        .doUpdateSet({ role: 'superadmin', password_hash: passwordHash, auth_source: 'local' }),
    )
    .execute()
  // The file always holds the password that logs in now. One found there was made for another database on this
  // DATA_DIR (another DATABASE_URL, a deleted gateway.db): it may still log in there, so it is kept beside, renamed.
  let earlierPasswordFile: string | undefined
  if (existsSync(passwordFile)) {
    earlierPasswordFile = `${passwordFile}.replaced-${new Date(now).toISOString().replace(/[:.]/g, '-')}`
    renameSync(passwordFile, earlierPasswordFile)
    chmodSync(earlierPasswordFile, 0o600)
  }
  writeFileSync(passwordFile, password + '\n', { mode: 0o600 })
  chmodSync(passwordFile, 0o600)
  return {
    createdLocalAdmin: { username, passwordFile, ...(earlierPasswordFile ? { earlierPasswordFile } : {}) },
  }
}
