import type { Kysely } from 'kysely'
import type { Database } from '../../src/infra/db/database-types.ts'
import { toBig, toBigOrNull, toNum } from '../../src/infra/db/convert-row-values.ts'
import { newId } from '../../src/infra/ids.ts'
import { insertTestUser } from './insert-test-user.ts'
import { createEmptyUsage } from '../../src/protocol/usage/usage.ts'
import type { Settlement } from '../../src/billing/settlement.ts'
import {
  createReservationWriter,
  type ReservationRequest,
  type ReservationResult,
  type ReservationWriter,
} from '../../src/billing/reserve-funds.ts'

const writers = new WeakMap<Kysely<Database>, ReservationWriter>()

/**
 * Reserves through the database's one writer, as the gateway does (src/billing/create-billing.ts makes one per
 * gateway): the reservations of one tick on the same database share a batch.
 */
export function reserveFunds(db: Kysely<Database>, r: ReservationRequest): Promise<ReservationResult> {
  let writer = writers.get(db)
  if (!writer) writers.set(db, (writer = createReservationWriter(db)))
  return writer.reserve(r)
}

/** A thousandth of a dollar (0.001 USD) in nano-USD. */
export const UNIT = 1_000_000n

/** Users, keys, settlements and reservations written straight to a test database, and its money read back. */
export function moneyFixtures(db: () => Kysely<Database>) {
  async function addUser(quota: bigint | null): Promise<string> {
    const username = `u-${newId().slice(-12)}`
    await insertTestUser(db(), { username, quotaNano: quota })
    return username
  }

  async function addKey(username: string, cap: bigint | null = null): Promise<string> {
    const id = newId()
    await db()
      .insertInto('tokens')
      .values({
        id,
        name: 'k',
        key_hash: newId(),
        key_prefix: 'sk-',
        username,
        group_id: null,
        quota_nano: cap,
        used_nano: 0,
        reserved_nano: 0,
        frozen: 0,
        expires_at: null,
        allowed_models: null,
        rpm: null,
        tpm: null,
        max_concurrency: null,
        last_used_at: null,
        created_at: Date.now(),
      })
      .execute()
    return id
  }

  async function userMoney(username: string) {
    const u = await db()
      .selectFrom('users')
      .select(['quota_nano', 'used_nano', 'reserved_nano'])
      .where('username', '=', username)
      .executeTakeFirstOrThrow()
    const open = await db()
      .selectFrom('reservations')
      .select((eb) => eb.fn.sum<string>('user_amount_nano').as('s'))
      .where('username', '=', username)
      .executeTakeFirstOrThrow()
    return {
      balance: toBigOrNull(u.quota_nano),
      used: toBig(u.used_nano),
      reserved: toBig(u.reserved_nano),
      open: toBig(open.s),
    }
  }

  async function keyMoney(keyId: string) {
    const t = await db()
      .selectFrom('tokens')
      .select(['used_nano', 'reserved_nano', 'last_used_at'])
      .where('id', '=', keyId)
      .executeTakeFirstOrThrow()
    const open = await db()
      .selectFrom('reservations')
      .select((eb) => eb.fn.sum<string>('token_amount_nano').as('s'))
      .where('token_id', '=', keyId)
      .executeTakeFirstOrThrow()
    return {
      used: toBig(t.used_nano),
      reserved: toBig(t.reserved_nano),
      lastUsedAt: toNum(t.last_used_at),
      open: toBig(open.s),
    }
  }

  async function ledgerOf(username: string) {
    const rows = await db()
      .selectFrom('balance_ledger')
      .select(['request_id', 'amount_nano', 'balance_after_nano', 'created_at'])
      .where('username', '=', username)
      .orderBy('created_at')
      .execute()
    return rows.map((r) => ({
      requestId: r.request_id,
      amount: toBig(r.amount_nano),
      after: toBigOrNull(r.balance_after_nano),
    }))
  }

  function settlement(username: string, keyId: string, over: Partial<Settlement>): Settlement {
    return {
      requestId: newId(),
      keyId,
      username,
      channelId: null,
      groupId: null,
      protocol: 'openai',
      endpoint: 'chat/completions',
      model: 'm',
      upstreamModel: 'm',
      usage: { ...createEmptyUsage(), inputTokens: 3, outputTokens: 5, reported: true },
      usageSource: 'reported',
      status: 200,
      errorCode: null,
      isStream: false,
      durationMs: 12.4,
      ttftMs: null,
      costNano: 0n,
      coveredByPackage: false,
      reserved: false,
      createdAt: Date.now(),
      ...over,
    }
  }

  const reservation = (username: string | null, keyId: string, amount: bigint): ReservationRequest => ({
    requestId: newId(),
    username,
    keyId,
    userAmount: amount,
    keyAmount: amount,
    now: Date.now(),
  })

  return { addUser, addKey, userMoney, keyMoney, ledgerOf, settlement, reservation }
}
