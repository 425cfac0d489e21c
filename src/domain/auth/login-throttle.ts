/**
 * In-memory login throttle, consulted BEFORE any password check or directory bind.
 *
 * Three counters, each over a sliding window (README, "Logins and sessions"):
 * - per (username, IP): `maxFailuresPerUser` failures, then that pair is refused until the window sheds one.
 *   A guesser locks out only itself, never the account's owner on another address.
 * - per IP: `maxFailuresPerIp` failures across all usernames, then that IP is refused (password spraying).
 * - per username, from anywhere: past `maxFailuresPerUser` failures the username is not refused but slowed.
 *   Attempts for it start one at a time with a growing gap (1 s, 2 s, 4 s… up to `maxDelayMs`); an attempt waits
 *   for its turn, and only one whose turn is further away than `maxDelayMs` is refused. The owner's right
 *   password from a fresh address therefore still works, after a delay, while guesses from rotating addresses
 *   reach the password check (and the directory, which would lock the account: RocketChat#18939) at a slow,
 *   bounded rate.
 *
 * Why `check` reserves a slot: without it, 100 parallel requests would all pass `check` before the first
 * failure is recorded. Each allowed `check` counts as an attempt in flight until `recordFailure`,
 * `recordSuccess` or `release` settles it; a slot nobody settles (a crash, an unreachable directory)
 * simply ages out with the window, i.e. it counts like a failure.
 *
 * Usernames are expected in canonical form (canonical-username.ts); they are folded again here anyway.
 * Pure: no timers, no IO; the clock is injected and the caller does the waiting. Memory is bounded by
 * `maxEntries` per counter.
 */
import { canonicalUsername } from './canonical-username.ts'

export interface LoginThrottleOptions {
  /** Failures per (username, IP) before that pair is refused; also where slowing the username starts. */
  maxFailuresPerUser: number
  maxFailuresPerIp: number
  windowMs: number
  /** Longest gap between two attempts for a slowed username, and longest wait for a turn. Default 30 s. */
  maxDelayMs?: number
  /** The first gap once a username is slowed; it doubles with each further failure. Default 1 s. */
  baseDelayMs?: number
  now: () => number
  /** Tracked keys per counter. Default 10 000. */
  maxEntries?: number
}

export type LoginThrottleDecision =
  { allowed: true; delayMs: number } | { allowed: false; retryAfterSec: number; limitedBy: 'username' | 'ip' }

export interface LoginThrottle {
  /**
   * Whether an attempt may proceed; when allowed, reserves one in-flight slot (see above) and says how long
   * the caller must wait before checking the password.
   */
  check(username: string, ip: string): LoginThrottleDecision
  recordFailure(username: string, ip: string): void
  /** Clears the username's and the pair's failures. The IP's are kept: one valid account must not launder an IP's guesses. */
  recordSuccess(username: string, ip: string): void
  /** Settles a slot without judging the password (the directory was unreachable, the input was unusable...). */
  release(username: string, ip: string): void
  /** Tracked keys, for metrics and tests. */
  size(): { usernames: number; ips: number; pairs: number }
}

interface Bucket {
  /** Failure timestamps, oldest first. */
  failures: number[]
  /** Start times of attempts in flight, oldest first. */
  pending: number[]
  /** When the last attempt admitted for this key starts (usernames only). */
  lastStart: number
}

const DEFAULT_MAX_ENTRIES = 10_000
/** Failures past the ceiling that still lengthen the gap; 2^20 s is far past any sensible maximum. */
const MAX_EXCESS_TRACKED = 20

export function createLoginThrottle(options: LoginThrottleOptions): LoginThrottle {
  const { windowMs, now } = options
  if (!(windowMs > 0)) throw new Error('windowMs must be positive')
  if (!(options.maxFailuresPerUser >= 1) || !(options.maxFailuresPerIp >= 1)) {
    throw new Error('maxFailuresPerUser and maxFailuresPerIp must be at least 1')
  }
  const ceiling = options.maxFailuresPerUser
  const maxDelayMs = Math.max(0, options.maxDelayMs ?? 30_000)
  const baseDelayMs = Math.max(1, options.baseDelayMs ?? 1000)
  const maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_MAX_ENTRIES)
  const pairs = createBucketMap(ceiling, windowMs, maxEntries)
  const ips = createBucketMap(options.maxFailuresPerIp, windowMs, maxEntries)
  const users = createBucketMap(ceiling + MAX_EXCESS_TRACKED, windowMs, maxEntries)

  const keys = (username: string, ip: string) => {
    const user = canonicalUsername(username)
    const ipKey = normalizeIpKey(ip)
    return { user, ip: ipKey, pair: `${user}\u0000${ipKey}` }
  }
  /** Settles the attempt's slot in all three counters alike, as a failure or as nothing at all. */
  const settleEverywhere = (username: string, ip: string, step: 'fail' | 'settle') => {
    const t = now()
    const k = keys(username, ip)
    pairs[step](k.pair, t)
    ips[step](k.ip, t)
    users[step](k.user, t)
  }

  return {
    check(username, ip) {
      const t = now()
      const k = keys(username, ip)
      const pairWait = pairs.waitMs(k.pair, t)
      const ipWait = ips.waitMs(k.ip, t)
      if (pairWait > 0 || ipWait > 0) {
        return {
          allowed: false,
          retryAfterSec: Math.max(1, Math.ceil(Math.max(pairWait, ipWait) / 1000)),
          limitedBy: pairWait >= ipWait ? 'username' : 'ip',
        }
      }
      // Past the ceiling, attempts for the username start one gap after the previous one.
      const used = users.used(k.user, t)
      let start = t
      if (used >= ceiling) {
        const excess = Math.min(used - ceiling, MAX_EXCESS_TRACKED)
        const gap = Math.min(maxDelayMs, baseDelayMs * 2 ** excess)
        start = Math.max(t, users.lastStart(k.user) + gap)
        if (start - t > maxDelayMs) {
          return {
            allowed: false,
            retryAfterSec: Math.max(1, Math.ceil((start - t - maxDelayMs) / 1000)),
            limitedBy: 'username',
          }
        }
      }
      pairs.reserve(k.pair, t)
      ips.reserve(k.ip, t)
      users.reserve(k.user, t, start)
      return { allowed: true, delayMs: start - t }
    },
    recordFailure(username, ip) {
      settleEverywhere(username, ip, 'fail')
    },
    recordSuccess(username, ip) {
      const t = now()
      const k = keys(username, ip)
      pairs.clear(k.pair)
      ips.settle(k.ip, t)
      users.clear(k.user)
    },
    release(username, ip) {
      settleEverywhere(username, ip, 'settle')
    },
    size() {
      return { usernames: users.size(), ips: ips.size(), pairs: pairs.size() }
    },
  }
}

function createBucketMap(limit: number, windowMs: number, maxEntries: number) {
  // Map iteration order is insertion order; re-inserting on use makes the first key the least recently used.
  const buckets = new Map<string, Bucket>()

  const prune = (bucket: Bucket, t: number): void => {
    const cutoff = t - windowMs
    while (bucket.failures.length > 0 && bucket.failures[0] <= cutoff) bucket.failures.shift()
    while (bucket.pending.length > 0 && bucket.pending[0] <= cutoff) bucket.pending.shift()
  }

  const isEmpty = (bucket: Bucket) => bucket.failures.length === 0 && bucket.pending.length === 0

  const touch = (key: string, t: number): Bucket => {
    let bucket = buckets.get(key)
    if (bucket) {
      buckets.delete(key)
      prune(bucket, t)
    } else {
      if (buckets.size >= maxEntries) evict(t)
      bucket = { failures: [], pending: [], lastStart: 0 }
    }
    buckets.set(key, bucket)
    return bucket
  }

  const evict = (t: number): void => {
    // Expired buckets go first; only when every bucket is live does the least recently used one go.
    for (const [key, bucket] of buckets) {
      prune(bucket, t)
      if (isEmpty(bucket)) buckets.delete(key)
    }
    while (buckets.size >= maxEntries) {
      const oldest = buckets.keys().next()
      if (oldest.done) break
      buckets.delete(oldest.value)
    }
  }

  const dropIfEmpty = (key: string, bucket: Bucket): void => {
    if (isEmpty(bucket)) buckets.delete(key)
  }

  return {
    /** Failures plus attempts in flight within the window. */
    used(key: string, t: number): number {
      const bucket = buckets.get(key)
      if (!bucket) return 0
      prune(bucket, t)
      return bucket.failures.length + bucket.pending.length
    },
    lastStart(key: string): number {
      return buckets.get(key)?.lastStart ?? 0
    },
    /** 0 when another attempt may start now, else how long until one slot frees up. */
    waitMs(key: string, t: number): number {
      const bucket = buckets.get(key)
      if (!bucket) return 0
      prune(bucket, t)
      const used = bucket.failures.length + bucket.pending.length
      if (used < limit) return 0
      // The window must shed (used - limit + 1) timestamps before an attempt fits again.
      const stamps = [...bucket.failures, ...bucket.pending].sort((a, b) => a - b)
      const freeing = stamps[used - limit]
      return Math.max(1, freeing + windowMs - t)
    },
    /** An attempt in flight that starts at `start` (now, or later when it must wait for its turn). */
    reserve(key: string, t: number, start = t): void {
      const bucket = touch(key, t)
      let i = bucket.pending.length
      while (i > 0 && bucket.pending[i - 1] > start) i--
      bucket.pending.splice(i, 0, start)
      bucket.lastStart = Math.max(bucket.lastStart, start)
    },
    fail(key: string, t: number): void {
      const bucket = touch(key, t)
      bucket.pending.shift()
      bucket.failures.push(t)
      // Older failures cannot matter once `limit` newer ones exist: that caps memory per key.
      if (bucket.failures.length > limit) bucket.failures.splice(0, bucket.failures.length - limit)
    },
    settle(key: string, t: number): void {
      const bucket = buckets.get(key)
      if (!bucket) return
      bucket.pending.shift()
      prune(bucket, t)
      dropIfEmpty(key, bucket)
    },
    clear(key: string): void {
      const bucket = buckets.get(key)
      if (!bucket) return
      // Other attempts for this key may still be in flight; only the failures are forgiven.
      bucket.pending.shift()
      bucket.failures = []
      bucket.lastStart = 0
      dropIfEmpty(key, bucket)
    },
    size: () => buckets.size,
  }
}

/** One user, one counter: `Alice`, ` alice `, `ＡＬＩＣＥ` share a bucket (see canonical-username.ts). */
export function normalizeUsernameKey(username: string): string {
  return canonicalUsername(username)
}

/**
 * IPv4-mapped IPv6 addresses count as the IPv4 address; other IPv6 addresses count per /64, because a single
 * host usually holds a whole /64 and could otherwise rotate through it.
 */
export function normalizeIpKey(ip: string): string {
  const trimmed = ip.trim().toLowerCase()
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(trimmed)
  if (mapped) return mapped[1]
  if (!trimmed.includes(':')) return trimmed
  const groups = expandIpv6(trimmed.split('%')[0])
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : trimmed
}

function expandIpv6(address: string): string[] | null {
  const halves = address.split('::')
  if (halves.length > 2) return null
  const head = halves[0] ? halves[0].split(':') : []
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : []
  // An embedded IPv4 tail (::1.2.3.4) occupies two groups; it only matters past the /64 prefix anyway.
  const width = (parts: string[]) => parts.reduce((n, p) => n + (p.includes('.') ? 2 : 1), 0)
  const missing = 8 - width(head) - width(tail)
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail]
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g) || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(g))) return null
  return groups.map((g) => (g.includes('.') ? g : g.replace(/^0+(?=.)/, '')))
}
