/**
 * In-memory login throttle per username and per client IP, consulted BEFORE any password check.
 *
 * Why before: a throttle that only counts after the bind still forwards every guess to Active Directory,
 * which then locks the real account (RocketChat#18939). Here the directory sees at most
 * `maxFailuresPerUser` guesses per user per window, whatever the number of source IPs.
 *
 * Why `check` reserves a slot: without it, 100 parallel requests would all pass `check` before the first
 * failure is recorded. Each allowed `check` counts as an attempt in flight until `recordFailure`,
 * `recordSuccess` or `release` settles it; a slot nobody settles (a crash, an unreachable directory)
 * simply ages out with the window, i.e. it counts like a failure.
 *
 * Pure: no timers, no IO; the clock is injected. Memory is bounded by `maxEntries` per dimension.
 */
export interface LoginThrottleOptions {
  maxFailuresPerUser: number
  maxFailuresPerIp: number
  windowMs: number
  now: () => number
  /** Tracked usernames and IPs, each. Default 10 000. */
  maxEntries?: number
}

export type LoginThrottleDecision =
  { allowed: true } | { allowed: false; retryAfterSec: number; limitedBy: 'username' | 'ip' }

export interface LoginThrottle {
  /** Whether an attempt may proceed; when allowed, reserves one in-flight slot (see above). */
  check(username: string, ip: string): LoginThrottleDecision
  recordFailure(username: string, ip: string): void
  /** Clears the username's failures. The IP's are kept: one valid account must not launder an IP's guesses. */
  recordSuccess(username: string, ip: string): void
  /** Settles a slot without judging the password (the directory was unreachable, the input was unusable...). */
  release(username: string, ip: string): void
  /** Tracked keys, for metrics and tests. */
  size(): { usernames: number; ips: number }
}

interface Bucket {
  /** Failure timestamps, oldest first, at most `limit` of them. */
  failures: number[]
  /** Reservation timestamps of attempts in flight, oldest first. */
  pending: number[]
}

const DEFAULT_MAX_ENTRIES = 10_000

export function createLoginThrottle(options: LoginThrottleOptions): LoginThrottle {
  const { windowMs, now } = options
  if (!(windowMs > 0)) throw new Error('windowMs must be positive')
  if (!(options.maxFailuresPerUser >= 1) || !(options.maxFailuresPerIp >= 1)) {
    throw new Error('maxFailuresPerUser and maxFailuresPerIp must be at least 1')
  }
  const maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_MAX_ENTRIES)
  const users = createBucketMap(options.maxFailuresPerUser, windowMs, maxEntries)
  const ips = createBucketMap(options.maxFailuresPerIp, windowMs, maxEntries)

  return {
    check(username, ip) {
      const t = now()
      const userKey = normalizeUsernameKey(username)
      const ipKey = normalizeIpKey(ip)
      const userWait = users.waitMs(userKey, t)
      const ipWait = ips.waitMs(ipKey, t)
      if (userWait > 0 || ipWait > 0) {
        return {
          allowed: false,
          retryAfterSec: Math.max(1, Math.ceil(Math.max(userWait, ipWait) / 1000)),
          limitedBy: userWait >= ipWait ? 'username' : 'ip',
        }
      }
      users.reserve(userKey, t)
      ips.reserve(ipKey, t)
      return { allowed: true }
    },
    recordFailure(username, ip) {
      const t = now()
      users.fail(normalizeUsernameKey(username), t)
      ips.fail(normalizeIpKey(ip), t)
    },
    recordSuccess(username, ip) {
      users.clear(normalizeUsernameKey(username))
      ips.settle(normalizeIpKey(ip), now())
    },
    release(username, ip) {
      const t = now()
      users.settle(normalizeUsernameKey(username), t)
      ips.settle(normalizeIpKey(ip), t)
    },
    size() {
      return { usernames: users.size(), ips: ips.size() }
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

  const touch = (key: string, t: number): Bucket => {
    let bucket = buckets.get(key)
    if (bucket) {
      buckets.delete(key)
      prune(bucket, t)
    } else {
      if (buckets.size >= maxEntries) evict(t)
      bucket = { failures: [], pending: [] }
    }
    buckets.set(key, bucket)
    return bucket
  }

  const evict = (t: number): void => {
    // Expired buckets go first; only when every bucket is live does the least recently used one go.
    for (const [key, bucket] of buckets) {
      prune(bucket, t)
      if (bucket.failures.length === 0 && bucket.pending.length === 0) buckets.delete(key)
    }
    while (buckets.size >= maxEntries) {
      const oldest = buckets.keys().next()
      if (oldest.done) break
      buckets.delete(oldest.value)
    }
  }

  const dropIfEmpty = (key: string, bucket: Bucket): void => {
    if (bucket.failures.length === 0 && bucket.pending.length === 0) buckets.delete(key)
  }

  return {
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
    reserve(key: string, t: number): void {
      touch(key, t).pending.push(t)
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
      // Other attempts for this user may still be in flight; only the failures are forgiven.
      bucket.pending.shift()
      bucket.failures = []
      dropIfEmpty(key, bucket)
    },
    size: () => buckets.size,
  }
}

/** One user, one counter: `Alice`, ` alice ` and the NFKC look-alikes of `alice` share a bucket. */
export function normalizeUsernameKey(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase()
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
