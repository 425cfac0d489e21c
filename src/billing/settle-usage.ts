import { PostgresAdapter, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import { newId } from '../infra/ids.ts'
import { toBigOrNull } from '../infra/db/convert-row-values.ts'
import { compileStatement } from '../infra/db/compiled-statement.ts'
import { takeReservations } from './reserve-funds.ts'
import { compileChunkedInsert } from '../infra/db/compile-chunked-statement.ts'
import { createGroupCommit, forMilliseconds } from '../infra/db/create-group-commit.ts'
import { settleOnePostgres } from './settle-one-postgres.ts'
import { chargesUser, usageLogRow, type Settlement } from './settlement.ts'
import { isDatabaseUnavailable, isDuplicateKeyError } from '../infra/db/classify-database-error.ts'
import { createSettlementRetry, type RetryLogger } from './retry-settlements.ts'
import {
  createSettlementJournal,
  readSettlementJournals,
  removeSettlementJournal,
} from './settlement-journal.ts'
import { settlementStats } from './settlement-stats.ts'

/**
 * Exactly once: the usage row (unique request id), the key's and user's totals and the ledger row are written
 * in one transaction. A repeated settlement of the same request fails on the unique id and changes nothing.
 */
export async function settleUsage(db: Kysely<Database>, s: Settlement, holdsInRows = true): Promise<void> {
  await db.transaction().execute((trx) => writeSettlements(trx, [s], holdsInRows))
}

/** Where each value of a usage row (settlement.ts) goes. */
const insertUsageLogs = compileChunkedInsert('usage_logs', {
  requestId: 'request_id',
  keyId: 'token_id',
  username: 'username',
  channelId: 'channel_id',
  groupId: 'group_id',
  protocol: 'protocol',
  endpoint: 'endpoint',
  model: 'model',
  upstreamModel: 'upstream_model',
  inputTokens: 'input_tokens',
  outputTokens: 'output_tokens',
  cacheReadTokens: 'cache_read_tokens',
  cacheWriteTokens: 'cache_write_tokens',
  reasoningTokens: 'reasoning_tokens',
  costNano: 'cost_nano',
  coveredByPackage: 'covered_by_package',
  usageSource: 'usage_source',
  status: 'status',
  errorCode: 'error_code',
  isStream: 'is_stream',
  durationMs: 'duration_ms',
  ttftMs: 'ttft_ms',
  createdAt: 'created_at',
  clientIp: 'client_ip',
})

/**
 * A key's side of a batch in one statement: what its reservations held comes back, what its requests cost is
 * added. `lastUsedAt` is null when no settlement of the batch names the key (only a reservation did), which
 * leaves the column as it was.
 */
const settleKey = compileStatement(['keyId', 'heldNano', 'costNano', 'lastUsedAt'], (db, p) =>
  db
    .updateTable('tokens')
    .set((eb) => ({
      reserved_nano: eb('reserved_nano', '-', p.heldNano),
      used_nano: eb('used_nano', '+', p.costNano),
      last_used_at: eb.fn.coalesce(eb.val(p.lastUsedAt), eb.ref('last_used_at')),
    }))
    .where('id', '=', p.keyId),
)

/**
 * A user's side of a batch in one statement; the balance may go negative by a settled overshoot (docs/security.md,
 * #24).
 */
const settleUser = compileStatement(['username', 'heldNano', 'costNano'], (db, p) =>
  db
    .updateTable('users')
    .set((eb) => ({
      reserved_nano: eb('reserved_nano', '-', p.heldNano),
      used_nano: eb('used_nano', '+', p.costNano),
      quota_nano: eb('quota_nano', '-', p.costNano),
    }))
    .where('username', '=', p.username)
    .returning(['quota_nano']),
)

const LEDGER_COLUMNS = {
  id: 'id',
  username: 'username',
  keyId: 'token_id',
  requestId: 'request_id',
  amountNano: 'amount_nano',
  balanceAfterNano: 'balance_after_nano',
  createdAt: 'created_at',
} as const
type LedgerRow = Record<keyof typeof LEDGER_COLUMNS, unknown>

const insertLedgerEntries = compileChunkedInsert('balance_ledger', LEDGER_COLUMNS, { kind: 'settle' })

interface UserTotals {
  heldNano: bigint
  costNano: bigint
  /** The settlements charged to this user, in batch order. */
  charged: Settlement[]
}

interface KeyTotals {
  heldNano: bigint
  costNano: bigint
  lastUsedAt: number | null
}

/**
 * The writes of a batch of settlements (one, or all that arrived together), inside a transaction the caller owns.
 *
 * The result is the same as writing them one after another: each key and each user is updated once with the sums
 * of what the batch held and cost, and every ledger row still records the balance right after its own charge,
 * found by walking back from the balance after the whole batch through that user's later charges. The balance
 * changes only by charges here (a release returns reserved_nano, not quota_nano), so the walk is exact.
 *
 * `holdsInRows` false: the gateway keeps its holds in memory (hold-funds-in-memory.ts), there are no reservation
 * rows to take, and the writer gives the holds back after the commit.
 */
async function writeSettlements(
  trx: Transaction<Database>,
  batch: readonly Settlement[],
  holdsInRows: boolean,
): Promise<void> {
  const reservedIds = holdsInRows ? batch.filter((s) => s.reserved).map((s) => s.requestId) : []
  const held = reservedIds.length > 0 ? await takeReservations(trx, reservedIds) : null
  await insertUsageLogs(trx, batch.map(usageLogRow))

  const users = new Map<string, UserTotals>()
  const keys = new Map<string, KeyTotals>()
  const userTotals = (username: string) => {
    let t = users.get(username)
    if (!t) users.set(username, (t = { heldNano: 0n, costNano: 0n, charged: [] }))
    return t
  }
  const keyTotals = (keyId: string) => {
    let t = keys.get(keyId)
    if (!t) keys.set(keyId, (t = { heldNano: 0n, costNano: 0n, lastUsedAt: null }))
    return t
  }
  for (const s of batch) {
    const h = s.reserved ? held?.get(s.requestId) : undefined
    if (h) {
      // Given back once, even should the batch name the request twice (it then fails on the usage row anyway).
      held!.delete(s.requestId)
      if (h.username) userTotals(h.username).heldNano += h.userAmount
      if (h.keyId) keyTotals(h.keyId).heldNano += h.keyAmount
    }
    if (s.keyId) {
      const t = keyTotals(s.keyId)
      t.costNano += s.costNano
      // The last in batch order wins, as when each settlement wrote it in turn.
      t.lastUsedAt = s.createdAt
    }
    if (chargesUser(s)) {
      const t = userTotals(s.username)
      t.costNano += s.costNano
      t.charged.push(s)
    }
  }

  // Users before keys, each in a fixed order: the order admission locks them in, so two gateways writing the same
  // rows on PostgreSQL wait for each other instead of deadlocking.
  const balanceAfter = new Map<Settlement, bigint | null>()
  for (const username of [...users.keys()].sort()) {
    const t = users.get(username)!
    if (t.heldNano === 0n && t.charged.length === 0) continue
    const { rows } = await settleUser(trx, { username, heldNano: t.heldNano, costNano: t.costNano })
    const row = rows[0]
    if (!row) continue
    let balance = toBigOrNull(row.quota_nano)
    for (let i = t.charged.length - 1; i >= 0; i--) {
      balanceAfter.set(t.charged[i], balance)
      if (balance !== null) balance += t.charged[i].costNano
    }
  }
  for (const keyId of [...keys.keys()].sort()) {
    const t = keys.get(keyId)!
    await settleKey(trx, { keyId, heldNano: t.heldNano, costNano: t.costNano, lastUsedAt: t.lastUsedAt })
  }

  const ledger: LedgerRow[] = []
  for (const s of batch) {
    // Only a charge to a user that exists has a ledger row.
    if (!chargesUser(s) || !balanceAfter.has(s)) continue
    ledger.push({
      id: newId(),
      username: s.username,
      keyId: s.keyId,
      requestId: s.requestId,
      amountNano: -s.costNano,
      balanceAfterNano: balanceAfter.get(s),
      createdAt: s.createdAt,
    })
  }
  if (ledger.length > 0) await insertLedgerEntries(trx, ledger)
}

export interface SettlementWriterOptions {
  maxBatch?: number
  gatherMs?: number
  /**
   * The data folder: settlements the database refuses are kept there until they land, and those an earlier run
   * left are written by `replayLeftovers` at start. None: they are retried from memory only.
   */
  journalDir?: string
  logger?: RetryLogger
  /** Backoff of the retries of refused settlements (first wait, longest wait). */
  retryBaseDelayMs?: number
  retryMaxDelayMs?: number
  /**
   * The gateway keeps its holds in memory (hold-funds-in-memory.ts): called with a settled request's id once its
   * settlement is committed (or was committed before), never while it waits for a retry. Without it the holds are
   * reservation rows, taken inside the settlement's transaction.
   */
  releaseHold?: (requestId: string) => void
}

/**
 * Group commit: settlements that arrive together are written in one transaction, so a busy gateway pays one
 * commit (one WAL write on SQLite, one round trip on PostgreSQL) for many requests. Each settlement still commits
 * atomically with its own rows; when a batch fails (say, a duplicate request id), its settlements are retried one
 * by one so a bad one cannot take the others down. The short wait before a batch lets a lightly loaded gateway
 * gather a few requests per commit too (the answers are already out; admission is guarded by reservations, not by
 * the settled balance).
 *
 * A settlement the database refuses (unreachable, locked, restarting) is not lost: it is kept on disk and retried
 * with backoff until it lands (retry-settlements.ts), counted in settlement-stats.ts, written at shutdown if the
 * database is back by then, else at the next start — before the start-up sweep, so its reservation is never
 * released while its settlement waits. A repeated settlement of the same request is still refused.
 */
export function createSettlementWriter(db: Kysely<Database>, opts: SettlementWriterOptions = {}) {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  const releaseHold = opts.releaseHold
  const holdsInRows = !releaseHold
  const commit = createGroupCommit<Settlement, void>({
    gather: forMilliseconds(opts.gatherMs ?? 5),
    maxBatch: opts.maxBatch ?? 256,
    // Alone in its batch (a quiet gateway): one statement, one round trip, instead of a transaction of seven.
    writeOne: postgres
      ? (s) =>
          settleOnePostgres(db, usageLogRow(s), holdsInRows && s.reserved, chargesUser(s) ? s.username : null)
      : undefined,
    async writeBatch(batch) {
      await db.transaction().execute((trx) => writeSettlements(trx, batch, holdsInRows))
      return batch.map(() => undefined)
    },
    writeAlone: (s) => settleUsage(db, s, holdsInRows),
    // A database that refuses the batch refuses each settlement alone too: they wait for a retry together.
    failsWhole: isDatabaseUnavailable,
  })
  // A hold kept in memory is given back once the charge that replaces it is in the database (a settlement refused
  // as a repeat was committed before): until then it still counts, so the money is never counted by neither.
  const write = !releaseHold
    ? commit
    : async (s: Settlement): Promise<void> => {
        try {
          await commit(s)
        } catch (err) {
          if (s.reserved && isDuplicateKeyError(err)) releaseHold(s.requestId)
          throw err
        }
        if (s.reserved) releaseHold(s.requestId)
      }
  const retry = createSettlementRetry({
    write,
    journal: opts.journalDir ? createSettlementJournal(opts.journalDir) : undefined,
    logger: opts.logger,
    baseDelayMs: opts.retryBaseDelayMs,
    maxDelayMs: opts.retryMaxDelayMs,
  })
  return {
    /**
     * Writes the settlement: `written`, or `pending` when the database refused it and it waits for a retry. Rejects
     * only a settlement whose request was settled already (it changes nothing).
     */
    async settle(s: Settlement): Promise<'written' | 'pending'> {
      try {
        await write(s)
        return 'written'
      } catch (err) {
        if (isDuplicateKeyError(err)) throw err
        retry.add(s, err)
        return 'pending'
      }
    },
    /** Settlements waiting for a retry. */
    pending: (): number => retry.size(),
    /** Whether this request's settlement waits for a retry (its reservation must stay). */
    isPending: (requestId: string): boolean => retry.has(requestId),
    /** Graceful shutdown: retries what waits until it lands or `timeoutMs` passes; how many still wait. */
    flush: (timeoutMs: number): Promise<number> => retry.flush(timeoutMs),
    /** No more retries; what still waits stays in the data folder for the next start. */
    stop: (): number => retry.stop(),
    /**
     * At start, before the sweep of old reservations: writes the settlements an earlier run left in the data folder
     * (a retry that already landed counts as written). Throws when the database refuses them, so the gateway does
     * not start (and sweep) without them; their journal stays for the next try.
     */
    async replayLeftovers(): Promise<number> {
      if (!opts.journalDir) return 0
      let n = 0
      for (const { file, settlements } of readSettlementJournals(opts.journalDir)) {
        const results = await Promise.allSettled(settlements.map((s) => write(s)))
        const refused = results.find((r) => r.status === 'rejected' && !isDuplicateKeyError(r.reason))
        if (refused) {
          throw new Error(
            `could not write the ${settlements.length} settlements an earlier run left in ${file}: ${String(
              (refused as PromiseRejectedResult).reason,
            )}`,
          )
        }
        removeSettlementJournal(file)
        n += settlements.length
      }
      settlementStats.replayed += n
      if (n > 0) opts.logger?.warn({ settlements: n }, 'wrote settlements an earlier run left waiting')
      return n
    },
  }
}
export type SettlementWriter = ReturnType<typeof createSettlementWriter>
