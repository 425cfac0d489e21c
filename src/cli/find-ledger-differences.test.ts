import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../test/support/test-databases.ts'
import { findLedgerDifferences } from './find-ledger-differences.ts'

const kinds = await testDbKinds()

describe.each(kinds)('findLedgerDifferences: reserved amounts (%s)', (kind) => {
  let tdb: TestDatabase

  beforeAll(async () => {
    tdb = await createTestDatabase(kind)
    const db = tdb.db.db
    const user = {
      auth_source: 'local',
      role: 'user',
      used_nano: 0,
      disabled: 0,
      created_at: 1,
      updated_at: 1,
    }
    await db
      .insertInto('users')
      .values([
        { ...user, id: 'u1', username: 'held-right', reserved_nano: 0 },
        { ...user, id: 'u2', username: 'held-wrong', reserved_nano: 5 },
      ] as never)
      .execute()
    const key = {
      username: 'held-right',
      name: 'k',
      key_prefix: 'sk-x',
      used_nano: 0,
      frozen: 0,
      created_at: 1,
    }
    await db
      .insertInto('tokens')
      .values([
        { ...key, id: 'k1', key_hash: 'h1', reserved_nano: 0 },
        { ...key, id: 'k2', key_hash: 'h2', reserved_nano: 7 },
      ] as never)
      .execute()
  })
  afterAll(async () => tdb?.drop())

  it('names each user and key whose reserved amount no open reservation holds', async () => {
    const r = await findLedgerDifferences(tdb.db.db, kind === 'postgres')
    expect(r.differences).toEqual([
      {
        kind: 'user_reserved_mismatch',
        subject: 'held-wrong',
        detail: 'reserved 5 nano-USD, open reservations hold 0',
      },
      {
        kind: 'key_reserved_mismatch',
        subject: 'k2',
        detail: 'reserved 7 nano-USD, open reservations hold 0',
      },
    ])
  })
})
