import { z } from 'zod'
import { isoDateOrTime, MAX_USD, usdAmount } from './common.ts'
import { PRICE_UNITS } from '../domain/pricing/price-table.ts'

export const limitTypes = ['request_limit', 'token_limit', 'quota_limit'] as const
/**
 * Whom a group's rule applies to: `bound_keys` (the default, as the original) counts and limits only keys bound
 * to the group, for which the group's rules are a package; `all_keys` also throttles personal keys that route
 * through the group (they still pay from the balance: only bound keys are ever package-covered).
 */
export const ruleAppliesTo = ['bound_keys', 'all_keys'] as const
export type RuleAppliesTo = (typeof ruleAppliesTo)[number]
const ruleFields = {
  window_sec: z
    .number()
    .int()
    .min(1)
    .max(366 * 86_400),
  limit_type: z.enum(limitTypes),
  /** Requests, tokens or USD per window depending on limit_type; 0 turns the rule off. */
  value: z.number().finite().min(0).max(1e15),
  applies_to: z
    .enum(ruleAppliesTo)
    .describe(
      'bound_keys (default): only keys bound to the group; all_keys: also personal keys routed through the group',
    )
    .optional(),
}
export const rateLimitBody = z.strictObject({ group_id: z.string().min(1).max(64), ...ruleFields })
export const updateRateLimitBody = z.strictObject(ruleFields).partial()

/**
 * Why a rule's value cannot be stored as given, or null. A positive value that the limiter would turn into a
 * zero limit (less than one token, less than one nano-USD) would silently refuse everything instead of being off.
 */
export function checkRuleValue(limitType: (typeof limitTypes)[number], value: number): string | null {
  if (value === 0) return null
  if (limitType === 'token_limit' && value < 1) return 'a token limit is 0 (off) or at least 1 token'
  if (limitType === 'quota_limit') {
    if (Math.round(value * 1e9) < 1) return 'a spend limit is 0 (off) or at least 0.000000001 USD'
    if (value > MAX_USD) return `a spend limit is at most ${MAX_USD} USD`
  }
  return null
}

/** The units a price is per: the pricing module's own list (the dashboard reads it from here). */
export const priceUnits = PRICE_UNITS
export const priceUnitSchema = z.enum(priceUnits)
const priceFields = {
  model_name: z.string().trim().min(1).max(200),
  unit: priceUnitSchema,
  /**
   * USD per 1M tokens, or per call for `request` / `web_search_call`. 0 (free) is a price; a non-zero price
   * below one nano-USD would be stored as 0 and make the model free by accident, so it is refused.
   */
  price_per_unit: z
    .number()
    .finite()
    .min(0)
    .max(1_000_000)
    .refine((v) => v === 0 || Math.round(v * 1e9) >= 1, 'must be 0 or at least 0.000000001 (one nano-USD)'),
  above_input_tokens: z.number().int().min(0).max(100_000_000).optional(),
  vendor: z.string().max(100).nullable().optional(),
  context_length: z.number().int().min(0).max(100_000_000).nullable().optional(),
}
export const priceBody = z.strictObject(priceFields)
export const updatePriceBody = z.strictObject(priceFields).partial()
export const groupPriceBody = z.strictObject({ ...priceFields, group_id: z.string().min(1).max(64) })
export const updateGroupPriceBody = z.strictObject(priceFields).partial()

export const MAX_VOUCHER_BATCH = 1000
/**
 * An amount that is added: $0 is meaningless and refused, including amounts that round to 0 nano-USD (1e-10).
 * Vouchers and an administrator's top-ups.
 */
export const positiveUsdAmount = usdAmount.refine((v) => v > 0, 'must be greater than 0')
const voucherAmount = positiveUsdAmount
export const createVoucherBody = z.strictObject({
  amount_usd: voucherAmount,
  expires_at: isoDateOrTime.nullable().optional(),
  count: z.number().int().min(1).max(MAX_VOUCHER_BATCH).optional(),
})
export const updateVoucherBody = z.strictObject({
  amount_usd: voucherAmount.optional(),
  expires_at: isoDateOrTime.nullable().optional(),
})
export const redeemVoucherBody = z.strictObject({ code: z.string().trim().min(1).max(200) })

/** An administrator's top-up: adds `amount_usd` to the balance (never sets it), with an optional reason. */
export const topUpBody = z.strictObject({
  amount_usd: positiveUsdAmount,
  note: z.string().trim().max(500).optional(),
})
export type TopUpBody = z.infer<typeof topUpBody>
