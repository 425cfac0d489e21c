import { sql, type Kysely } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import { toBig } from '../infra/db/convert-row-values.ts'
import type { RecordDifference } from './record-difference.ts'

export interface LedgerCheck {
  usageRows: number
  settleRows: number
  differences: RecordDifference[]
}

/** The columns that tie a user's or a key's `reserved_nano` to the open reservations that hold it. */
const HOLDERS = {
  user: { table: 'users', id: 'username', owner: 'username', amount: 'user_amount_nano' },
  key: { table: 'tokens', id: 'id', owner: 'token_id', amount: 'token_amount_nano' },
} as const

/** Users (or keys) whose reserved amount is not what their open reservations add up to. */
async function findReservedDifferences(
  trx: Kysely<Database>,
  of: keyof typeof HOLDERS,
): Promise<RecordDifference[]> {
  const h = HOLDERS[of]
  const held = sql`(select coalesce(sum(r.${sql.ref(h.amount)}), 0) from reservations r
    where r.${sql.ref(h.owner)} = o.${sql.ref(h.id)})`
  const rows = await sql<{ subject: string; reserved_nano: unknown; held: unknown }>`
    select o.${sql.ref(h.id)} as subject, o.reserved_nano, ${held} as held
    from ${sql.table(h.table)} o
    where o.reserved_nano <> ${held}
    order by o.${sql.ref(h.id)}`.execute(trx)
  return rows.rows.map((r) => ({
    kind: of === 'user' ? 'user_reserved_mismatch' : 'key_reserved_mismatch',
    subject: r.subject,
    detail: `reserved ${String(toBig(r.reserved_nano))} nano-USD, open reservations hold ${String(toBig(r.held))}`,
  }))
}

/**
 * Usage rows against the balance ledger (docs in README, "CLI"): a request charged to a user who exists has
 * exactly one `settle` row of minus its cost, for the same user; every `settle` row has its usage row; and what
 * users and keys hold as reserved is what their open reservations add up to. Reads run in one transaction, so a
 * gateway writing meanwhile cannot make a settlement look half done.
 */
export async function findLedgerDifferences(db: Kysely<Database>, postgres: boolean): Promise<LedgerCheck> {
  // Read only: on SQLite it stays DEFERRED and holds no write lock against running gateways.
  let tx = db.transaction().setAccessMode('read only')
  if (postgres) tx = tx.setIsolationLevel('repeatable read')
  return tx.execute(async (trx) => {
    const differences: RecordDifference[] = []
    const count = async (table: 'usage_logs' | 'balance_ledger', settleOnly: boolean) => {
      let q = trx.selectFrom(table).select((eb) => eb.fn.countAll().as('n'))
      if (settleOnly) q = q.where('kind' as never, '=', 'settle' as never)
      return Number(toBig((await q.executeTakeFirstOrThrow()).n))
    }
    const usageRows = await count('usage_logs', false)
    const settleRows = await count('balance_ledger', true)

    const missing = await sql<{ request_id: string; username: string; cost_nano: unknown }>`
      select u.request_id, u.username, u.cost_nano from usage_logs u
      join users us on us.username = u.username
      where u.cost_nano <> 0 and u.covered_by_package = 0
        and not exists (select 1 from balance_ledger l where l.request_id = u.request_id and l.kind = 'settle')
      order by u.request_id`.execute(trx)
    for (const r of missing.rows) {
      differences.push({
        kind: 'ledger_missing',
        subject: r.request_id,
        detail: `usage row charges ${r.username} ${String(toBig(r.cost_nano))} nano-USD; no settle ledger row`,
      })
    }

    const mismatched = await sql<{
      request_id: string
      l_username: string
      u_username: string | null
      amount_nano: unknown
      cost_nano: unknown
      covered: unknown
    }>`
      select l.request_id, l.username as l_username, u.username as u_username, l.amount_nano, u.cost_nano,
        u.covered_by_package as covered
      from balance_ledger l join usage_logs u on u.request_id = l.request_id
      where l.kind = 'settle'
        and (l.amount_nano <> -u.cost_nano or u.username is null or l.username <> u.username
          or u.covered_by_package <> 0)
      order by l.request_id`.execute(trx)
    for (const r of mismatched.rows) {
      differences.push({
        kind: 'ledger_amount_mismatch',
        subject: r.request_id,
        detail:
          `ledger ${r.l_username} ${String(toBig(r.amount_nano))} nano-USD, usage row ${r.u_username ?? '(no user)'} ` +
          `cost ${String(toBig(r.cost_nano))}${Number(toBig(r.covered)) ? ' covered by a package' : ''}`,
      })
    }

    const orphans = await sql<{
      request_id: string | null
      id: string
      username: string
      amount_nano: unknown
    }>`
      select l.request_id, l.id, l.username, l.amount_nano from balance_ledger l
      where l.kind = 'settle'
        and (l.request_id is null or not exists (select 1 from usage_logs u where u.request_id = l.request_id))
      order by l.id`.execute(trx)
    for (const r of orphans.rows) {
      differences.push({
        kind: 'ledger_without_usage',
        subject: r.request_id ?? r.id,
        detail: `settle ledger row of ${r.username} for ${String(toBig(r.amount_nano))} nano-USD has no usage row`,
      })
    }

    const duplicates = await sql<{ request_id: string; n: unknown }>`
      select request_id, count(*) as n from balance_ledger
      where kind = 'settle' and request_id is not null
      group by request_id having count(*) > 1 order by request_id`.execute(trx)
    for (const r of duplicates.rows) {
      differences.push({
        kind: 'ledger_duplicate',
        subject: r.request_id,
        detail: `${String(toBig(r.n))} settle ledger rows for one request`,
      })
    }

    differences.push(
      ...(await findReservedDifferences(trx, 'user')),
      ...(await findReservedDifferences(trx, 'key')),
    )
    return { usageRows, settleRows, differences }
  })
}
