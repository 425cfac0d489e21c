import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../test/support/test-databases.ts'
import { findLedgerDifferences } from './find-ledger-differences.ts'

const kinds = await testDbKinds()

describe.each(kinds)('findLedgerDifferences: reserved amounts (%s)', (kind) => {
  let tdb: TestDatabase

  beforeAll(async () => {
    tdb = await createTestDatabase(kind)
    const db = tdb.db.db
    // Per table: the columns its rows share, then a row whose reserved amount matches (nothing is open)
    // and one whose amount does not.
    const seeded: [table: 'users' | 'tokens', shared: object, rows: object[]][] = [
      [
        'users',
        { auth_source: 'local', role: 'user', used_nano: 0, disabled: 0, created_at: 1, updated_at: 1 },
        [
          { id: 'u1', username: 'held-right', reserved_nano: 0 },
          { id: 'u2', username: 'held-wrong', reserved_nano: 5 },
        ],
      ],
      [
        'tokens',
        { username: 'held-right', name: 'k', key_prefix: 'sk-x', used_nano: 0, frozen: 0, created_at: 1 },
        [
          { id: 'k1', key_hash: 'h1', reserved_nano: 0 },
          { id: 'k2', key_hash: 'h2', reserved_nano: 7 },
        ],
      ],
    ]
    for (const [table, shared, rows] of seeded)
      await db
        .insertInto(table)
        .values(rows.map((r) => ({ ...shared, ...r })) as never)
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
