import { existsSync } from 'node:fs'
import path from 'node:path'
import { sqlitePathFrom } from '../config/load-config.ts'
import { createDb } from '../infra/db/create-db.ts'
import { CliUsageError, requireOption, type CliCommand } from './cli-command.ts'
import { copySqliteToPostgres } from './copy-sqlite-to-postgres.ts'

export const copyDatabase: CliCommand = {
  name: 'copy-db',
  summary: 'Copy a SQLite gateway database into an empty PostgreSQL database, verified table by table',
  usage: '--from <sqlite url|path> --to <postgres url>',
  details: [
    '--from                sqlite:./data/gateway.db, a path, or the original’s sqlite+aiosqlite:///./data/gateway.db',
    '--to                  postgres://user:password@host:5432/db, an empty database (tables may exist, rows not)',
    'Stop the gateway first. Every table is copied in one transaction; row counts, a digest of every row and',
    'the summed balances are compared before the commit, so a failed copy leaves the target empty.',
    'Then start the gateway with DATABASE_URL=<to> and the same JWT_SECRET and ENCRYPTION_KEY (DATA_DIR/',
    'secrets.json holds them when they were generated): channel keys stay encrypted with that key. Keep',
    'DATA_DIR (audit records, the bootstrap password file) or copy it along.',
  ],
  options: { from: { type: 'string' }, to: { type: 'string' } },
  positionals: 0,
  run: async ({ values }, io) => {
    const from = requireOption(values, 'from')
    const to = requireOption(values, 'to')
    if (!/^postgres(ql)?:\/\//.test(to)) throw new CliUsageError('--to must be a postgres:// URL')
    if (/^postgres(ql)?:\/\//.test(from)) throw new CliUsageError('--from must be a SQLite database')
    const sqlitePath = path.resolve(io.cwd, sqlitePathFrom(from, io.cwd))
    if (sqlitePath === ':memory:' || !existsSync(sqlitePath))
      throw new Error(`no SQLite database at ${sqlitePath}`)
    const source = createDb({ kind: 'sqlite', sqlitePath })
    const target = createDb({ kind: 'postgres', postgresUrl: to, poolSize: 2, preparedStatements: false })
    try {
      const result = await copySqliteToPostgres(source, target)
      const secrets = path.join(path.dirname(sqlitePath), 'secrets.json')
      const total = result.tables.reduce((n, t) => n + t.rows, 0)
      const b = result.balances
      return {
        data: { ok: true, from: sqlitePath, ...result },
        text: [
          `copied ${total} rows in ${result.tables.length} tables from ${sqlitePath}; every table's row count and digest match`,
          ...result.tables.map((t) => `  ${t.table.padEnd(20)} ${String(t.rows).padStart(9)}`),
          `balances match: ${b.users} users (${b.unlimited_users} unlimited), balances ${b.balance_nano} nano-USD, ` +
            `${b.keys} keys, ledger ${b.ledger_sum_nano}, usage ${b.usage_cost_nano}`,
          `next: start the gateway with DATABASE_URL set to the target and the same JWT_SECRET and ENCRYPTION_KEY` +
            (existsSync(secrets) ? ` (they are in ${secrets})` : ''),
        ].join('\n'),
      }
    } finally {
      await source.close()
      await target.close()
    }
  },
}
