import { sql, type Kysely } from 'kysely'
import type { Db } from '../infra/db/create-db.ts'
import type { Database } from '../infra/db/database-types.ts'
import { migrate } from '../infra/db/create-db.ts'
import { toBig } from '../infra/db/convert-row-values.ts'
import { createRowDigest } from './digest-table-rows.ts'
import { readTablePages, type Row } from './read-table-pages.ts'

type AnyDb = Kysely<Record<string, Row>>

interface TableShape {
  name: string
  columns: string[]
  keyColumns: string[]
  /** Tables this one references (foreign keys): copied first. */
  references: string[]
}

export interface CopiedTable {
  table: string
  rows: number
  /** Order-independent digest of every row, equal on both sides. */
  digest: string
}

export interface Balances {
  users: number
  unlimited_users: number
  balance_nano: string
  user_used_nano: string
  user_reserved_nano: string
  keys: number
  key_used_nano: string
  ledger_sum_nano: string
  usage_cost_nano: string
}

export class CopyRefusedError extends Error {}

const PAGE = 1000
/** PostgreSQL takes at most 65,535 parameters per statement. */
const MAX_PARAMETERS = 60_000

async function sqliteTables(db: Kysely<Database>): Promise<TableShape[]> {
  const { rows } = await sql<{ name: string }>`
    select name from sqlite_master
    where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name`.execute(db)
  const shapes: TableShape[] = []
  for (const { name } of rows) {
    const info = await sql<{
      name: string
      pk: number | bigint
    }>`select name, pk from pragma_table_info(${name})`.execute(db)
    const fks = await sql<{ table: string }>`select "table" from pragma_foreign_key_list(${name})`.execute(db)
    shapes.push({
      name,
      columns: info.rows.map((c) => c.name),
      keyColumns: info.rows
        .filter((c) => Number(c.pk) > 0)
        .sort((a, b) => Number(a.pk) - Number(b.pk))
        .map((c) => c.name),
      references: [...new Set(fks.rows.map((f) => f.table).filter((t) => t !== name))],
    })
  }
  return shapes
}

/** Referenced tables before the tables that reference them. */
function inDependencyOrder(tables: TableShape[]): TableShape[] {
  const byName = new Map(tables.map((t) => [t.name, t]))
  const done = new Set<string>()
  const out: TableShape[] = []
  const visit = (table: TableShape, path: Set<string>) => {
    if (done.has(table.name)) return
    if (path.has(table.name)) throw new Error(`foreign keys form a cycle through ${table.name}`)
    path.add(table.name)
    for (const r of table.references) {
      const dep = byName.get(r)
      if (dep) visit(dep, path)
    }
    path.delete(table.name)
    done.add(table.name)
    out.push(table)
  }
  for (const t of tables) visit(t, new Set())
  return out
}

async function postgresTables(db: Kysely<Database>): Promise<Map<string, Set<string>>> {
  const { rows } = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'`.execute(db)
  const out = new Map<string, Set<string>>()
  for (const r of rows) {
    let cols = out.get(r.table_name)
    if (!cols) out.set(r.table_name, (cols = new Set()))
    cols.add(r.column_name)
  }
  return out
}

async function nonEmptyTables(db: Kysely<Database>, tables: Iterable<string>): Promise<string[]> {
  const out: string[] = []
  for (const t of tables) {
    if (t.startsWith('kysely_')) continue
    const { rows } = await sql<{ one: unknown }>`select 1 as one from ${sql.table(t)} limit 1`.execute(db)
    if (rows.length > 0) out.push(t)
  }
  return out
}

async function migrationNames(db: Kysely<Database>): Promise<string[]> {
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)
    return rows.map((r) => r.name)
  } catch {
    return []
  }
}

/** The money a database holds, summed: what the operator checks by eye after a move. */
export async function sumBalances(db: Kysely<Database>): Promise<Balances> {
  const one = async (query: ReturnType<typeof sql<Row>>) => (await query.execute(db)).rows[0]
  const u = await one(sql<Row>`select count(*) as n, count(*) - count(quota_nano) as unlimited,
    coalesce(sum(quota_nano), 0) as balance, coalesce(sum(used_nano), 0) as used,
    coalesce(sum(reserved_nano), 0) as reserved from users`)
  const t = await one(sql<Row>`select count(*) as n, coalesce(sum(used_nano), 0) as used from tokens`)
  const l = await one(sql<Row>`select coalesce(sum(amount_nano), 0) as s from balance_ledger`)
  const c = await one(sql<Row>`select coalesce(sum(cost_nano), 0) as s from usage_logs`)
  return {
    users: Number(toBig(u.n)),
    unlimited_users: Number(toBig(u.unlimited)),
    balance_nano: String(toBig(u.balance)),
    user_used_nano: String(toBig(u.used)),
    user_reserved_nano: String(toBig(u.reserved)),
    keys: Number(toBig(t.n)),
    key_used_nano: String(toBig(t.used)),
    ledger_sum_nano: String(toBig(l.s)),
    usage_cost_nano: String(toBig(c.s)),
  }
}

async function digestTable(
  db: Kysely<Database>,
  table: TableShape,
): Promise<{ rows: number; digest: string }> {
  const digest = createRowDigest(table.columns)
  await readTablePages(db, table.name, table.keyColumns, table.columns, PAGE, async (rows) =>
    digest.add(rows),
  )
  return digest.result()
}

/**
 * Copies every table of a SQLite gateway database into an empty PostgreSQL one, in one transaction on each side
 * (a consistent snapshot of the source; nothing written to the target unless everything is). Before the commit,
 * each table's row count and row digest and the summed balances are compared on both sides; any difference rolls
 * the copy back. Refuses a target that holds any row, and a source whose schema is not the current one.
 */
export async function copySqliteToPostgres(
  source: Db,
  target: Db,
): Promise<{ tables: CopiedTable[]; balances: Balances; migrations: string[] }> {
  const before = await postgresTables(target.db)
  const filled = await nonEmptyTables(target.db, before.keys())
  if (filled.length > 0) {
    throw new CopyRefusedError(
      `the target database is not empty (rows in ${filled.join(', ')}); copy into a new, empty database`,
    )
  }
  await migrate(target)
  const [sourceMigrations, targetMigrations] = [
    await migrationNames(source.db),
    await migrationNames(target.db),
  ]
  if (sourceMigrations.join() !== targetMigrations.join()) {
    const missing = targetMigrations.filter((m) => !sourceMigrations.includes(m))
    throw new CopyRefusedError(
      missing.length > 0
        ? `the SQLite database is at an older schema (missing ${missing.join(', ')}): run ` +
            '`DATABASE_URL=<its url> any-gateway migrate` (or start the gateway on it once) first'
        : `the SQLite database has migrations this version does not know (${sourceMigrations
            .filter((m) => !targetMigrations.includes(m))
            .join(', ')}): copy with the version that wrote it`,
    )
  }
  const targetColumns = await postgresTables(target.db)

  // The source is only read: DEFERRED on SQLite, no write lock against a gateway that may still run on it.
  const reading = source.db.transaction().setAccessMode('read only')
  return reading.execute(async (src) =>
    target.db.transaction().execute(async (dst) => {
      const tables = inDependencyOrder(await sqliteTables(src))
      for (const t of tables) {
        const cols = targetColumns.get(t.name)
        const missing = t.columns.filter((c) => !cols?.has(c))
        if (!cols || missing.length > 0) {
          throw new CopyRefusedError(
            `PostgreSQL has no ${cols ? `column ${missing.join(', ')} in ` : ''}table ${t.name}`,
          )
        }
      }
      // Written in one transaction, the target's own rows cannot have appeared since the check above.
      const late = await nonEmptyTables(
        dst,
        tables.map((t) => t.name),
      )
      if (late.length > 0)
        throw new CopyRefusedError(`the target database is not empty (rows in ${late.join(', ')})`)

      const copied: CopiedTable[] = []
      for (const t of tables) {
        const batch = Math.max(1, Math.min(PAGE, Math.floor(MAX_PARAMETERS / t.columns.length)))
        const digest = createRowDigest(t.columns)
        await readTablePages(src, t.name, t.keyColumns, t.columns, batch, async (rows) => {
          digest.add(rows)
          await (dst as unknown as AnyDb).insertInto(t.name).values(rows).execute()
        })
        const copiedSide = digest.result()
        const targetSide = await digestTable(dst, t)
        if (copiedSide.rows !== targetSide.rows || copiedSide.digest !== targetSide.digest) {
          throw new Error(
            `${t.name}: ${copiedSide.rows} rows read, ${targetSide.rows} in PostgreSQL` +
              (copiedSide.rows === targetSide.rows ? ', with different values' : '') +
              '; nothing was written',
          )
        }
        copied.push({ table: t.name, ...copiedSide })
      }
      const [a, b] = [await sumBalances(src), await sumBalances(dst)]
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        throw new Error(
          `balances differ after the copy (${JSON.stringify(a)} vs ${JSON.stringify(b)}); nothing was written`,
        )
      }
      return { tables: copied, balances: b, migrations: targetMigrations }
    }),
  )
}
