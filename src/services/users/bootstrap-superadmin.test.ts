import { readFileSync, statSync, writeFileSync } from 'node:fs'
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

  it('writes the password that logs in, even over a file an earlier database left in DATA_DIR', async () => {
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
    const admin = await tdb.db.db
      .selectFrom('users')
      .select(['password_hash', 'role'])
      .where('username', '=', 'admin')
      .executeTakeFirstOrThrow()
    expect(admin.role).toBe('superadmin')
    expect(await verifyPassword(password, admin.password_hash ?? '')).toBe(true)
  })
})
