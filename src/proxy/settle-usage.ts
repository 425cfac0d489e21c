import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import { newId } from '../infra/ids.ts'
import { toBigOrNull } from '../infra/db/convert-row-values.ts'
import { compileStatement } from '../infra/db/compiled-statement.ts'
import { releaseReservation } from '../services/billing/reserve-funds.ts'
import { countPromptTokens, type Usage } from '../protocol/usage/usage.ts'

export interface Settlement {
  requestId: string
  tokenId: string | null
  username: string | null
  channelId: string | null
  groupId: string | null
  protocol: string
  endpoint: string
  model: string | null
  upstreamModel: string | null
  usage: Usage
  usageSource: 'reported' | 'estimated' | 'partial' | 'none'
  status: number
  errorCode: string | null
  isStream: boolean
  durationMs: number
  ttftMs: number | null
  costNano: bigint
  coveredByPackage: boolean
  /** A reservation row exists for this request and is released in the same transaction. */
  reserved: boolean
  createdAt: number
}

/**
 * Exactly once: the usage row (unique request id), the key's and user's totals and the ledger row are written
 * in one transaction. A repeated settlement of the same request fails on the unique id and changes nothing.
 */
export async function settleUsage(db: Kysely<Database>, s: Settlement): Promise<void> {
  await db.transaction().execute((trx) => writeSettlement(trx, s))
}

const insertUsageLog = compileStatement(
  [
    'requestId',
    'tokenId',
    'username',
    'channelId',
    'groupId',
    'protocol',
    'endpoint',
    'model',
    'upstreamModel',
    'inputTokens',
    'outputTokens',
    'cacheReadTokens',
    'cacheWriteTokens',
    'reasoningTokens',
    'costNano',
    'coveredByPackage',
    'usageSource',
    'status',
    'errorCode',
    'isStream',
    'durationMs',
    'ttftMs',
    'createdAt',
  ],
  (db, p) =>
    db.insertInto('usage_logs').values({
      request_id: p.requestId,
      token_id: p.tokenId,
      username: p.username,
      channel_id: p.channelId,
      group_id: p.groupId,
      protocol: p.protocol,
      endpoint: p.endpoint,
      model: p.model,
      upstream_model: p.upstreamModel,
      input_tokens: p.inputTokens,
      output_tokens: p.outputTokens,
      cache_read_tokens: p.cacheReadTokens,
      cache_write_tokens: p.cacheWriteTokens,
      reasoning_tokens: p.reasoningTokens,
      cost_nano: p.costNano,
      covered_by_package: p.coveredByPackage,
      usage_source: p.usageSource,
      status: p.status,
      error_code: p.errorCode,
      is_stream: p.isStream,
      duration_ms: p.durationMs,
      ttft_ms: p.ttftMs,
      created_at: p.createdAt,
    }),
)

const chargeToken = compileStatement(['tokenId', 'costNano', 'createdAt'], (db, p) =>
  db
    .updateTable('tokens')
    .set((eb) => ({ used_nano: eb('used_nano', '+', p.costNano), last_used_at: p.createdAt }))
    .where('id', '=', p.tokenId),
)

const chargeUser = compileStatement(['username', 'costNano'], (db, p) =>
  db
    .updateTable('users')
    .set((eb) => ({
      used_nano: eb('used_nano', '+', p.costNano),
      quota_nano: eb('quota_nano', '-', p.costNano),
    }))
    .where('username', '=', p.username)
    .returning(['quota_nano']),
)

const insertLedgerEntry = compileStatement(
  ['id', 'username', 'tokenId', 'requestId', 'amountNano', 'balanceAfterNano', 'createdAt'],
  (db, p) =>
    db.insertInto('balance_ledger').values({
      id: p.id,
      username: p.username,
      token_id: p.tokenId,
      request_id: p.requestId,
      kind: 'settle',
      amount_nano: p.amountNano,
      balance_after_nano: p.balanceAfterNano,
      created_at: p.createdAt,
    }),
)

/** The writes of one settlement, inside a transaction the caller owns. */
async function writeSettlement(trx: Transaction<Database>, s: Settlement): Promise<void> {
  const u = s.usage
  if (s.reserved) await releaseReservation(trx, s.requestId)
  await insertUsageLog(trx, {
    requestId: s.requestId,
    tokenId: s.tokenId,
    username: s.username,
    channelId: s.channelId,
    groupId: s.groupId,
    protocol: s.protocol,
    endpoint: s.endpoint,
    model: s.model,
    upstreamModel: s.upstreamModel,
    inputTokens: countPromptTokens(u),
    outputTokens: u.outputTokens,
    cacheReadTokens: u.cacheReadTokens,
    cacheWriteTokens: u.cacheWriteTokens + u.cacheWrite1hTokens,
    reasoningTokens: u.reasoningTokens,
    costNano: s.costNano,
    coveredByPackage: s.coveredByPackage ? 1 : 0,
    usageSource: s.usageSource,
    status: s.status,
    errorCode: s.errorCode,
    isStream: s.isStream ? 1 : 0,
    durationMs: Math.round(s.durationMs),
    ttftMs: s.ttftMs === null ? null : Math.round(s.ttftMs),
    createdAt: s.createdAt,
  })
  if (s.tokenId) await chargeToken(trx, { tokenId: s.tokenId, costNano: s.costNano, createdAt: s.createdAt })
  if (s.username && s.costNano !== 0n && !s.coveredByPackage) {
    // The balance may go negative by a settled overshoot; it is never clamped (SPEC §6).
    const { rows } = await chargeUser(trx, { username: s.username, costNano: s.costNano })
    const row = rows[0]
    if (row) {
      await insertLedgerEntry(trx, {
        id: newId(),
        username: s.username,
        tokenId: s.tokenId,
        requestId: s.requestId,
        amountNano: -s.costNano,
        balanceAfterNano: toBigOrNull(row.quota_nano),
        createdAt: s.createdAt,
      })
    }
  }
}

/**
 * Group commit: settlements that arrive together are written in one transaction, so a busy gateway pays one
 * commit (one WAL write on SQLite, one round trip on PostgreSQL) for many requests. Each settlement still commits
 * atomically with its own rows; when a batch fails (say, a duplicate request id), its settlements are retried one
 * by one so a bad one cannot take the others down.
 */
export function createSettlementWriter(db: Kysely<Database>, maxBatch = 256) {
  let queue: { s: Settlement; resolve: () => void; reject: (e: unknown) => void }[] = []
  let scheduled = false
  let running: Promise<void> = Promise.resolve()

  async function flush(): Promise<void> {
    scheduled = false
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch)
      queue = queue.slice(batch.length)
      try {
        await db.transaction().execute(async (trx) => {
          for (const item of batch) await writeSettlement(trx, item.s)
        })
        for (const item of batch) item.resolve()
      } catch {
        for (const item of batch) {
          try {
            await settleUsage(db, item.s)
            item.resolve()
          } catch (err) {
            item.reject(err)
          }
        }
      }
    }
  }

  return {
    settle(s: Settlement): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        queue.push({ s, resolve, reject })
        if (!scheduled) {
          scheduled = true
          // One flush at a time; settlements arriving meanwhile join the next batch.
          running = running.then(() => new Promise<void>((r) => setImmediate(r))).then(flush)
        }
      })
    },
  }
}
export type SettlementWriter = ReturnType<typeof createSettlementWriter>
