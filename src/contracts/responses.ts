import { z } from 'zod'
import { limitTypes, priceUnitSchema, ruleAppliesTo } from './billing.ts'
import { providerSchema } from './channels.ts'
import { roleSchema } from './users.ts'

/**
 * What the admin and user API answers: the route definitions document these in /openapi.json and the dashboard
 * takes its types from them (web/src/api/types.ts), so neither side hand-writes a shape the other knows. Objects
 * are not strict: an answer may carry more fields than listed, never fewer. Ids are strings, money is USD,
 * times are ISO strings.
 */
const iso = z.string()
const isoOrNull = iso.nullable()

/** `{data, total}` and, on paged routes, the page that was read. */
export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    total: z.number().int(),
    page: z.number().int().optional(),
    page_size: z.number().int().optional(),
  })
export type ListResponse<T> = { data: T[]; total: number; page?: number; page_size?: number }
/** `{data}` without a total (top-N lists). */
export const dataOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) })

export const okResponse = z.object({ ok: z.boolean() })
export const noContent = z.undefined().describe('No content')

export const loginResponse = z.object({
  /** Absent for the dashboard, which gets the session as an HttpOnly cookie instead. */
  access_token: z.string().optional(),
  token_type: z.string(),
  role: roleSchema,
  username: z.string().optional(),
  expires_in: z.number().optional(),
})

export const meResponse = z.object({
  username: z.string(),
  role: roleSchema,
  quota_usd: z.number().nullable(),
  used_usd: z.number(),
  display_name: z.string().nullable().optional(),
  /** `local` or `ldap` (a directory account changes its password in the directory); absent for break-glass. */
  auth_source: z.string().nullable().optional(),
})

export const ruleStatus = z.object({
  rule_id: z.string(),
  limit_type: z.enum(limitTypes),
  window_sec: z.number(),
  limit: z.number(),
  applies_to: z.enum(ruleAppliesTo),
  current: z.number(),
  remaining_pct: z.number(),
})
export const groupStatus = z.object({
  group_id: z.string(),
  group_name: z.string(),
  is_all_visible: z.boolean(),
  rate_limits: z.array(ruleStatus),
})
export const myStatus = z.object({
  quota_usd: z.number().nullable(),
  used_usd: z.number(),
  groups: z.array(groupStatus),
})

export const keyView = z.object({
  id: z.string(),
  name: z.string(),
  key_prefix: z.string(),
  username: z.string().nullable().optional(),
  group_id: z.string().nullable(),
  quota_usd: z.number().nullable(),
  used_usd: z.number(),
  frozen: z.boolean(),
  /** Who holds the freeze: only an administrator lifts an administrator's. */
  frozen_by: z.enum(['owner', 'admin']).nullable().optional(),
  expires_at: isoOrNull,
  allowed_models: z.array(z.string()).nullable().optional(),
  rpm: z.number().nullable().optional(),
  tpm: z.number().nullable().optional(),
  max_concurrency: z.number().nullable().optional(),
  last_used_at: isoOrNull,
  created_at: iso,
  /** The plaintext key: only in the answer that created it. */
  key: z.string().optional(),
})

export const groupRef = z.object({ id: z.string(), name: z.string() })
export const groupView = z.object({
  id: z.string(),
  name: z.string(),
  priority: z.number(),
  multiplier: z.number(),
  all_visible: z.boolean(),
  description: z.string().nullable().optional(),
  created_at: iso.optional(),
})

export const channelView = z.object({
  id: z.string(),
  name: z.string(),
  provider: providerSchema,
  base_url: z.string(),
  /** A hint (last characters), never the key. */
  api_key: z.string().nullable().optional(),
  weight: z.number(),
  enabled: z.boolean(),
  models: z.array(z.string()),
  model_mapping: z.record(z.string(), z.string()),
  /** Header names only; their values may be secrets. */
  extra_headers: z.array(z.string()).optional(),
  connect_timeout_ms: z.number().nullable().optional(),
  first_byte_timeout_ms: z.number().nullable().optional(),
  idle_timeout_ms: z.number().nullable().optional(),
  proxy_url: z.string().nullable().optional(),
  status: z.string().nullable().optional(),
  last_error: z.string().nullable().optional(),
  cooldown_until: isoOrNull.optional(),
  /** The groups linking the channel: without one it routes for nobody. */
  groups: z.array(groupRef).optional(),
  tags: z.array(z.string()).optional(),
  /** OpenAI channels: the server has `/v1/responses`; false: Responses requests are translated to chat. */
  responses_api: z.boolean().optional(),
  /** The last test's response time, and when it ran. */
  response_ms: z.number().nullable().optional(),
  tested_at: isoOrNull.optional(),
  created_at: iso.optional(),
  updated_at: iso.optional(),
})

export const probeResult = z.looseObject({
  ok: z.boolean(),
  status: z.number(),
  latency_ms: z.number(),
  message: z.string(),
  model: z.string().optional(),
})
export const fetchedModels = z.looseObject({
  ok: z.boolean(),
  count: z.number(),
  models: z.array(z.string()),
})

export const rateLimitView = z.object({
  id: z.string(),
  group_id: z.string(),
  window_sec: z.number(),
  limit_type: z.enum(limitTypes),
  value: z.number(),
  applies_to: z.enum(ruleAppliesTo),
})

export const priceView = z.object({
  id: z.string(),
  model_name: z.string(),
  unit: priceUnitSchema,
  price_per_unit: z.number(),
  above_input_tokens: z.number().nullable().optional(),
  vendor: z.string().nullable().optional(),
  context_length: z.number().nullable().optional(),
  group_id: z.string().optional(),
})
export const publicPrice = priceView.omit({ id: true, group_id: true })
export const importedPrices = z.looseObject({ created: z.number(), updated: z.number(), skipped: z.number() })

export const voucherView = z.object({
  id: z.string(),
  code: z.string(),
  amount_usd: z.number(),
  expires_at: isoOrNull,
  used: z.boolean().optional(),
  used_by: z.string().nullable(),
  used_at: isoOrNull,
  created_by: z.string().nullable().optional(),
  created_at: iso.optional(),
})
export const redeemedVoucher = z.looseObject({
  ok: z.boolean(),
  amount_usd: z.number(),
  new_quota_usd: z.number().nullable(),
})

export const userView = z.object({
  id: z.string().optional(),
  username: z.string(),
  display_name: z.string().nullable().optional(),
  auth_source: z.string().optional(),
  role: roleSchema,
  quota_usd: z.number().nullable(),
  used_usd: z.number(),
  disabled: z.boolean().optional(),
  last_login_at: isoOrNull.optional(),
  created_at: iso.optional(),
})

export const usageLog = z.object({
  id: z.string().optional(),
  request_id: z.string(),
  token_id: z.string().nullable().optional(),
  token_name: z.string().nullable().optional(),
  username: z.string().nullable().optional(),
  channel_id: z.string().nullable().optional(),
  channel_name: z.string().nullable().optional(),
  group_id: z.string().nullable().optional(),
  /** The client's address as the gateway saw it (admin answers only). */
  client_ip: z.string().nullable().optional(),
  protocol: z.string().nullable().optional(),
  endpoint: z.string().nullable().optional(),
  model: z.string().nullable().optional(),
  upstream_model: z.string().nullable().optional(),
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  cache_read_tokens: z.number().optional(),
  cache_write_tokens: z.number().optional(),
  cache_creation_tokens: z.number().optional(),
  reasoning_tokens: z.number().optional(),
  cost_usd: z.number().optional(),
  covered_by_package: z.boolean().optional(),
  usage_source: z.string().nullable().optional(),
  status: z.number().nullable().optional(),
  error_code: z.string().nullable().optional(),
  is_stream: z.boolean().optional(),
  duration_ms: z.number().nullable().optional(),
  ttft_ms: z.number().nullable().optional(),
  created_at: iso,
})
/** The stored audit record of one request; its layout is the audit file's (docs/logging.md). */
export const logMessages = z.looseObject({})

export const statsOverview = z.object({
  total_cost_usd: z.number(),
  actual_cost_usd: z.number(),
  request_count: z.number(),
  total_token_usage: z.number(),
  date: z.string().optional(),
})
export const usageRow = z.object({
  date: z.string(),
  username: z.string().optional(),
  model: z.string().nullable(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cache_read_tokens: z.number(),
  cache_creation_tokens: z.number(),
  request_count: z.number(),
  total_cost_usd: z.number(),
})
export const modelStat = z.looseObject({ model: z.string().nullable(), request_count: z.number() })
export const keyStat = z.looseObject({
  token_id: z.string(),
  username: z.string().optional(),
  token_name: z.string(),
  total_cost_usd: z.number(),
  request_count: z.number(),
})
export const channelStat = z.looseObject({ request_count: z.number() })
export const dailyTotal = z.object({
  date: z.string(),
  request_count: z.number(),
  cost_usd: z.number(),
  cost_nano: z.string(),
  tokens: z.number(),
})
export const csvText = z.string().describe('text/csv')

export const auditEntry = z.object({
  id: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable().optional(),
  summary: z.unknown().optional(),
  ip: z.string().nullable().optional(),
  created_at: iso,
})

export const health = z.object({ status: z.string() })
export const readiness = z.looseObject({
  status: z.enum(['ready', 'not_ready']),
  database: z.string(),
  redis: z.string(),
})

/** One voucher, or with `count` > 1 all of them. */
export const createdVouchers = z.union([
  voucherView,
  z.object({ count: z.number(), vouchers: z.array(voucherView) }),
])
export const bulkResult = z.looseObject({ ok: z.boolean(), count: z.number(), ids: z.array(z.string()) })
/** A link (group ↔ channel, user ↔ group) that now exists. */
export const linkResult = z.looseObject({ status: z.string() })
export const groupChannel = z.object({
  id: z.string(),
  name: z.string(),
  provider: providerSchema,
  base_url: z.string(),
  enabled: z.boolean(),
  weight: z.number(),
})
export const membership = z.object({
  id: z.string(),
  name: z.string(),
  priority: z.number(),
  all_visible: z.boolean(),
})

/**
 * Every refusal of the admin and user API (src/http/send-error.ts): a stable `code` from the error registry
 * (src/domain/errors.ts), an English `message`, and for invalid input the `fields` at fault.
 */
export const errorResponse = z.object({
  error: z.looseObject({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  }),
})

/** Requests and spend per day split by user, model, key or group: the series, then per day one value each. */
export const breakdownView = z.object({
  by: z.string(),
  series: z.array(
    z.object({
      id: z.string().nullable(),
      name: z.string().nullable(),
      other: z.boolean().optional(),
      request_count: z.number(),
      cost_usd: z.number(),
      cost_nano: z.string(),
    }),
  ),
  data: z.array(
    z.object({
      date: z.string(),
      request_count: z.array(z.number()),
      cost_usd: z.array(z.number()),
      cost_nano: z.array(z.string()),
    }),
  ),
})
export const topUser = z.object({
  username: z.string(),
  request_count: z.number(),
  cost_usd: z.number(),
  cost_nano: z.string(),
})
