import { existsSync } from 'node:fs'
import path from 'node:path'
import { sqlitePathFrom } from '../config/load-config.ts'
import { requireOption, type CliCommand } from './cli-command.ts'
import { importOriginalData } from './import-original-data.ts'
import type { ImportReport } from './import-report.ts'
import { withGatewayContext } from './open-gateway-context.ts'
import { readOriginalDatabase } from './read-original-database.ts'

function summary(counts: ImportReport['imported']): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k.replace('_', ' ')}`)
    .join(', ')
}

export const importAnyGateway: CliCommand = {
  name: 'import-any-gateway',
  summary:
    "Import the original any_gateway's SQLite database: users, groups, channels, prices, rules, vouchers, keys",
  usage: '--from <path to the original gateway.db>',
  details: [
    '--from                the original’s data/gateway.db (or its sqlite+aiosqlite:/// URL)',
    'Imports into this gateway’s database (DATABASE_URL, as the server): users with their roles and balances,',
    'groups, memberships, channels (keys encrypted with ENCRYPTION_KEY), channel links, rate-limit rules, prices,',
    'group prices, vouchers, and the API keys, stored as their SHA-256 so existing clients keep working.',
    'One transaction: all or nothing. Existing rows win (group name, username, voucher code, key), so a second',
    'run imports nothing twice. Usage history stays in the original database. The original is only read.',
  ],
  options: { from: { type: 'string' } },
  positionals: 0,
  run: async ({ values }, io) => {
    const from = path.resolve(io.cwd, sqlitePathFrom(requireOption(values, 'from'), io.cwd))
    if (!existsSync(from)) throw new Error(`no database at ${from}`)
    const data = readOriginalDatabase(from)
    return withGatewayContext(io, async (ctx) => {
      const report = await ctx.db.db
        .transaction()
        .execute((trx) => importOriginalData(trx, ctx.clock, ctx.config.ENCRYPTION_KEY, data))
      await ctx.audit({
        actor: ctx.actor,
        action: 'import.any_gateway',
        target: path.basename(from),
        summary: { imported: report.imported, existing: report.existing, skipped: report.skipped.length },
      })
      const lines = [
        `imported from ${from}: ${summary(report.imported) || 'nothing new'}`,
        `already present (kept): ${summary(report.existing) || 'nothing'}`,
        ...report.skipped.map((s) => `skipped ${s.kind} ${s.id}: ${s.reason}`),
        ...report.warnings.map((w) => `warning: ${w}`),
      ]
      if (data.usageRows > 0)
        lines.push(`${data.usageRows} usage rows stay in the original database (history)`)
      for (const what of ['users', 'keys', 'channels', 'groups', 'prices'] as const) ctx.changed({ what })
      lines.push('running gateways see the imported keys and channels within a second')
      return {
        data: { ok: true, from, ...report, usage_rows_not_imported: data.usageRows },
        text: lines.join('\n'),
      }
    })
  },
}
