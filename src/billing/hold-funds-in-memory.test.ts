import SQLite from 'better-sqlite3'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { moneyFixtures, UNIT } from '../../test/support/money-fixtures.ts'
import { createMemoryHolds, type MemoryHolds } from './hold-funds-in-memory.ts'

// Holds in memory exist only for the one process reserving against a SQLite file (claim-sqlite-holds.ts); on
// PostgreSQL the gateway always keeps them in rows, so this suite runs on SQLite alone.
describe('reservations held in memory (SQLite)', () => {
  let tdb: TestDatabase
  let holds: MemoryHolds
  const db = () => tdb.db.db
  const { addUser, addKey, userMoney, keyMoney, reservation } = moneyFixtures(db)

  beforeAll(async () => {
    tdb = await createTestDatabase('sqlite')
    holds = createMemoryHolds(db())
  })
  afterAll(async () => {
    await tdb?.drop()
  })

  it('admits while the balance covers what is held, writes nothing, and gives a hold back once', async () => {
    const user = await addUser(5n * UNIT)
    const keyId = await addKey(user)
    const held = [reservation(user, keyId, 2n * UNIT), reservation(user, keyId, 2n * UNIT)]
    for (const r of held) expect(await holds.reserve(r)).toEqual({ ok: true })
    // 1 UNIT is left after 4 held: 2 more do not fit, 1 does.
    expect(await holds.reserve(reservation(user, keyId, 2n * UNIT))).toEqual({ ok: false, reason: 'balance' })
    const third = reservation(user, keyId, UNIT)
    expect(await holds.reserve(third)).toEqual({ ok: true })
    expect(holds.heldByUser(user)).toBe(5n * UNIT)
    expect(holds.heldByKey(keyId)).toBe(5n * UNIT)
    // Nothing in the database: no reservation rows, no reserved_nano.
    expect(await userMoney(user)).toMatchObject({ balance: 5n * UNIT, reserved: 0n, open: 0n })
    expect(await keyMoney(keyId)).toMatchObject({ reserved: 0n, open: 0n })

    expect(holds.release(held[0].requestId)).toBe(true)
    expect(holds.release(held[0].requestId)).toBe(false)
    expect(holds.heldByUser(user)).toBe(3n * UNIT)
    expect(await holds.reserve(reservation(user, keyId, 2n * UNIT))).toEqual({ ok: true })
    expect(await holds.reserve(reservation(user, keyId, 1n))).toEqual({ ok: false, reason: 'balance' })
  })

  it('decides a burst released together exactly as the balance allows', async () => {
    const user = await addUser(7n * UNIT)
    const keyId = await addKey(user)
    const results = await Promise.all(
      Array.from({ length: 40 }, () => holds.reserve(reservation(user, keyId, 2n * UNIT))),
    )
    expect(results.filter((r) => r.ok)).toHaveLength(3)
    expect(results.filter((r) => !r.ok)).toHaveLength(37)
    expect(holds.heldByUser(user)).toBe(6n * UNIT)
  })

  it("caps a key's spend after what it used and holds; a cap of 0 or less is no cap", async () => {
    const user = await addUser(null)
    const capped = await addKey(user, 10n * UNIT)
    await db()
      .updateTable('tokens')
      .set({ used_nano: 6n * UNIT })
      .where('id', '=', capped)
      .execute()
    expect(await holds.reserve(reservation(user, capped, 3n * UNIT))).toEqual({ ok: true })
    expect(await holds.reserve(reservation(user, capped, 2n * UNIT))).toEqual({
      ok: false,
      reason: 'key_cap',
    })
    expect(await holds.reserve(reservation(user, capped, UNIT))).toEqual({ ok: true })
    const uncapped = await addKey(user, 0n)
    expect(await holds.reserve(reservation(user, uncapped, 1000n * UNIT))).toEqual({ ok: true })
    // An unlimited balance (null) holds in memory all the same, so a later limit still sees what is open.
    expect(holds.heldByUser(user)).toBe(1004n * UNIT)
  })

  it('admits nothing against a negative balance, not even an amount of 0 (a package-covered request)', async () => {
    const user = await addUser(-1n)
    const keyId = await addKey(user)
    expect(await holds.reserve(reservation(user, keyId, 0n))).toEqual({ ok: false, reason: 'balance' })
    const topped = await addUser(0n)
    expect(await holds.reserve(reservation(topped, await addKey(topped), 0n))).toEqual({ ok: true })
  })

  it('counts holds other processes left in the rows (reserved_nano), and refuses unknown users and keys', async () => {
    const user = await addUser(5n * UNIT)
    const keyId = await addKey(user, 5n * UNIT)
    await db()
      .updateTable('users')
      .set({ reserved_nano: 4n * UNIT })
      .where('username', '=', user)
      .execute()
    expect(await holds.reserve(reservation(user, keyId, 2n * UNIT))).toEqual({ ok: false, reason: 'balance' })
    await db().updateTable('users').set({ reserved_nano: 0n }).where('username', '=', user).execute()
    await db()
      .updateTable('tokens')
      .set({ reserved_nano: 4n * UNIT })
      .where('id', '=', keyId)
      .execute()
    expect(await holds.reserve(reservation(user, keyId, 2n * UNIT))).toEqual({ ok: false, reason: 'key_cap' })
    // A refusal holds nothing.
    expect(holds.heldByUser(user)).toBe(0n)
    expect(await holds.reserve(reservation('nobody', keyId, UNIT))).toEqual({ ok: false, reason: 'balance' })
    expect(await holds.reserve(reservation(user, 'no-such-key', UNIT))).toEqual({
      ok: false,
      reason: 'key_cap',
    })
  })

  it('sees a balance another connection changed (the CLI) at the next admission', async () => {
    const user = await addUser(10n * UNIT)
    const keyId = await addKey(user)
    expect(await holds.reserve(reservation(user, keyId, 2n * UNIT))).toEqual({ ok: true })
    // Another connection to the same file, as `any-gateway` commands write.
    const cli = new SQLite(tdb.url.slice('sqlite:'.length))
    cli.prepare('UPDATE users SET quota_nano = ? WHERE username = ?').run(3n * UNIT, user)
    cli.close()
    expect(await holds.reserve(reservation(user, keyId, 2n * UNIT))).toEqual({ ok: false, reason: 'balance' })
    expect(await holds.reserve(reservation(user, keyId, UNIT))).toEqual({ ok: true })
  })

  it('refuses a request id that already holds, leaving its hold as it was', async () => {
    const user = await addUser(10n * UNIT)
    const keyId = await addKey(user)
    const r = reservation(user, keyId, UNIT)
    expect(await holds.reserve(r)).toEqual({ ok: true })
    await expect(holds.reserve(r)).rejects.toThrow(/already holds/)
    expect(holds.heldByUser(user)).toBe(UNIT)
  })

  it('reads a balance someone wrote by hand as a REAL like an integer', async () => {
    const user = await addUser(null)
    const keyId = await addKey(user)
    const cli = new SQLite(tdb.url.slice('sqlite:'.length))
    cli.prepare('UPDATE users SET quota_nano = 2500000.7 WHERE username = ?').run(user)
    cli.close()
    expect(await holds.reserve(reservation(user, keyId, 3n * UNIT))).toEqual({ ok: false, reason: 'balance' })
    expect(await holds.reserve(reservation(user, keyId, 2n * UNIT))).toEqual({ ok: true })
  })

  it('while settlements wait for the database, admits only if the database takes a write', async () => {
    let inDoubt = false
    const checked = createMemoryHolds(db(), { writesInDoubt: () => inDoubt })
    const user = await addUser(10n * UNIT)
    const keyId = await addKey(user)
    // Another connection holds the write lock, as a CLI import or an open sqlite3 shell would.
    const file = tdb.url.slice('sqlite:'.length)
    const locker = new SQLite(file)
    locker.exec('BEGIN EXCLUSIVE')
    const busy = await sql`PRAGMA busy_timeout`.execute(db())
    await sql`PRAGMA busy_timeout = 50`.execute(db())
    try {
      // Reads still work in WAL mode: without doubt the hold is decided as usual.
      expect(await checked.reserve(reservation(user, keyId, UNIT))).toEqual({ ok: true })
      inDoubt = true
      await expect(checked.reserve(reservation(user, keyId, UNIT))).rejects.toThrow(/locked|busy/i)
      expect(checked.heldByUser(user)).toBe(UNIT)
    } finally {
      locker.exec('ROLLBACK')
      locker.close()
      const was = Object.values(busy.rows[0] as Record<string, number>)[0]
      await sql.raw(`PRAGMA busy_timeout = ${was}`).execute(db())
    }
    expect(await checked.reserve(reservation(user, keyId, UNIT))).toEqual({ ok: true })
    expect(checked.heldByUser(user)).toBe(2n * UNIT)
  })

  it('waits for a transaction open on the connection (a settlement) and decides on what it committed', async () => {
    const user = await addUser(5n * UNIT)
    const keyId = await addKey(user)
    let commit!: () => void
    const gate = new Promise<void>((r) => (commit = r))
    let opened!: () => void
    const isOpen = new Promise<void>((r) => (opened = r))
    const settlement = db()
      .transaction()
      .execute(async (trx) => {
        await trx
          .updateTable('users')
          .set({ quota_nano: 1n * UNIT })
          .where('username', '=', user)
          .execute()
        opened()
        await gate
      })
    await isOpen
    let decided = false
    const pending = holds.reserve(reservation(user, keyId, 2n * UNIT)).then((r) => {
      decided = true
      return r
    })
    await new Promise((r) => setTimeout(r, 20))
    expect(decided).toBe(false)
    commit()
    await settlement
    expect(await pending).toEqual({ ok: false, reason: 'balance' })
  })
})
