import { CompiledQuery, type Compilable, type Kysely } from 'kysely'
import type { Database } from './database-types.ts'
import { compileStatement, type CompiledStatement } from './compiled-statement.ts'

/** The largest chunk: a batch splits into at most one statement per power of two below it, plus full chunks. */
const MAX_CHUNK = 64

/** One chunk of a chunked statement, ready to run: its SQL and its parameter values. */
export interface StatementChunk {
  sql: string
  values: unknown[]
}

/** Runs a statement for many rows; the rows any of its chunks return, in chunk order. */
export type ChunkedStatement<K extends string, R> = ((
  db: Kysely<Database>,
  rows: readonly Readonly<Partial<Record<K, unknown>>>[],
) => Promise<R[]>) & {
  /**
   * The chunks for these rows as SQL and values, for a caller that runs them on the raw SQLite handle
   * (raw-sqlite.ts); null when the database rewrites queries with plugins and SQL cannot be reused.
   */
  chunksFor(
    db: Kysely<Database>,
    rows: readonly Readonly<Partial<Record<K, unknown>>>[],
  ): StatementChunk[] | null
}

/**
 * A statement over many rows at once (a multi-row INSERT, an `IN` list), compiled once per chunk size.
 *
 * A statement's SQL fixes how many rows it takes, so a batch is cut into power-of-two chunks (50 rows run as
 * 32 + 16 + 2): few statements per batch, and at most seven shapes per statement ever compiled. Every chunk size
 * goes through compileStatement, so its dialect's placeholders and quoting still come from Kysely.
 */
export function compileChunkedStatement<K extends string, R>(
  keys: readonly K[],
  build: (db: Kysely<Database>, rows: Record<K, never>[]) => Compilable<R>,
): ChunkedStatement<K, R> {
  const bySize = new Map<number, CompiledStatement<string, R>>()

  function statementFor(size: number): CompiledStatement<string, R> {
    let statement = bySize.get(size)
    if (!statement) {
      const flatKeys: string[] = []
      for (let i = 0; i < size; i++) for (const key of keys) flatKeys.push(`${i}:${key}`)
      statement = compileStatement(flatKeys, (db, p) =>
        build(
          db,
          Array.from({ length: size }, (_, i) => {
            const row = {} as Record<K, never>
            for (const key of keys) row[key] = p[`${i}:${key}`]
            return row
          }),
        ),
      )
      bySize.set(size, statement)
    }
    return statement
  }

  /** Per compiled shape: for each placeholder, the row offset and column it reads (or a constant). */
  const picks = new WeakMap<object, { row: number; key: K; constant?: unknown }[]>()
  const pickFor = (shape: { sources: ({ key: string } | { constant: unknown })[] }) => {
    let pick = picks.get(shape)
    if (!pick) {
      pick = shape.sources.map((src) => {
        if (!('key' in src)) return { row: -1, key: keys[0], constant: src.constant }
        const colon = src.key.indexOf(':')
        return { row: Number(src.key.slice(0, colon)), key: src.key.slice(colon + 1) as K }
      })
      picks.set(shape, pick)
    }
    return pick
  }

  const sizeAt = (remaining: number): number => {
    let size = MAX_CHUNK
    while (size > remaining) size >>= 1
    return size
  }

  const chunksFor = (
    db: Kysely<Database>,
    rows: readonly Readonly<Partial<Record<K, unknown>>>[],
  ): StatementChunk[] | null => {
    const chunks: StatementChunk[] = []
    let start = 0
    while (start < rows.length) {
      const size = sizeAt(rows.length - start)
      const shape = statementFor(size).shapeFor(db)
      if (!shape) return null
      // The value list is built straight from the rows: no per-call object with a key per placeholder.
      const pick = pickFor(shape)
      const values = new Array<unknown>(pick.length)
      for (let i = 0; i < pick.length; i++) {
        const p = pick[i]
        values[i] = p.row < 0 ? p.constant : (rows[start + p.row][p.key] ?? null)
      }
      chunks.push({ sql: shape.sql, values })
      start += size
    }
    return chunks
  }

  const run = async (
    db: Kysely<Database>,
    rows: readonly Readonly<Partial<Record<K, unknown>>>[],
  ): Promise<R[]> => {
    const out: R[] = []
    const chunks = chunksFor(db, rows)
    if (chunks) {
      for (const chunk of chunks) {
        const result = await db.executeQuery(CompiledQuery.raw(chunk.sql, chunk.values) as CompiledQuery<R>)
        for (const r of result.rows) out.push(r)
      }
      return out
    }
    let start = 0
    while (start < rows.length) {
      const size = sizeAt(rows.length - start)
      const params: Record<string, unknown> = {}
      for (let i = 0; i < size; i++) {
        const row = rows[start + i]
        for (const key of keys) params[`${i}:${key}`] = row[key]
      }
      const result = await statementFor(size)(db, params)
      for (const r of result.rows) out.push(r)
      start += size
    }
    return out
  }
  return Object.assign(run, { chunksFor })
}

/**
 * A multi-row INSERT into `table`: each row's named values go to the columns `columns` maps them to, and
 * `constants` are the same in every row. The map is the one place a row's names meet the table's columns.
 */
export function compileChunkedInsert<T extends keyof Database, K extends string>(
  table: T,
  columns: Readonly<Record<K, keyof Database[T] & string>>,
  constants?: Readonly<Partial<Record<keyof Database[T] & string, unknown>>>,
): ChunkedStatement<K, unknown> {
  const keys = Object.keys(columns) as K[]
  return compileChunkedStatement(keys, (db, rows) =>
    db.insertInto(table).values(
      rows.map((p) => {
        const row: Record<string, unknown> = { ...constants }
        for (const key of keys) row[columns[key]] = p[key]
        return row
      }) as never,
    ),
  )
}
