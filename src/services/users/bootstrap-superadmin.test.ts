import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../../test/support/test-databases.ts'
import { systemClock } from '../../infra/clock.ts'
import { verifyPassword } from '../../infra/crypto/password-hash.ts'
import { bootstrapSuperadmin } from './bootstrap-superadmin.ts'

describe.each(await testDbKinds())('bootstrap superadmin on %s', (kind) => {
  let tdb: TestDatabase | undefined
  afterEach(async () => {
    await tdb?.drop()
  })

  it('writes the password that logs in, and keeps a file an earlier database left in DATA_DIR beside it', async () => {
    tdb = await createTestDatabase(kind)
    const file = path.join(tdb.dir, 'initial-admin-password')
    // The quick start ran on SQLite first; the operator then points the same ./data at a new database.
    writeFileSync(file, 'password-of-the-earlier-database\n', { mode: 0o644 })
    const boot = await bootstrapSuperadmin(tdb.db.db, systemClock, {
      dataDir: tdb.dir,
      createLocalAdmin: true,
    })
    expect(boot.createdLocalAdmin?.passwordFile).toBe(file)
    const password = readFileSync(file, 'utf8').trim()
    expect(password).not.toBe('password-of-the-earlier-database')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    // The earlier file may still log in on its own database: it is kept beside, private, and named in the result.
    const earlier = boot.createdLocalAdmin?.earlierPasswordFile ?? ''
    expect(path.dirname(earlier)).toBe(tdb.dir)
    expect(path.basename(earlier)).toMatch(/^initial-admin-password\.replaced-\d{4}-\d\d-\d\dT[\d-]+Z$/)
    expect(readFileSync(earlier, 'utf8')).toBe('password-of-the-earlier-database\n')
    expect(statSync(earlier).mode & 0o777).toBe(0o600)
    expect(
      readdirSync(tdb.dir)
        .filter((f) => f.startsWith('initial-admin-password'))
        .sort(),
    ).toEqual(['initial-admin-password', path.basename(earlier)].sort())
    const admin = await tdb.db.db
      .selectFrom('users')
      .select(['password_hash', 'role'])
      .where('username', '=', 'admin')
      .executeTakeFirstOrThrow()
    expect(admin.role).toBe('superadmin')
    expect(await verifyPassword(password, admin.password_hash ?? '')).toBe(true)
  })

  it('renames nothing on a first start', async () => {
    tdb = await createTestDatabase(kind)
    const boot = await bootstrapSuperadmin(tdb.db.db, systemClock, {
      dataDir: tdb.dir,
      createLocalAdmin: true,
    })
    expect(boot.createdLocalAdmin?.earlierPasswordFile).toBeUndefined()
    expect(readdirSync(tdb.dir).filter((f) => f.startsWith('initial-admin-password'))).toEqual([
      'initial-admin-password',
    ])
  })
})
