import { z } from 'zod'
import { pageQuery } from '../../contracts/common.ts'
import { ISO_BOUND } from './stats-range.ts'
import { isValidTimeZone } from './time-zone.ts'
import { USAGE_SORT_KEYS } from './usage-stats.ts'
import { MODEL_SORT_KEYS } from './stats-service.ts'
import { BREAKDOWN_DIMENSIONS } from './usage-breakdown.ts'

/** Query schemas of the stats endpoints; the admin variants add an optional `username` filter. */

export const isoBound = z
  .string()
  .max(64)
  .regex(ISO_BOUND, 'must be an ISO date (YYYY-MM-DD) or timestamp (2026-01-31T16:00:00Z)')

export const timeZoneName = z.string().max(64).refine(isValidTimeZone, 'Invalid timezone').default('UTC')

const sortOrder = z.enum(['asc', 'desc']).default('desc')
const usernameFilter = { username: z.string().min(1).max(256).optional() }

export const rangeQuery = z.object({
  start_at: isoBound.optional(),
  end_at: isoBound.optional(),
  timezone: timeZoneName,
})
export const adminRangeQuery = rangeQuery.extend(usernameFilter)

export const usageQuery = pageQuery.extend({
  ...rangeQuery.shape,
  sort_by: z.enum(USAGE_SORT_KEYS).default('date'),
  sort_order: sortOrder,
})
export const adminUsageQuery = usageQuery.extend(usernameFilter)

export const modelsQuery = pageQuery.extend({
  ...rangeQuery.shape,
  sort_by: z.enum(MODEL_SORT_KEYS).default('request_count'),
  sort_order: sortOrder,
})
export const adminModelsQuery = modelsQuery.extend(usernameFilter)

/** `/stats/breakdown`: split by user, model, key or group. */
export const breakdownQuery = rangeQuery.extend({ by: z.enum(BREAKDOWN_DIMENSIONS).default('model') })
export const adminBreakdownQuery = breakdownQuery.extend(usernameFilter)

export type BreakdownQuery = z.infer<typeof adminBreakdownQuery>
export type RangeQuery = z.infer<typeof adminRangeQuery>
export type UsageQuery = z.infer<typeof adminUsageQuery>
export type ModelsQuery = z.infer<typeof adminModelsQuery>
