import { z } from 'zod'

export const MAX_USD = 1_000_000_000
/**
 * USD amounts: finite, non-negative, at most one billion dollars (far beyond any real balance; stops 1e308).
 * Money is stored in whole nano-USD: a non-zero amount below half a nano would be stored as 0, which means
 * "empty" for a balance and "no cap" for a key, so it is refused rather than silently changed.
 */
export const usdAmount = z
  .number()
  .finite()
  .min(0)
  .max(MAX_USD)
  .refine((v) => v === 0 || Math.round(v * 1e9) >= 1, 'must be 0 or at least 0.000000001 (one nano-USD)')
export const name = z.string().trim().min(1).max(200)
/** ISO date (`2026-12-31`, valid to the end of that UTC day) or a full ISO timestamp. */
export const isoDateOrTime = z
  .string()
  .max(64)
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO date or timestamp')

export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).optional(),
  page_size: z.coerce.number().int().min(1).max(1000).optional(),
  offset: z.coerce.number().int().min(0).max(100_000_000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
})
export type PageQuery = z.infer<typeof pageQuery>
