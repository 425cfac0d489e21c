import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-databases.ts'
import { requireService } from '../../../test/support/services.ts'
import { createDb, type Db } from './create-db.ts'
import { createStatementNames } from './prepare-repeated-statements.ts'

describe('statement names', () => {
  it('gives a write the same name every time, reads and texts past the bound none', () => {
    const nameOf = createStatementNames(2)
    const insert = 'insert into t (a) values ($1)'
    expect(nameOf(insert)).toBe('ag_1')
    expect(nameOf(insert)).toBe('ag_1')
    expect(nameOf('select * from t where a = $1')).toBeUndefined()
    expect(nameOf(' WITH r AS (DELETE FROM t RETURNING a) SELECT a FROM r WHERE a = $1')).toBe('ag_2')
    expect(nameOf('update t set a = $1')).toBeUndefined()
    expect(nameOf(insert)).toBe('ag_1')
  })
})

const hasPostgres = await requireService('PostgreSQL', '127.0.0.1', 5432)

describe.runIf(hasPostgres)('prepared statements on PostgreSQL', () => {
  let tdb: TestDatabase
  let one: Db
  beforeAll(async () => {
    tdb = await createTestDatabase('postgres')
    // One connection, so the session's prepared statements are the ones every query below used.
    one = createDb({ kind: 'postgres', postgresUrl: tdb.url, poolSize: 1 })
  })
  afterAll(async () => {
    await one?.close()
    await tdb?.drop()
  })

  it('prepares a repeated write once per connection and still runs it with new values each time', async () => {
    const db = one.db
    await sql`CREATE TABLE prep_test (id text PRIMARY KEY, n bigint NOT NULL)`.execute(db)
    for (let i = 0; i < 3; i++)
      await db
        .insertInto('prep_test' as never)
        .values({ id: `r${i}`, n: BigInt(i) } as never)
        .execute()
    // Several statements in one text without parameters still go as a simple query.
    await sql`UPDATE prep_test SET n = n + 10; UPDATE prep_test SET n = n + 100`.execute(db)
    const rows = await sql<{ id: string; n: bigint }>`SELECT id, n FROM prep_test ORDER BY id`.execute(db)
    expect(rows.rows).toEqual([
      { id: 'r0', n: 110n },
      { id: 'r1', n: 111n },
      { id: 'r2', n: 112n },
    ])
    const prepared = await sql<{
      name: string
      statement: string
    }>`SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'ag\\_%'`.execute(db)
    expect(prepared.rows).toHaveLength(1)
    expect(prepared.rows[0].statement).toMatch(/^insert into "prep_test"/)
    // A repeated request id still fails as a unique violation, and the connection goes on working.
    await expect(
      db
        .insertInto('prep_test' as never)
        .values({ id: 'r1', n: 1n } as never)
        .execute(),
    ).rejects.toThrow(/duplicate key/)
    await db
      .insertInto('prep_test' as never)
      .values({ id: 'r3', n: 3n } as never)
      .execute()
    const count = await sql<{ c: bigint }>`SELECT count(*) AS c FROM prep_test`.execute(db)
    expect(count.rows[0].c).toBe(4n)
  })

  it('prepares nothing when turned off (a pooler that cannot keep prepared statements)', async () => {
    const plain = createDb({ kind: 'postgres', postgresUrl: tdb.url, poolSize: 1, preparedStatements: false })
    try {
      for (let i = 0; i < 3; i++)
        await plain.db
          .updateTable('prep_test' as never)
          .set({ n: BigInt(i) } as never)
          .where('id' as never, '=', 'r0' as never)
          .execute()
      const prepared = await sql<{ name: string }>`SELECT name FROM pg_prepared_statements`.execute(plain.db)
      expect(prepared.rows).toEqual([])
    } finally {
      await plain.close()
    }
  })
})
