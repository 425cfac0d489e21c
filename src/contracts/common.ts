import { z } from 'zod'

/** USD amounts: finite, non-negative, at most one billion dollars (far beyond any real balance; stops 1e308). */
export const usdAmount = z.number().finite().min(0).max(1_000_000_000)
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
