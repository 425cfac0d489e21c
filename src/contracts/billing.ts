import { z } from 'zod'
import { isoDateOrTime, usdAmount } from './common.ts'

export const limitTypes = ['request_limit', 'token_limit', 'quota_limit'] as const
export const rateLimitBody = z.strictObject({
  group_id: z.string().min(1).max(64),
  window_sec: z
    .number()
    .int()
    .min(1)
    .max(366 * 86_400),
  limit_type: z.enum(limitTypes),
  value: z.number().finite().min(0).max(1e15),
})
export const updateRateLimitBody = rateLimitBody.omit({ group_id: true }).partial()

export const priceUnits = [
  'input_token',
  'output_token',
  'cache_read_token',
  'cache_write_token',
  'cache_write_1h_token',
  'request',
  'web_search_call',
] as const
export const priceUnitSchema = z.enum(priceUnits)
const priceFields = {
  model_name: z.string().trim().min(1).max(200),
  unit: priceUnitSchema,
  /** USD per 1M tokens, or per call for `request` / `web_search_call`. */
  price_per_unit: z.number().finite().min(0).max(1_000_000),
  above_input_tokens: z.number().int().min(0).max(100_000_000).optional(),
  vendor: z.string().max(100).nullable().optional(),
  context_length: z.number().int().min(0).max(100_000_000).nullable().optional(),
}
export const priceBody = z.strictObject(priceFields)
export const updatePriceBody = z.strictObject(priceFields).partial()
export const groupPriceBody = z.strictObject({ ...priceFields, group_id: z.string().min(1).max(64) })
export const updateGroupPriceBody = z.strictObject(priceFields).partial()

export const MAX_VOUCHER_BATCH = 1000
export const createVoucherBody = z.strictObject({
  amount_usd: usdAmount.refine((v) => v > 0, 'must be greater than 0'),
  expires_at: isoDateOrTime.nullable().optional(),
  count: z.number().int().min(1).max(MAX_VOUCHER_BATCH).optional(),
})
export const updateVoucherBody = z.strictObject({
  amount_usd: usdAmount.refine((v) => v > 0, 'must be greater than 0').optional(),
  expires_at: isoDateOrTime.nullable().optional(),
})
export const redeemVoucherBody = z.strictObject({ code: z.string().trim().min(1).max(200) })
