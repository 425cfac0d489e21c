import SQLite from 'better-sqlite3'

/**
 * The original any_gateway's SQLite schema, as its SQLModel models create it (from its behaviour description:
 * tables, columns, defaults), including the columns later versions added with ALTER TABLE. Foreign keys are
 * declared but, as in the original, not enforced.
 */
export const ORIGINAL_SCHEMA = `
CREATE TABLE user_groups (
  id VARCHAR NOT NULL PRIMARY KEY,
  name VARCHAR NOT NULL UNIQUE,
  priority INTEGER NOT NULL DEFAULT 1,
  multiplier FLOAT NOT NULL DEFAULT 1.0,
  all_visible BOOLEAN NOT NULL DEFAULT 0,
  created_at VARCHAR NOT NULL
);
CREATE TABLE users (
  username VARCHAR NOT NULL PRIMARY KEY,
  created_at VARCHAR NOT NULL,
  quota_usd FLOAT DEFAULT 0,
  used_usd FLOAT NOT NULL DEFAULT 0
);
CREATE TABLE admin_users (
  username VARCHAR NOT NULL PRIMARY KEY,
  role VARCHAR NOT NULL DEFAULT 'admin',
  created_by VARCHAR,
  created_at VARCHAR NOT NULL
);
CREATE TABLE user_group_memberships (
  username VARCHAR NOT NULL REFERENCES users (username),
  group_id VARCHAR NOT NULL REFERENCES user_groups (id),
  PRIMARY KEY (username, group_id)
);
CREATE TABLE channels (
  id VARCHAR NOT NULL PRIMARY KEY,
  name VARCHAR NOT NULL,
  provider VARCHAR NOT NULL,
  base_url VARCHAR NOT NULL,
  api_key VARCHAR NOT NULL,
  weight INTEGER NOT NULL DEFAULT 1,
  enabled BOOLEAN NOT NULL DEFAULT 1,
  models VARCHAR,
  model_mapping VARCHAR,
  created_at VARCHAR NOT NULL
);
ALTER TABLE channels ADD COLUMN proxy_url VARCHAR;
ALTER TABLE channels ADD COLUMN disable_ssl BOOLEAN DEFAULT 0;
ALTER TABLE channels ADD COLUMN disable_compression BOOLEAN DEFAULT 0;
CREATE TABLE group_channels (
  group_id VARCHAR NOT NULL REFERENCES user_groups (id),
  channel_id VARCHAR NOT NULL REFERENCES channels (id),
  PRIMARY KEY (group_id, channel_id)
);
CREATE TABLE tokens (
  id VARCHAR NOT NULL PRIMARY KEY,
  key VARCHAR NOT NULL UNIQUE,
  name VARCHAR NOT NULL,
  group_id VARCHAR REFERENCES user_groups (id),
  username VARCHAR REFERENCES users (username),
  quota_usd FLOAT NOT NULL DEFAULT 0,
  used_usd FLOAT NOT NULL DEFAULT 0,
  frozen BOOLEAN NOT NULL DEFAULT 0,
  expires_at VARCHAR,
  created_at VARCHAR NOT NULL,
  last_used VARCHAR
);
CREATE TABLE usage_logs (
  id VARCHAR NOT NULL PRIMARY KEY,
  token_id VARCHAR REFERENCES tokens (id),
  username VARCHAR,
  channel_id VARCHAR REFERENCES channels (id),
  model VARCHAR,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0,
  cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd FLOAT NOT NULL DEFAULT 0,
  covered_by_package BOOLEAN NOT NULL DEFAULT 0,
  duration_ms FLOAT NOT NULL DEFAULT 0,
  status INTEGER,
  is_stream BOOLEAN NOT NULL DEFAULT 0,
  created_at VARCHAR NOT NULL
);
CREATE TABLE vouchers (
  id VARCHAR NOT NULL PRIMARY KEY,
  code VARCHAR NOT NULL UNIQUE,
  amount_usd FLOAT NOT NULL,
  expires_at VARCHAR,
  used BOOLEAN NOT NULL DEFAULT 0,
  used_by VARCHAR,
  used_at VARCHAR,
  created_at VARCHAR NOT NULL
);
CREATE TABLE rate_limits (
  id VARCHAR NOT NULL PRIMARY KEY,
  group_id VARCHAR NOT NULL REFERENCES user_groups (id),
  window_sec INTEGER NOT NULL,
  limit_type VARCHAR NOT NULL,
  value FLOAT NOT NULL
);
CREATE TABLE model_prices (
  id VARCHAR NOT NULL PRIMARY KEY,
  model_name VARCHAR NOT NULL,
  unit VARCHAR NOT NULL,
  price_per_unit FLOAT NOT NULL,
  created_at VARCHAR NOT NULL
);
ALTER TABLE model_prices ADD COLUMN context_length INTEGER;
ALTER TABLE model_prices ADD COLUMN vendor VARCHAR;
ALTER TABLE model_prices ADD COLUMN stability VARCHAR;
CREATE TABLE group_model_prices (
  id VARCHAR NOT NULL PRIMARY KEY,
  group_id VARCHAR NOT NULL REFERENCES user_groups (id),
  model_name VARCHAR NOT NULL,
  unit VARCHAR NOT NULL,
  price_per_unit FLOAT NOT NULL,
  created_at VARCHAR NOT NULL
);
`

/** The original's ids: a UUID4 as 32 lowercase hex characters. */
const hexId = (n: number) => n.toString(16).padStart(32, 'a')
/** The original's keys: `sk-` and 32 hex characters (16 random bytes), stored in plaintext. */
export const ORIGINAL_KEYS = {
  alice: 'sk-0123456789abcdef0123456789abcdef',
  bob: 'sk-fedcba9876543210fedcba9876543210',
  carolFrozen: 'sk-00000000000000000000000000000c01',
  daveExpired: 'sk-00000000000000000000000000000d01',
  ownerless: 'sk-00000000000000000000000000000e01',
  fallback: 'sk-00000000000000000000000000000f01',
  erin: 'sk-0000000000000000000000000000e7e7',
}
export const ORIGINAL_CHANNEL_KEY = 'sk-original-upstream-canary-4242'
const T = '2025-03-01T10:00:00.000000Z'

/** A database the original wrote: users, groups, channels, keys, rules, prices, vouchers and some usage. */
export function buildOriginalDatabase(file: string, upstreamUrl: string): void {
  const db = new SQLite(file)
  // As the original's driver: declared, not enforced (better-sqlite3 turns them on by default).
  db.pragma('foreign_keys = OFF')
  db.exec(ORIGINAL_SCHEMA)
  const insert = (table: string, row: Record<string, unknown>) => {
    const cols = Object.keys(row)
    db.prepare(`insert into ${table} (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`).run(
      ...cols.map((c) => row[c]),
    )
  }
  const g = { default: hexId(1), premium: hexId(2), staff: hexId(3) }
  insert('user_groups', {
    id: g.default,
    name: 'default',
    priority: 1,
    multiplier: 1,
    all_visible: 0,
    created_at: T,
  })
  insert('user_groups', {
    id: g.premium,
    name: 'premium',
    priority: 10,
    multiplier: 1.5,
    all_visible: 1,
    created_at: T,
  })
  insert('user_groups', {
    id: g.staff,
    name: 'staff',
    priority: 5,
    multiplier: 1,
    all_visible: 0,
    created_at: T,
  })
  insert('users', { username: 'alice', created_at: T, quota_usd: 25.5, used_usd: 4.5 })
  insert('users', { username: 'bob', created_at: T, quota_usd: null, used_usd: 0 })
  insert('users', { username: 'carol', created_at: '2025-03-02T08:00:00', quota_usd: 0, used_usd: 0 })
  // LDAP logins keep the case the user typed: here names are stored in one canonical form.
  insert('users', { username: 'Erin', created_at: T, quota_usd: 2, used_usd: 0 })
  insert('admin_users', { username: 'alice', role: 'superadmin', created_by: 'system', created_at: T })
  insert('admin_users', { username: 'dave', role: 'admin', created_by: 'alice', created_at: T })
  insert('user_group_memberships', { username: 'alice', group_id: g.premium })
  insert('user_group_memberships', { username: 'carol', group_id: g.staff })
  insert('user_group_memberships', { username: 'ghost', group_id: g.staff })
  insert('user_group_memberships', { username: 'Erin', group_id: g.staff })

  const c = { openai: hexId(11), gemini: hexId(12), deepseek: hexId(13), bad: hexId(14), openai2: hexId(15) }
  const channel = (
    id: string,
    name: string,
    provider: string,
    base: string,
    extra: Record<string, unknown> = {},
  ) =>
    insert('channels', {
      id,
      name,
      provider,
      base_url: base,
      api_key: ORIGINAL_CHANNEL_KEY,
      weight: 1,
      enabled: 1,
      models: null,
      model_mapping: null,
      created_at: T,
      ...extra,
    })
  channel(c.openai, 'openai-main', 'openai', `${upstreamUrl}/v1/`, {
    models: JSON.stringify(['gpt-4o-mini', { id: 'gpt-4o' }]),
    model_mapping: JSON.stringify({ 'gpt-alias': 'gpt-4o-mini' }),
  })
  channel(c.gemini, 'gemini', 'gemini', `${upstreamUrl}/v1beta`, {
    models: JSON.stringify([{ name: 'models/gemini-2.5-flash' }]),
  })
  channel(c.deepseek, 'deepseek', 'deepseek', `${upstreamUrl}/v1`, {
    models: JSON.stringify(['deepseek-chat']),
    disable_ssl: 1,
  })
  channel(c.bad, 'broken', 'openai', 'ftp://files.example.org/v1', { models: '["x"]' })
  // The original allowed two channels of one name (here the names are unique).
  channel(c.openai2, 'openai-main', 'openai', `${upstreamUrl}/v1/`, { models: JSON.stringify(['gpt-4.1']) })
  for (const [group, ch] of [
    [g.premium, c.openai],
    [g.premium, c.gemini],
    [g.staff, c.openai],
    [g.default, c.deepseek],
    [g.staff, c.bad],
    [g.staff, c.openai2],
  ]) {
    insert('group_channels', { group_id: group, channel_id: ch })
  }

  const token = (id: number, key: string, row: Record<string, unknown>) =>
    insert('tokens', {
      id: hexId(100 + id),
      key,
      name: `key ${id}`,
      group_id: null,
      username: null,
      quota_usd: 0,
      used_usd: 0,
      frozen: 0,
      expires_at: null,
      created_at: T,
      ...row,
    })
  token(1, ORIGINAL_KEYS.alice, { username: 'alice', used_usd: 1.25 })
  token(2, ORIGINAL_KEYS.bob, {
    username: 'bob',
    group_id: g.premium,
    quota_usd: 10,
    expires_at: '2999-12-31',
  })
  token(3, ORIGINAL_KEYS.carolFrozen, { username: 'carol', frozen: 1 })
  token(4, ORIGINAL_KEYS.daveExpired, { username: 'dave', expires_at: '2020-01-01T00:00:00' })
  token(5, ORIGINAL_KEYS.ownerless, { group_id: g.staff })
  token(6, ORIGINAL_KEYS.fallback, { username: '_admin_fallback' })
  token(7, ORIGINAL_KEYS.erin, { username: 'Erin' })

  insert('rate_limits', {
    id: hexId(201),
    group_id: g.premium,
    window_sec: 60,
    limit_type: 'request_limit',
    value: 100,
  })
  insert('rate_limits', {
    id: hexId(202),
    group_id: g.staff,
    window_sec: 3600,
    limit_type: 'token_limit',
    value: 0,
  })
  insert('rate_limits', {
    id: hexId(203),
    group_id: g.staff,
    window_sec: 60,
    limit_type: 'foo_limit',
    value: 5,
  })

  const price = (id: number, model: string, unit: string, p: number, extra: Record<string, unknown> = {}) =>
    insert('model_prices', {
      id: hexId(300 + id),
      model_name: model,
      unit,
      price_per_unit: p,
      created_at: T,
      ...extra,
    })
  price(1, 'gpt-4o-mini', 'input_token', 0.15, { vendor: 'OpenAI', context_length: 128000 })
  price(2, 'gpt-4o-mini', 'output_token', 0.6)
  price(3, 'gpt-4o-mini', 'input_token', 0.2)
  price(4, 'gpt 3.5 turbo', 'input_token', 0.5)
  price(5, 'gpt-4o-mini', 'extra_context_token', 1)
  insert('group_model_prices', {
    id: hexId(401),
    group_id: g.premium,
    model_name: 'gpt-4o-mini',
    unit: 'input_token',
    price_per_unit: 0.1,
    created_at: T,
  })
  insert('vouchers', {
    id: hexId(501),
    code: 'ORIGINAL-VOUCHER-ONE',
    amount_usd: 5,
    expires_at: '2999-01-01',
    used: 0,
    created_at: T,
  })
  insert('vouchers', {
    id: hexId(502),
    code: 'ORIGINAL-VOUCHER-TWO',
    amount_usd: 3,
    used: 1,
    used_by: 'alice',
    used_at: '2025-03-03T00:00:00Z',
    created_at: T,
  })
  insert('usage_logs', {
    id: hexId(601),
    token_id: hexId(101),
    username: 'alice',
    model: 'gpt-4o-mini',
    cost_usd: 1.25,
    status: 200,
    created_at: T,
  })
  db.close()
}
