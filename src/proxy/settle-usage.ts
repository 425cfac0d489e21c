import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import { newId } from '../infra/ids.ts'
import { toBigOrNull } from '../infra/db/convert-row-values.ts'
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

/** The writes of one settlement, inside a transaction the caller owns. */
async function writeSettlement(trx: Transaction<Database>, s: Settlement): Promise<void> {
  const u = s.usage
  if (s.reserved) await releaseReservation(trx, s.requestId)
  await trx
    .insertInto('usage_logs')
    .values({
      request_id: s.requestId,
      token_id: s.tokenId,
      username: s.username,
      channel_id: s.channelId,
      group_id: s.groupId,
      protocol: s.protocol,
      endpoint: s.endpoint,
      model: s.model,
      upstream_model: s.upstreamModel,
      input_tokens: countPromptTokens(u),
      output_tokens: u.outputTokens,
      cache_read_tokens: u.cacheReadTokens,
      cache_write_tokens: u.cacheWriteTokens + u.cacheWrite1hTokens,
      reasoning_tokens: u.reasoningTokens,
      cost_nano: s.costNano,
      covered_by_package: s.coveredByPackage ? 1 : 0,
      usage_source: s.usageSource,
      status: s.status,
      error_code: s.errorCode,
      is_stream: s.isStream ? 1 : 0,
      duration_ms: Math.round(s.durationMs),
      ttft_ms: s.ttftMs === null ? null : Math.round(s.ttftMs),
      created_at: s.createdAt,
    })
    .execute()
  if (s.tokenId) {
    await trx
      .updateTable('tokens')
      .set((eb) => ({ used_nano: eb('used_nano', '+', s.costNano), last_used_at: s.createdAt }))
      .where('id', '=', s.tokenId)
      .execute()
  }
  if (s.username && s.costNano !== 0n && !s.coveredByPackage) {
    // The balance may go negative by a settled overshoot; it is never clamped (SPEC §6).
    const row = await trx
      .updateTable('users')
      .set((eb) => ({
        used_nano: eb('used_nano', '+', s.costNano),
        quota_nano: eb('quota_nano', '-', s.costNano),
      }))
      .where('username', '=', s.username)
      .returning(['quota_nano'])
      .executeTakeFirst()
    if (row) {
      await trx
        .insertInto('balance_ledger')
        .values({
          id: newId(),
          username: s.username,
          token_id: s.tokenId,
          request_id: s.requestId,
          kind: 'settle',
          amount_nano: -s.costNano,
          balance_after_nano: toBigOrNull(row.quota_nano),
          created_at: s.createdAt,
        })
        .execute()
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
