import { z } from 'zod'
import { isoDateOrTime, name, usdAmount } from './common.ts'

const limits = {
  allowed_models: z.array(z.string().min(1).max(200)).max(500).nullable().optional(),
  rpm: z.number().int().min(1).max(1_000_000).nullable().optional(),
  tpm: z.number().int().min(1).max(1_000_000_000).nullable().optional(),
  max_concurrency: z.number().int().min(1).max(10_000).nullable().optional(),
}

export const createTokenBody = z.strictObject({
  name,
  group_id: z.string().min(1).max(64).nullable().optional(),
  quota_usd: usdAmount.nullable().optional(),
  expires_at: isoDateOrTime.nullable().optional(),
  ...limits,
})
export type CreateTokenBody = z.infer<typeof createTokenBody>

/** An administrator issues a key for a user (handed over once, as a user's own new key is). */
export const issueTokenBody = createTokenBody.extend({ username: z.string().trim().min(1).max(256) })
export type IssueTokenBody = z.infer<typeof issueTokenBody>

export const updateTokenBody = z.strictObject({
  name: name.optional(),
  group_id: z.string().min(1).max(64).nullable().optional(),
  quota_usd: usdAmount.nullable().optional(),
  expires_at: isoDateOrTime.nullable().optional(),
  ...limits,
})
export type UpdateTokenBody = z.infer<typeof updateTokenBody>

/** The original's freeze endpoints take `{frozen}`; POST without a body freezes, PATCH without a body unfreezes. */
export const freezeBody = z.strictObject({ frozen: z.boolean().optional() }).optional()
