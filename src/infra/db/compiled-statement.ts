import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely'
import type { Database } from './database-types.ts'

/**
 * A statement whose SQL is compiled once per database and then run with fresh parameters.
 *
 * Building a Kysely query tree and compiling it costs more CPU than the hot path's statements themselves; their
 * shape never changes, only the values. The SQL is still produced by Kysely from the real instance, so the
 * dialect's placeholders (`?` on SQLite, `$n` on PostgreSQL) and quoting are never written by hand.
 */
export type CompiledStatement<K extends string, R> = ((
  db: Kysely<Database>,
  params: Readonly<Record<K, unknown>>,
) => Promise<QueryResult<R>>) & {
  /**
   * The compiled SQL and, per placeholder, the named value it takes (or a constant), for callers that build the
   * value list themselves; null when the database rewrites queries with plugins and SQL cannot be reused.
   */
  shapeFor(db: Kysely<Database>): Shape<K> | null
}

/** Where each parameter of the compiled SQL comes from: a named value of the call, or a constant of the build. */
export type ParamSource<K extends string> = { key: K } | { constant: unknown }

export interface Shape<K extends string> {
  sql: string
  sources: ParamSource<K>[]
}

/** The parameter list of a compiled shape for these named values. */
export function bindValues<K extends string>(
  shape: Shape<K>,
  params: Readonly<Record<K, unknown>>,
): unknown[] {
  return shape.sources.map((s) =>
    // Kysely leaves an undefined insert value to the column default (none of ours has one) and drivers disagree
    // on binding undefined, so it is bound as null.
    'key' in s ? (params[s.key] ?? null) : s.constant,
  )
}

/**
 * The builder receives stand-ins typed `never`, so they fit any value slot of a typed builder; each stand-in is a
 * distinct object, so after compiling, the parameter list tells which slot takes which named value, whatever
 * order the dialect's compiler emits them in.
 */
export function compileStatement<K extends string, R>(
  keys: readonly K[],
  build: (db: Kysely<Database>, p: Record<K, never>) => Compilable<R>,
): CompiledStatement<K, R> {
  // Keyed by the dialect adapter: one object per Kysely instance, shared with every transaction opened from it.
  const shapes = new WeakMap<object, Shape<K>>()

  function shapeFor(db: Kysely<Database>): Shape<K> {
    const standIns = new Map<unknown, K>()
    const p = {} as Record<K, never>
    for (const key of keys) {
      const standIn = Object.freeze({ param: key })
      standIns.set(standIn, key)
      p[key] = standIn as never
    }
    const compiled = build(db, p).compile()
    const sources = compiled.parameters.map((v): ParamSource<K> => {
      const key = standIns.get(v)
      return key === undefined ? { constant: v } : { key }
    })
    for (const key of keys) {
      if (!sources.some((s) => 'key' in s && s.key === key)) throw new Error(`statement does not use ${key}`)
    }
    return { sql: compiled.sql, sources }
  }

  const cachedShape = (db: Kysely<Database>): Shape<K> | null => {
    const executor = db.getExecutor()
    // A plugin may rewrite the query tree per call, which a cached SQL text would skip.
    if (executor.plugins.length > 0) return null
    let shape = shapes.get(executor.adapter)
    if (!shape) {
      shape = shapeFor(db)
      shapes.set(executor.adapter, shape)
    }
    return shape
  }

  const run = (db: Kysely<Database>, params: Readonly<Record<K, unknown>>): Promise<QueryResult<R>> => {
    const shape = cachedShape(db)
    if (!shape) return db.executeQuery(build(db, params as Record<K, never>)) as Promise<QueryResult<R>>
    return db.executeQuery(CompiledQuery.raw(shape.sql, bindValues(shape, params)) as CompiledQuery<R>)
  }
  return Object.assign(run, { shapeFor: cachedShape })
}
