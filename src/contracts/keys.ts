import { z } from 'zod'
import { isoDateOrTime, name, usdAmount } from './common.ts'

const limits = {
  allowed_models: z.array(z.string().min(1).max(200)).max(500).nullable().optional(),
  rpm: z.number().int().min(1).max(1_000_000).nullable().optional(),
  tpm: z.number().int().min(1).max(1_000_000_000).nullable().optional(),
  max_concurrency: z.number().int().min(1).max(10_000).nullable().optional(),
}

export const createKeyBody = z.strictObject({
  name,
  group_id: z.string().min(1).max(64).nullable().optional(),
  quota_usd: usdAmount.nullable().optional(),
  expires_at: isoDateOrTime.nullable().optional(),
  ...limits,
})
export type CreateKeyBody = z.infer<typeof createKeyBody>

/** An administrator issues a key for a user (handed over once, as a user's own new key is). */
export const issueKeyBody = createKeyBody.extend({ username: z.string().trim().min(1).max(256) })
export type IssueKeyBody = z.infer<typeof issueKeyBody>

export const updateKeyBody = z.strictObject({
  name: name.optional(),
  group_id: z.string().min(1).max(64).nullable().optional(),
  quota_usd: usdAmount.nullable().optional(),
  expires_at: isoDateOrTime.nullable().optional(),
  ...limits,
})
export type UpdateKeyBody = z.infer<typeof updateKeyBody>

/** The original's freeze endpoints take `{frozen}`; POST without a body freezes, PATCH without a body unfreezes. */
export const freezeBody = z.strictObject({ frozen: z.boolean().optional() }).optional()
