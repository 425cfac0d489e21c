import { CliUsageError, stringOption, type CliCommand } from './cli-command.ts'
import { withGatewayContext } from './open-gateway-context.ts'
import { findLedgerDifferences } from './find-ledger-differences.ts'
import { findAuditDifferences, type AuditCheck } from './find-audit-differences.ts'
import type { RecordDifference } from './record-difference.ts'
import { readSettlementJournals } from '../billing/settlement-journal.ts'
import { auditDir } from '../infra/audit/resolve-audit-path.ts'

const DAY_MS = 86_400_000
const LISTED = 1000

function parseSince(text: string | undefined, now: number, retentionDays: number): number {
  if (text === undefined) return retentionDays > 0 ? now - retentionDays * DAY_MS : 0
  const days = /^(\d+)d$/.exec(text)
  if (days) return now - Number(days[1]) * DAY_MS
  const at = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text)
  if (Number.isNaN(at))
    throw new CliUsageError('--since must be a date, an ISO timestamp or a number of days such as 7d')
  return at
}

export const reconcileRecords: CliCommand = {
  name: 'reconcile',
  summary: 'Compare usage rows, the balance ledger and the audit records; exit 1 when they disagree',
  usage: '[--since <date|7d>] [--no-audit] [--grace-seconds <n>]',
  details: [
    'Ledger (all rows): each request charged to a user has one settle row of minus its cost; each settle row',
    'has its usage row; reserved amounts of users and keys equal their open reservations.',
    'Audit records (DATA_DIR/sessions): each usage row since --since has its record with the same cost and',
    'tokens, and each record of an admitted request has its usage row. Default --since: AUDIT_RETENTION_DAYS',
    'ago (older records are removed on purpose); skipped with AUDIT_BODIES=off or --no-audit. A settlement',
    'a gateway keeps in DATA_DIR because the database refused it is counted as waiting, not as a difference.',
    '--grace-seconds       a request that ended this recently may still have its record queued (default 10)',
  ],
  options: {
    since: { type: 'string' },
    'no-audit': { type: 'boolean' },
    'grace-seconds': { type: 'string' },
  },
  positionals: 0,
  run: async ({ values }, io) =>
    withGatewayContext(io, async (ctx) => {
      const now = Date.now()
      const since = parseSince(stringOption(values, 'since'), now, ctx.config.AUDIT_RETENTION_DAYS)
      const grace = stringOption(values, 'grace-seconds') ?? '10'
      if (!/^\d+$/.test(grace)) throw new CliUsageError('--grace-seconds must be a whole number')
      const ledger = await findLedgerDifferences(ctx.db.db, ctx.db.kind === 'postgres')
      let audit: AuditCheck | null = null
      let auditSkipped: string | null = null
      if (values['no-audit'] === true) auditSkipped = '--no-audit'
      else if (ctx.config.AUDIT_BODIES === 'off')
        auditSkipped = 'AUDIT_BODIES=off: no audit records are written'
      else {
        audit = await findAuditDifferences(ctx.db.db, auditDir(ctx.config.DATA_DIR), {
          since,
          now,
          graceMs: Number(grace) * 1000,
          // Settlements a gateway could not write yet (database down) wait in DATA_DIR and land on a retry.
          journaled: new Set(
            readSettlementJournals(ctx.config.DATA_DIR).flatMap((j) => j.settlements.map((s) => s.requestId)),
          ),
        })
      }
      const differences: RecordDifference[] = [...ledger.differences, ...(audit?.differences ?? [])]
      const byKind: Record<string, number> = {}
      for (const d of differences) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1
      const sinceIso = new Date(since).toISOString()
      const data = {
        ok: differences.length === 0,
        differences_total: differences.length,
        by_kind: byKind,
        differences: differences.slice(0, LISTED),
        checked: {
          usage_rows: ledger.usageRows,
          settle_ledger_rows: ledger.settleRows,
          audit: audit
            ? {
                since: sinceIso,
                usage_rows: audit.usageRows,
                records: audit.auditRecords,
                pending: audit.pending,
                pending_settlements: audit.pendingSettlements,
              }
            : { skipped: auditSkipped },
        },
      }
      const lines = [
        `${ledger.usageRows} usage rows, ${ledger.settleRows} settle ledger rows` +
          (audit
            ? `, ${audit.auditRecords} audit records since ${sinceIso} (${audit.pending} still queued, ` +
              `${audit.pendingSettlements} settlements waiting in DATA_DIR for the database)`
            : ` (audit records not checked: ${auditSkipped})`),
      ]
      if (differences.length === 0) lines.push('no differences')
      else {
        lines.push(
          `${differences.length} difference(s): ${Object.entries(byKind)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')}`,
        )
        for (const d of differences.slice(0, LISTED)) lines.push(`  ${d.kind}  ${d.subject}  ${d.detail}`)
        if (differences.length > LISTED)
          lines.push(`  … and ${differences.length - LISTED} more (all counted above)`)
      }
      return { data, text: lines.join('\n'), exitCode: differences.length === 0 ? 0 : 1 }
    }),
}
