import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'

export type Row = Record<string, unknown>

/**
 * Every row of `table`, `pageSize` at a time, in the order of its primary key (keyset paging: each page is one
 * indexed range read however far into the table it is). A table without a primary key is read in pages of
 * OFFSET over all its columns. Works on SQLite and PostgreSQL alike.
 */
export async function readTablePages(
  db: Kysely<Database>,
  table: string,
  keyColumns: readonly string[],
  allColumns: readonly string[],
  pageSize: number,
  onPage: (rows: Row[]) => Promise<void>,
): Promise<void> {
  const t = sql.table(table)
  if (keyColumns.length === 0) {
    const order = sql.join(allColumns.map((c) => sql.ref(c)))
    for (let offset = 0; ; offset += pageSize) {
      const { rows } =
        await sql<Row>`select * from ${t} order by ${order} limit ${pageSize} offset ${offset}`.execute(db)
      if (rows.length === 0) return
      await onPage(rows)
    }
  }
  const keys = sql.join(keyColumns.map((c) => sql.ref(c)))
  let after: RawBuilder<unknown> | null = null
  for (;;) {
    const where: RawBuilder<unknown> = after === null ? sql.raw('') : sql`where (${keys}) > (${after})`
    const { rows } = await sql<Row>`select * from ${t} ${where} order by ${keys} limit ${pageSize}`.execute(
      db,
    )
    if (rows.length === 0) return
    await onPage(rows)
    const last = rows[rows.length - 1]
    after = sql.join(keyColumns.map((c) => sql`${last[c]}`))
  }
}
