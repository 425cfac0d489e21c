import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { createDb, type Db, type DbKind } from '../create-db.ts'
import { initialSchema } from './001-initial-schema.ts'
import { reservationsMigration } from './002-reservations.ts'
import { sessionVersionMigration } from './003-session-version.ts'
import { testDbKinds } from '../../../../test/support/test-databases.ts'
import { PG_ADMIN_URL } from '../../../../test/support/services.ts'

/** A database at migration 002 (before this one), with rows written as the code before it wrote them. */
async function databaseBefore003(kind: DbKind): Promise<{ db: Db; drop: () => Promise<void> }> {
  let db: Db
  let drop = async () => undefined as void
  if (kind === 'sqlite') {
    db = createDb({ kind, sqlitePath: ':memory:' })
  } else {
    const name = `gw_${randomBytes(6).toString('hex')}`
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    db = createDb({ kind, postgresUrl: PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`) })
    drop = async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await c.end()
    }
  }
  await initialSchema(kind).up(db.db as never)
  await reservationsMigration.up(db.db as never)
  return { db, drop }
}

const kinds = await testDbKinds()
const opened: { db: Db; drop: () => Promise<void> }[] = []
afterAll(async () => {
  for (const o of opened) {
    await o.db.close()
    await o.drop()
  }
})

describe.each(kinds)('migration 003-session-version (%s)', (kind) => {
  it('issue 15 defects 1, 6, 10: existing users get version 0 and a skeleton; a stored break-glass name is disabled; look-alikes keep the older one', async () => {
    const o = await databaseBefore003(kind)
    opened.push(o)
    const row = (id: string, username: string, at: number, role = 'user') =>
      sql`insert into users (id, username, auth_source, role, used_nano, reserved_nano, disabled, created_at, updated_at)
          values (${id}, ${username}, 'ldap', ${role}, 0, 0, 0, ${at}, ${at})`.execute(o.db.db)
    await row('u1', 'alice', 1)
    await row('u2', '_admin_fallback', 2) // what a directory account _ADMIN_FALLBACK became before the fix
    await row('u3', 'Bob', 3)
    await row('u4', 'bob', 4)
    await row('u5', '张伟', 5)

    await sessionVersionMigration.up(o.db.db as never)

    const rows = await o.db.db
      .selectFrom('users')
      .select(['id', 'username', 'disabled', 'session_version', 'username_skeleton'])
      .orderBy('id')
      .execute()
    const by = Object.fromEntries(rows.map((r) => [r.id, r]))
    expect(rows.map((r) => Number(r.session_version))).toEqual([0, 1, 0, 0, 0])
    expect(Number(by.u2.disabled)).toBe(1)
    expect(Number(by.u1.disabled)).toBe(0)
    expect(by.u1.username_skeleton).toBe('alice')
    expect(by.u3.username_skeleton).toBe('bob')
    expect(by.u4.username_skeleton).toBeNull()
    expect(by.u5.username_skeleton).toBe('张伟')
    // The skeleton is unique from now on.
    await expect(
      sql`insert into users (id, username, username_skeleton, auth_source, role, used_nano, reserved_nano, disabled, created_at, updated_at)
          values ('u6', 'аlice', 'alice', 'local', 'user', 0, 0, 0, 6, 6)`.execute(o.db.db),
    ).rejects.toThrow()
  })
})
