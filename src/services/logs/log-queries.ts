import { z } from 'zod'
import { pageQuery } from '../../contracts/common.ts'
import { isoBound, timeZoneName } from '../stats/stats-queries.ts'

/**
 * `status`: `success` (2xx), `error` (>= 400), a class `2xx`…`5xx`, or an exact code such as `429`.
 */
export const STATUS_FILTER = /^(success|error|[1-5]xx|[1-5]\d\d|0)$/i

export const logsQuery = pageQuery.extend({
  page_size: z.coerce.number().int().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  model: z.string().min(1).max(256).optional(),
  status: z
    .string()
    .max(16)
    .regex(STATUS_FILTER, 'must be success, error, a class like 4xx, or a status code like 429')
    .optional(),
  token_id: z.string().min(1).max(128).optional(),
  start_date: isoBound.optional(),
  end_date: isoBound.optional(),
  timezone: timeZoneName,
})
export const adminLogsQuery = logsQuery.extend({ username: z.string().min(1).max(256).optional() })

export type LogsQuery = z.infer<typeof adminLogsQuery>
