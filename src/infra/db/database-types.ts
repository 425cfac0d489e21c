import type { Generated } from 'kysely'
import type { ProtocolId } from '../../protocol/protocol-adapter.ts'

/**
 * Column conventions shared by SQLite and PostgreSQL:
 * - ids are random UUID strings; timestamps are epoch milliseconds (bigint), never text;
 * - money is integer nano-USD (bigint); booleans are integers 0/1 (better-sqlite3 cannot bind booleans);
 * - JSON is text. Reads go through `convert-row-values.ts`, since drivers disagree on integer types.
 */
type Int = number | bigint
type Big = bigint | number | string
type Bool = number | bigint

export interface UsersTable {
  id: string
  username: string
  display_name: string | null
  auth_source: 'local' | 'ldap' | 'fallback'
  password_hash: string | null
  role: 'user' | 'admin' | 'superadmin'
  quota_nano: Big | null
  used_nano: Big
  reserved_nano: Big
  disabled: Bool
  last_login_at: Big | null
  created_at: Big
  updated_at: Big
  /** Bumped on password, role or disabled changes; a session carrying an older number is refused. */
  session_version: Generated<Big>
  /** What the name looks like (unique): see src/domain/auth/canonical-username.ts. */
  username_skeleton: string | null
}

export interface GroupsTable {
  id: string
  name: string
  priority: Int
  multiplier: number
  all_visible: Bool
  description: string | null
  created_at: Big
}

export interface GroupMembersTable {
  username: string
  group_id: string
  created_at: Big
}

export interface ChannelsTable {
  id: string
  name: string
  provider: ProtocolId
  base_url: string
  api_key_enc: string
  api_key_hint: string
  weight: Int
  enabled: Bool
  models: string
  model_mapping: string
  extra_headers: string
  connect_timeout_ms: Int | null
  first_byte_timeout_ms: Int | null
  idle_timeout_ms: Int | null
  proxy_url: string | null
  status: string
  last_error: string | null
  cooldown_until: Big | null
  /** JSON array of labels (migration 006). */
  tags: string
  /** The last test's response time and when it ran (migration 006). */
  response_ms: Int | null
  tested_at: Big | null
  /** OpenAI channels: the server has `/v1/responses` (migration 010). */
  responses_api: Bool
  created_at: Big
  updated_at: Big
}

export interface GroupChannelsTable {
  group_id: string
  channel_id: string
  created_at: Big
}

export interface TokensTable {
  id: string
  name: string
  key_hash: string
  key_prefix: string
  username: string | null
  group_id: string | null
  quota_nano: Big | null
  used_nano: Big
  reserved_nano: Big
  frozen: Bool
  /** Username of whoever froze the key; null when not frozen (or frozen before this was recorded: an admin). */
  frozen_by: Generated<string | null>
  expires_at: Big | null
  allowed_models: string | null
  rpm: Int | null
  tpm: Int | null
  max_concurrency: Int | null
  last_used_at: Big | null
  created_at: Big
}

export interface RateLimitsTable {
  id: string
  group_id: string
  window_sec: Int
  limit_type: 'request_limit' | 'token_limit' | 'quota_limit'
  value: number
  /** `bound_keys`: keys bound to the group only (the default); `all_keys`: also personal keys routed through it. */
  applies_to: Generated<'bound_keys' | 'all_keys'>
  created_at: Big
}

export interface ModelPricesTable {
  id: string
  model_name: string
  unit: string
  price_nano: Big
  above_input_tokens: Int
  vendor: string | null
  context_length: Int | null
  created_at: Big
}

export interface GroupModelPricesTable extends ModelPricesTable {
  group_id: string
}

export interface VouchersTable {
  id: string
  code: string
  amount_nano: Big
  expires_at: Big | null
  used_by: string | null
  used_at: Big | null
  created_by: string | null
  created_at: Big
}

export interface BalanceLedgerTable {
  id: string
  username: string
  token_id: string | null
  request_id: string | null
  kind: 'reserve' | 'settle' | 'refund' | 'voucher' | 'admin_adjust' | 'top_up'
  amount_nano: Big
  balance_after_nano: Big | null
  created_at: Big
  /** Why, for an administrator's top-up; null otherwise. */
  note: string | null
}

export interface UsageLogsTable {
  request_id: string
  token_id: string | null
  username: string | null
  channel_id: string | null
  group_id: string | null
  protocol: string
  endpoint: string
  model: string | null
  upstream_model: string | null
  input_tokens: Int
  output_tokens: Int
  cache_read_tokens: Int
  cache_write_tokens: Int
  reasoning_tokens: Int
  cost_nano: Big
  covered_by_package: Bool
  usage_source: 'reported' | 'estimated' | 'partial' | 'none'
  status: Int
  error_code: string | null
  is_stream: Bool
  duration_ms: Int
  ttft_ms: Int | null
  created_at: Big
  /** The client's address as the gateway saw it (migration 007); null on older rows. */
  client_ip: string | null
}

export interface AdminAuditTable {
  id: string
  actor: string
  action: string
  target: string | null
  summary: string | null
  ip: string | null
  created_at: Big
}

export interface ReservationsTable {
  request_id: string
  username: string | null
  token_id: string | null
  user_amount_nano: Big
  token_amount_nano: Big
  created_at: Big
  /** The gateway process holding it (`gateway_instances.id`); NULL for rows written before owners were kept. */
  instance_id: string | null
}

/** A running gateway process and its heartbeat (src/infra/cluster/gateway-instance.ts). */
export interface GatewayInstancesTable {
  id: string
  host: string
  pid: Int
  started_at: Big
  heartbeat_at: Big
}

/** A change that made caches stale, for gateways without Redis (src/infra/cluster/watch-cache-changes.ts). */
export interface CacheChangesTable {
  id: string
  /** A `CacheChangeKind` (invalidation-bus.ts) other than `circuit`. */
  what: string
  /** The key id, username, channel… it names; NULL: every entry of `what`. */
  target: string | null
  /** Wall-clock milliseconds when it was written. */
  at: Big
}

export interface Database {
  reservations: ReservationsTable
  cache_changes: CacheChangesTable
  gateway_instances: GatewayInstancesTable
  users: UsersTable
  groups: GroupsTable
  group_members: GroupMembersTable
  channels: ChannelsTable
  group_channels: GroupChannelsTable
  tokens: TokensTable
  rate_limits: RateLimitsTable
  model_prices: ModelPricesTable
  group_model_prices: GroupModelPricesTable
  vouchers: VouchersTable
  balance_ledger: BalanceLedgerTable
  usage_logs: UsageLogsTable
  admin_audit: AdminAuditTable
}

export type { Generated }
