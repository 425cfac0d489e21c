import { z } from 'zod'

/**
 * Answers of the balance routes (top-up, balance history) and of the own-password change. As in responses.ts:
 * objects are not strict, money is USD, times are ISO strings.
 */

/** Why a balance changed: a settlement of usage, a voucher, an administrator's top-up or direct setting. */
export const ledgerKinds = ['settle', 'reserve', 'refund', 'voucher', 'admin_adjust', 'top_up'] as const

export const balanceHistoryEntry = z.object({
  id: z.string(),
  created_at: z.string(),
  kind: z.enum(ledgerKinds),
  /** What the balance gained (negative: what it lost). */
  change_usd: z.number(),
  /** The balance right after; null while it was unlimited. */
  balance_after_usd: z.number().nullable(),
  note: z.string().nullable(),
  request_id: z.string().nullable(),
})

export const topUpResult = z.object({
  username: z.string(),
  amount_usd: z.number(),
  balance_usd: z.number(),
  note: z.string().nullable(),
})

export const passwordChanged = z.object({
  ok: z.boolean(),
  /** For API callers (bearer token): the new session's token; the dashboard gets it as its cookie instead. */
  access_token: z.string().optional(),
})
