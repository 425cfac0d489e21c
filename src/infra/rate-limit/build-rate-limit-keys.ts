/**
 * Redis key names. Every key of one (scope, rule) starts with the same `{prefix:scope}` hash tag, so one
 * script's keys always live in one Cluster slot. Braces and `%` are escaped in the prefix and scope (the tag
 * ends at our own `}`), and `:` too in rule ids, so two different (scope, rule) pairs never share a key.
 */
const escapeTag = (s: string): string =>
  s.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
const escapePart = (s: string): string =>
  s.replace(/[%{}:]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

export interface RuleKeys {
  /** ZSET requestId -> time recorded (ms). */
  entries: string
  /** HASH requestId -> amount (token and quota rules). */
  amounts: string
  /** Running sum of `amounts`. */
  sum: string
}

export function ruleKeys(prefix: string, scope: string, ruleId: string): RuleKeys {
  const base = `{${escapeTag(prefix)}:${escapeTag(scope)}}:r:${escapePart(ruleId)}`
  return { entries: base, amounts: `${base}:amt`, sum: `${base}:sum` }
}

/** The ZSET of concurrency leases (leaseId -> expiry ms) of one key. */
export const concurrencyKey = (prefix: string, key: string): string =>
  `{${escapeTag(prefix)}:conc:${escapeTag(key)}}`

/** SCAN pattern matching every key of a prefix (tests and maintenance). */
export const keyPattern = (prefix: string): string => `{${escapeTag(prefix).replace(/[*?[\]\\]/g, '\\$&')}:*`
