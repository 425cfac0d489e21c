import SQLite from 'better-sqlite3'

/**
 * The original any_gateway's SQLite database (README, "Moving from any_gateway"), read as it stores things:
 * ids are 32 hex characters, timestamps ISO text, money float USD, flags 0/1, JSON in text columns. Columns
 * added in later versions may be missing: every reader tolerates their absence.
 */
export interface OriginalData {
  groups: {
    id: string
    name: string
    priority: number
    multiplier: number
    all_visible: boolean
    created_at: number | null
  }[]
  users: { username: string; quota_usd: number | null; used_usd: number; created_at: number | null }[]
  admins: { username: string; role: string }[]
  memberships: { username: string; group_id: string }[]
  channels: {
    id: string
    name: string
    provider: string
    base_url: string
    api_key: string
    weight: number
    enabled: boolean
    models: string[]
    model_mapping: Record<string, string>
    proxy_url: string | null
    disable_ssl: boolean
    created_at: number | null
  }[]
  groupChannels: { group_id: string; channel_id: string }[]
  tokens: {
    id: string
    key: string
    name: string
    group_id: string | null
    username: string | null
    quota_usd: number
    used_usd: number
    frozen: boolean
    expires_at: string | null
    created_at: number | null
  }[]
  rateLimits: { id: string; group_id: string; window_sec: number; limit_type: string; value: number }[]
  prices: OriginalPrice[]
  groupPrices: (OriginalPrice & { group_id: string })[]
  vouchers: {
    code: string
    amount_usd: number
    expires_at: string | null
    used: boolean
    used_by: string | null
    used_at: number | null
    created_at: number | null
  }[]
  /** Rows of the original's usage_logs: history that stays in the original database. */
  usageRows: number
}

export interface OriginalPrice {
  id: string
  model_name: string
  unit: string
  price_per_unit: number
  vendor: string | null
  context_length: number | null
  created_at: number | null
}

type Raw = Record<string, unknown>

/** A text column's value; numbers (SQLite's loose typing) as their digits, anything else as `fallback`. */
function text(v: unknown, fallback = ''): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'bigint') return String(v)
  return fallback
}
const str = (v: unknown): string | null => (v === null || v === undefined ? null : text(v))
const num = (v: unknown, fallback = 0): number => {
  if (v === null || v === undefined || v === '') return fallback
  const n = Number(v)
  return Number.isFinite(n) ? n : fallback
}
const flag = (v: unknown): boolean => v === 1 || v === true || v === '1' || v === 'true' || v === 1n

/** ISO text as the original wrote it (`…Z` or naive UTC) to epoch ms; null when absent or unreadable. */
export function originalTime(v: unknown): number | null {
  if (typeof v !== 'string' || v.trim() === '') return null
  const text = v.trim()
  const zoned = /[zZ]|[+-]\d{2}:?\d{2}$/.test(text) || /^\d{4}-\d{2}-\d{2}$/.test(text) ? text : `${text}Z`
  const ms = Date.parse(zoned.replace(' ', 'T'))
  return Number.isNaN(ms) ? null : ms
}

function parsedJson(value: unknown): unknown {
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value)
  } catch {
    return null
  }
}

/** `models`: a JSON list of names or of `{id}` / `{name}` objects, with `models/` prefixes (Gemini) dropped. */
function modelList(value: unknown): string[] {
  const list = parsedJson(value)
  if (!Array.isArray(list)) return []
  const names = list.flatMap((m: unknown) => {
    const entry = m && typeof m === 'object' ? (m as { id?: unknown; name?: unknown }) : null
    const name = typeof m === 'string' ? m : (entry?.id ?? entry?.name)
    return typeof name === 'string' && name.trim() ? [name.trim().replace(/^models\//, '')] : []
  })
  return [...new Set(names)]
}

/** `model_mapping`: a JSON object of alias → upstream model. */
function modelMapping(value: unknown): Record<string, string> {
  const map = parsedJson(value)
  if (!map || typeof map !== 'object' || Array.isArray(map)) return {}
  return Object.fromEntries(
    Object.entries(map as Record<string, unknown>).filter(
      (e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '',
    ),
  )
}

export function readOriginalDatabase(file: string): OriginalData {
  const db = new SQLite(file, { readonly: true, fileMustExist: true })
  try {
    const tables = new Set(
      (db.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[]).map(
        (r) => r.name,
      ),
    )
    if (!tables.has('tokens') || !tables.has('channels') || !tables.has('user_groups')) {
      throw new Error(`${file} is not an any_gateway database (no tokens, channels or user_groups table)`)
    }
    const all = (table: string): Raw[] =>
      tables.has(table) ? (db.prepare(`select * from "${table}"`).all() as Raw[]) : []
    const price = (row: Raw): OriginalPrice => ({
      id: text(row.id),
      model_name: text(row.model_name),
      unit: text(row.unit),
      price_per_unit: num(row.price_per_unit),
      vendor: str(row.vendor),
      context_length:
        row.context_length === null || row.context_length === undefined ? null : num(row.context_length),
      created_at: originalTime(row.created_at),
    })
    return {
      groups: all('user_groups').map((r) => ({
        id: text(r.id),
        name: text(r.name),
        priority: Math.trunc(num(r.priority, 1)),
        multiplier: num(r.multiplier, 1),
        all_visible: flag(r.all_visible),
        created_at: originalTime(r.created_at),
      })),
      users: all('users').map((r) => ({
        username: text(r.username),
        quota_usd: r.quota_usd === null ? null : num(r.quota_usd),
        used_usd: num(r.used_usd),
        created_at: originalTime(r.created_at),
      })),
      admins: all('admin_users').map((r) => ({
        username: text(r.username),
        role: text(r.role, 'admin'),
      })),
      memberships: all('user_group_memberships').map((r) => ({
        username: text(r.username),
        group_id: text(r.group_id),
      })),
      channels: all('channels').map((r) => ({
        id: text(r.id),
        name: text(r.name),
        provider: text(r.provider),
        base_url: text(r.base_url),
        api_key: text(r.api_key),
        weight: Math.trunc(num(r.weight, 1)),
        enabled: r.enabled === undefined ? true : flag(r.enabled),
        models: modelList(r.models),
        model_mapping: modelMapping(r.model_mapping),
        proxy_url: str(r.proxy_url) || null,
        disable_ssl: flag(r.disable_ssl),
        created_at: originalTime(r.created_at),
      })),
      groupChannels: all('group_channels').map((r) => ({
        group_id: text(r.group_id),
        channel_id: text(r.channel_id),
      })),
      tokens: all('tokens').map((r) => ({
        id: text(r.id),
        key: text(r.key),
        name: text(r.name),
        group_id: str(r.group_id),
        username: str(r.username),
        quota_usd: num(r.quota_usd),
        used_usd: num(r.used_usd),
        frozen: flag(r.frozen),
        expires_at: str(r.expires_at),
        created_at: originalTime(r.created_at),
      })),
      rateLimits: all('rate_limits').map((r) => ({
        id: text(r.id),
        group_id: text(r.group_id),
        window_sec: Math.trunc(num(r.window_sec)),
        limit_type: text(r.limit_type),
        value: num(r.value),
      })),
      prices: all('model_prices').map(price),
      groupPrices: all('group_model_prices').map((r) => ({ ...price(r), group_id: text(r.group_id) })),
      vouchers: all('vouchers').map((r) => ({
        code: text(r.code),
        amount_usd: num(r.amount_usd),
        expires_at: str(r.expires_at),
        used: flag(r.used) || Boolean(r.used_by),
        used_by: str(r.used_by),
        used_at: originalTime(r.used_at),
        created_at: originalTime(r.created_at),
      })),
      usageRows: tables.has('usage_logs')
        ? Number((db.prepare('select count(*) as n from usage_logs').get() as { n: number }).n)
        : 0,
    }
  } finally {
    db.close()
  }
}
