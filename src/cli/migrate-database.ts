import { sql } from 'kysely'
import { migrate } from '../infra/db/create-db.ts'
import type { CliCommand } from './cli-command.ts'
import { withGatewayContext, type GatewayContext } from './open-gateway-context.ts'

/** Names of the applied migrations; none on a database the gateway has never started on. */
async function appliedMigrations(ctx: GatewayContext): Promise<string[]> {
  try {
    const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
      ctx.db.db,
    )
    return rows.rows.map((r) => r.name)
  } catch {
    return []
  }
}

export const migrateDatabase: CliCommand = {
  name: 'migrate',
  summary: 'Apply the database migrations the gateway applies at start, and list them',
  usage: '',
  details: [
    'The database is DATABASE_URL (SQLite in DATA_DIR/gateway.db by default). Safe to run again: applied',
    'migrations are skipped. Useful before starting several gateway processes on a new PostgreSQL.',
  ],
  options: {},
  positionals: 0,
  run: (_args, io) =>
    withGatewayContext(
      io,
      async (ctx) => {
        const before = new Set(await appliedMigrations(ctx))
        await migrate(ctx.db)
        const all = await appliedMigrations(ctx)
        const applied = all.filter((m) => !before.has(m))
        return {
          data: { ok: true, database: ctx.db.kind, applied, migrations: all },
          text:
            `${ctx.db.kind}: ${applied.length} migration(s) applied now, ${all.length} in all; the schema is current` +
            all.map((m) => `\n  ${m}${applied.includes(m) ? '  (applied now)' : ''}`).join(''),
        }
      },
      { migrate: false },
    ),
}
