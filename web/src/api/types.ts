/** Shapes of the gateway's admin and user API (SPEC §4). Ids are strings, money is USD. */

export type Role = 'user' | 'admin' | 'superadmin'

export interface ListResponse<T> {
  data: T[]
  total: number
  page?: number
  page_size?: number
}

export interface ApiErrorBody {
  error?: { code?: string; message?: string } | string
  detail?: unknown
  message?: string
}

export interface LoginResponse {
  /** Absent for the dashboard, which gets the session as an HttpOnly cookie instead. */
  access_token?: string
  token_type: string
  role: Role
  username?: string
}

export interface Me {
  username: string
  role: Role
  quota_usd: number | null
  used_usd: number
  display_name?: string | null
}

export type LimitType = 'request_limit' | 'token_limit' | 'quota_limit'

export interface RuleStatus {
  rule_id: string
  limit_type: LimitType
  window_sec: number
  limit: number
  applies_to: RuleAppliesTo
  current: number
  remaining_pct: number
}

export interface GroupStatus {
  group_id: string
  group_name: string
  is_all_visible: boolean
  rate_limits: RuleStatus[]
}

export interface MyStatus {
  quota_usd: number | null
  used_usd: number
  groups: GroupStatus[]
}

export interface Token {
  id: string
  name: string
  key_prefix: string
  group_id: string | null
  quota_usd: number | null
  used_usd: number
  frozen: boolean
  expires_at: string | null
  created_at: string
  last_used_at: string | null
  /** Who holds the freeze: only an administrator lifts an administrator's. */
  frozen_by?: 'owner' | 'admin' | null
  username?: string | null
  allowed_models?: string[] | null
  rpm?: number | null
  tpm?: number | null
  max_concurrency?: number | null
  /** Only in the response of POST /user/tokens. */
  key?: string
}

export interface GroupRef {
  id: string
  name: string
}

export interface Group {
  id: string
  name: string
  priority: number
  multiplier: number
  all_visible: boolean
  description?: string | null
  created_at?: string
}

export type Provider = 'openai' | 'anthropic' | 'gemini'

export interface Channel {
  id: string
  name: string
  provider: Provider
  base_url: string
  api_key?: string
  weight: number
  enabled: boolean
  models: string[]
  model_mapping: Record<string, string>
  extra_headers?: string[]
  connect_timeout_ms?: number | null
  first_byte_timeout_ms?: number | null
  idle_timeout_ms?: number | null
  proxy_url?: string | null
  status?: string | null
  last_error?: string | null
  cooldown_until?: string | null
  /** The groups linking the channel: without one it routes for nobody. */
  groups?: { id: string; name: string }[]
  tags?: string[]
  /** The last test's response time, and when it ran. */
  response_ms?: number | null
  tested_at?: string | null
  created_at?: string
  updated_at?: string
}

export interface RateLimit {
  id: string
  group_id: string
  window_sec: number
  limit_type: LimitType
  value: number
  applies_to: RuleAppliesTo
}

/** bound_keys: only keys bound to the group (the default); all_keys: also personal keys routed through it. */
export type RuleAppliesTo = 'bound_keys' | 'all_keys'

export type PriceUnit =
  | 'input_token'
  | 'output_token'
  | 'cache_read_token'
  | 'cache_write_token'
  | 'cache_write_1h_token'
  | 'request'
  | 'web_search_call'

export interface Price {
  id: string
  model_name: string
  unit: PriceUnit
  price_per_unit: number
  above_input_tokens?: number | null
  vendor?: string | null
  context_length?: number | null
  group_id?: string
}

export interface Voucher {
  id: string
  code: string
  amount_usd: number
  expires_at: string | null
  used?: boolean
  used_by: string | null
  used_at: string | null
  created_by?: string | null
  created_at?: string
}

export interface User {
  id?: string
  username: string
  display_name?: string | null
  auth_source?: string
  role: Role
  quota_usd: number | null
  used_usd: number
  disabled?: boolean
  last_login_at?: string | null
  created_at?: string
}

export interface UsageLog {
  id?: string
  request_id: string
  token_id?: string | null
  token_name?: string | null
  username?: string | null
  channel_id?: string | null
  channel_name?: string | null
  group_id?: string | null
  protocol?: string | null
  endpoint?: string | null
  model?: string | null
  upstream_model?: string | null
  input_tokens?: number
  output_tokens?: number
  cache_read_tokens?: number
  cache_write_tokens?: number
  cache_creation_tokens?: number
  reasoning_tokens?: number
  cost_usd?: number
  covered_by_package?: boolean
  usage_source?: string | null
  status?: number | null
  error_code?: string | null
  is_stream?: boolean
  duration_ms?: number | null
  ttft_ms?: number | null
  created_at: string
}

export interface Overview {
  total_cost_usd: number
  actual_cost_usd: number
  request_count: number
  total_token_usage: number
  date?: string
}

export interface UsageRow {
  date: string
  username?: string
  model: string | null
  input_tokens: number
  output_tokens: number
  cache_read_tokens: number
  cache_creation_tokens: number
  request_count: number
  total_cost_usd: number
}

export interface ModelStat {
  model: string | null
  request_count: number
}

export interface TokenStat {
  token_id: string
  username?: string
  token_name: string
  total_cost_usd: number
  request_count: number
}

export interface AuditEntry {
  id: string
  actor: string
  action: string
  target?: string | null
  summary?: unknown
  ip?: string | null
  created_at: string
}

export interface PublicPrice {
  model_name: string
  unit: PriceUnit
  price_per_unit: number
  context_length?: number | null
  vendor?: string | null
  above_input_tokens?: number | null
}
