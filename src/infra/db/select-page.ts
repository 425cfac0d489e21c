import type { SelectQueryBuilder } from 'kysely'
import { toNum } from './convert-row-values.ts'

/**
 * One page of a filtered query, each row as `serialize` makes it, and how many rows the filter matches in all, read
 * together: `ordered` picks the columns and a stable order of the page (a unique last key, so pages never overlap),
 * the count reads the filter alone.
 */
export async function selectPage<DB, TB extends keyof DB, F, O, T>(
  filtered: SelectQueryBuilder<DB, TB, F>,
  ordered: (q: SelectQueryBuilder<DB, TB, F>) => SelectQueryBuilder<DB, TB, O>,
  page: { limit: number; offset: number },
  serialize: (row: O) => T,
): Promise<{ data: T[]; total: number }> {
  const [rows, count] = await Promise.all([
    ordered(filtered).limit(page.limit).offset(page.offset).execute(),
    filtered
      .select((eb) => eb.fn.countAll().as('n'))
      .$castTo<{ n: string | number | bigint }>()
      .executeTakeFirstOrThrow(),
  ])
  return { data: rows.map(serialize), total: toNum(count.n) }
}
