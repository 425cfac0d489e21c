import { createHash } from 'node:crypto'

/**
 * Lua run atomically by Redis. Time always comes from `redis.call('TIME')` (milliseconds), never from the
 * caller, so every gateway host agrees. Each rule uses three keys that share one hash tag (Cluster-safe):
 * z = ZSET requestId -> time recorded; h = HASH requestId -> amount; s = running sum of h (amount rules only).
 * Integers passed to Redis go through `fmt` so large values are never written in exponent form.
 */
export interface LuaScript {
  name: string
  source: string
  sha: string
}

const define = (name: string, body: string): LuaScript => {
  const source = `${COMMON}\n${body}`
  return { name, source, sha: createHash('sha1').update(source).digest('hex') }
}

const COMMON = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function fmt(n) return string.format('%d', n) end
local function sum_of(h)
  local total = 0
  local vals = redis.call('HVALS', h)
  for k = 1, #vals do total = total + tonumber(vals[k]) end
  return total
end
-- Removes entries recorded at or before cutoff and returns the sum of what remains.
local function trim_sum(z, h, s, cutoff)
  local old = redis.call('ZRANGEBYSCORE', z, '-inf', cutoff)
  local n = #old
  if n > 0 then
    local freed = 0
    for j = 1, n, 500 do
      local last = math.min(j + 499, n)
      local vals = redis.call('HMGET', h, unpack(old, j, last))
      for k = 1, #vals do
        if vals[k] then freed = freed + tonumber(vals[k]) end
      end
      redis.call('HDEL', h, unpack(old, j, last))
    end
    redis.call('ZREMRANGEBYSCORE', z, '-inf', cutoff)
    if redis.call('ZCARD', z) == 0 then
      redis.call('DEL', h, s)
      return 0
    end
    if freed ~= 0 and redis.call('EXISTS', s) == 1 then
      return redis.call('DECRBY', s, fmt(freed))
    end
  end
  local v = redis.call('GET', s)
  if v then return tonumber(v) end
  if redis.call('ZCARD', z) == 0 then return 0 end
  -- The sum key was lost (eviction): rebuild it from the amounts.
  local total = sum_of(h)
  redis.call('SET', s, fmt(total))
  return total
end
local function expire(win, z, h, s)
  local ttl = fmt(win * 2)
  redis.call('PEXPIRE', z, ttl)
  if h then
    redis.call('PEXPIRE', h, ttl)
    redis.call('PEXPIRE', s, ttl)
  end
end
`

/**
 * KEYS: z1 h1 s1 z2 h2 s2 ...; ARGV: requestId, n, then per rule: kind ('r' | 'a'), windowMs, limit, amount.
 * Trims, checks every rule, and records in every rule only when all pass.
 * Returns {ok, failedIndex, retryMs, used1, resetMs1, used2, resetMs2, ...}; used is after recording when ok.
 */
export const ADMIT_SCRIPT = define(
  'admit',
  `
local function amount_retry(z, h, need, win, now)
  local freed = 0
  for start = 0, 1023, 128 do
    local e = redis.call('ZRANGE', z, start, start + 127, 'WITHSCORES')
    if #e == 0 then break end
    local ids = {}
    for k = 1, #e, 2 do ids[#ids + 1] = e[k] end
    local vals = redis.call('HMGET', h, unpack(ids))
    for k = 1, #ids do
      if vals[k] then freed = freed + tonumber(vals[k]) end
      if freed >= need then return tonumber(e[2 * k]) + win - now end
    end
  end
  return win
end

local now = now_ms()
local id = ARGV[1]
local n = tonumber(ARGV[2])
local used = {}
local failed, failed_ms = 0, -1
for i = 1, n do
  local z, h, s = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local b = 2 + (i - 1) * 4
  local kind, win, lim, amt = ARGV[b + 1], tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3]), tonumber(ARGV[b + 4])
  local u
  if kind == 'r' then
    redis.call('ZREMRANGEBYSCORE', z, '-inf', now - win)
    u = redis.call('ZCARD', z)
  else
    u = trim_sum(z, h, s, now - win)
  end
  used[i] = u
  if u + amt > lim then
    local ms = win
    if amt <= lim then
      if kind == 'r' then
        local k = u + amt - lim
        local e = redis.call('ZRANGE', z, k - 1, k - 1, 'WITHSCORES')
        if e[2] then ms = tonumber(e[2]) + win - now end
      else
        ms = amount_retry(z, h, u + amt - lim, win, now)
      end
    end
    if ms > failed_ms then failed, failed_ms = i, ms end
  end
end

if failed == 0 then
  for i = 1, n do
    local z, h, s = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
    local b = 2 + (i - 1) * 4
    local kind, win, amt_s = ARGV[b + 1], tonumber(ARGV[b + 2]), ARGV[b + 4]
    if kind == 'r' then
      redis.call('ZADD', z, 'NX', now, id)
      used[i] = redis.call('ZCARD', z)
      expire(win, z)
    else
      local old = redis.call('HGET', h, id)
      redis.call('ZADD', z, 'NX', now, id)
      redis.call('HSET', h, id, amt_s)
      local delta = tonumber(amt_s) - (tonumber(old) or 0)
      used[i] = redis.call('INCRBY', s, fmt(delta))
      expire(win, z, h, s)
    end
  end
end

local out = { failed == 0 and 1 or 0, failed, failed_ms }
for i = 1, n do
  local win = tonumber(ARGV[2 + (i - 1) * 4 + 2])
  local e = redis.call('ZRANGE', KEYS[3 * i - 2], 0, 0, 'WITHSCORES')
  local reset = 0
  if e[2] then reset = tonumber(e[2]) + win - now end
  out[#out + 1] = used[i]
  out[#out + 1] = reset
end
return out
`,
)

/**
 * KEYS: z1 h1 s1 ...; ARGV: requestId, n, then per amount rule: windowMs, amount.
 * Replaces the amount recorded for requestId; records a non-zero amount now when the entry is gone.
 */
export const SETTLE_SCRIPT = define(
  'settle',
  `
local now = now_ms()
local id = ARGV[1]
local n = tonumber(ARGV[2])
for i = 1, n do
  local z, h, s = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local b = 2 + (i - 1) * 2
  local win, amt_s = tonumber(ARGV[b + 1]), ARGV[b + 2]
  local amt = tonumber(amt_s)
  trim_sum(z, h, s, now - win)
  local old = redis.call('HGET', h, id)
  if old then
    redis.call('HSET', h, id, amt_s)
    redis.call('INCRBY', s, fmt(amt - tonumber(old)))
    expire(win, z, h, s)
  elseif amt > 0 then
    redis.call('ZADD', z, now, id)
    redis.call('HSET', h, id, amt_s)
    redis.call('INCRBY', s, fmt(amt))
    expire(win, z, h, s)
  end
end
return 1
`,
)

/** KEYS: z h s; ARGV: kind, windowMs. Returns the current use in internal units. */
export const USAGE_SCRIPT = define(
  'usage',
  `
local now = now_ms()
local win = tonumber(ARGV[2])
if ARGV[1] == 'r' then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - win)
  return redis.call('ZCARD', KEYS[1])
end
return trim_sum(KEYS[1], KEYS[2], KEYS[3], now - win)
`,
)

/** KEYS: leases ZSET (leaseId -> expiry ms); ARGV: max, ttlMs, leaseId. Returns 1 when acquired. */
export const ACQUIRE_SCRIPT = define(
  'acquire',
  `
local now = now_ms()
local max, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= max then return 0 end
redis.call('ZADD', KEYS[1], fmt(now + ttl), ARGV[3])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], fmt(ttl)) end
return 1
`,
)
