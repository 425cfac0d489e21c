import { z } from 'zod'
import { pageQuery } from '../../contracts/common.ts'
import { isoBound, timeZoneName } from '../stats/stats-queries.ts'

/**
 * `status`: `success` (2xx), `error` (>= 400), a class `2xx`…`5xx`, or an exact code such as `429`.
 */
export const STATUS_FILTER = /^(success|error|[1-5]xx|[1-5]\d\d|0)$/i

/** Columns the logs can be ordered by (newest first by default); ties go by request id. */
export const LOG_SORTS = ['created_at', 'cost', 'duration', 'ttft', 'input_tokens', 'output_tokens'] as const
export type LogSort = (typeof LOG_SORTS)[number]

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
  /** A key by its name or id (the Logs page's key filter). */
  key: z.string().trim().min(1).max(200).optional(),
  sort_by: z.enum(LOG_SORTS).optional(),
  sort_order: z.enum(['asc', 'desc']).optional(),
  start_date: isoBound.optional(),
  end_date: isoBound.optional(),
  timezone: timeZoneName,
})
export const adminLogsQuery = logsQuery.extend({
  username: z.string().min(1).max(256).optional(),
  channel_id: z.string().min(1).max(128).optional(),
  /** The client's address, exact (an IPv6 address with a zone fits in 64). */
  ip: z.string().trim().min(1).max(64).optional(),
})

export type LogsQuery = z.infer<typeof adminLogsQuery>
