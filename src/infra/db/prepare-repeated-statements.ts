import type pg from 'pg'

/**
 * Writes, and WITH statements (the money CTEs): the hot path's repeated statements. Reads, `SELECT *` among them,
 * stay unnamed: a prepared statement whose result columns a later migration changes fails ("cached plan must not
 * change result type") until its connection is replaced, and the hot path's reads are cached anyway.
 */
const PREPARABLE = /^\s*(insert|update|delete|with)\b/i

/**
 * Names for statement texts, shared by every connection of a pool, so the same text always gets the same name.
 * Bounded: past `max` texts, new ones stay unnamed (parsed and planned each time, as without this).
 */
export function createStatementNames(max = 500): (text: string) => string | undefined {
  const names = new Map<string, string>()
  return (text) => {
    const known = names.get(text)
    if (known !== undefined) return known
    if (names.size >= max || !PREPARABLE.test(text)) return undefined
    const name = `ag_${names.size + 1}`
    names.set(text, name)
    return name
  }
}

type QueryFn = (config: unknown, values?: unknown, callback?: unknown) => unknown

/**
 * Makes a connection send its repeated writes as named prepared statements: the server then parses and plans a
 * statement once per connection instead of for every request. Kysely sends every query as an unnamed one, and the
 * money statements of admission and settlement are long CTEs whose planning costs the server more than running
 * them, on a server that often shares the gateway's machine. Only parameterised queries are named (a text without
 * parameters may hold several statements, which a prepared statement cannot).
 */
export function prepareRepeatedStatements(
  client: pg.ClientBase,
  nameOf: (text: string) => string | undefined,
): void {
  const target = client as unknown as { query: QueryFn }
  const query = target.query.bind(client) as QueryFn
  target.query = (config, values, callback) => {
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0 && callback === undefined) {
      const name = nameOf(config)
      if (name !== undefined) return query({ name, text: config, values })
    }
    return query(config, values, callback)
  }
}
