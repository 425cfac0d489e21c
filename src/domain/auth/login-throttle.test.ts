import { describe, expect, it } from 'vitest'
import {
  createLoginThrottle,
  normalizeIpKey,
  normalizeUsernameKey,
  type LoginThrottleOptions,
} from './login-throttle.ts'

function setup(overrides: Partial<LoginThrottleOptions> = {}) {
  let t = 1_000_000
  const clock = {
    now: () => t,
    advance: (ms: number) => {
      t += ms
    },
  }
  const throttle = createLoginThrottle({
    maxFailuresPerUser: 3,
    maxFailuresPerIp: 5,
    windowMs: 60_000,
    now: clock.now,
    ...overrides,
  })
  /** One full failed attempt, as the login service performs it. */
  const fail = (user: string, ip: string) => {
    const decision = throttle.check(user, ip)
    if (decision.allowed) throttle.recordFailure(user, ip)
    return decision
  }
  return { throttle, clock, fail }
}

describe('login throttle', () => {
  it('issue 15 defect 10: failures from one IP lock that (username, IP) pair only; the owner on a fresh IP still gets in', () => {
    const { throttle, fail } = setup()
    for (let i = 0; i < 3; i++) expect(fail('alice', '10.0.0.1').allowed).toBe(true)
    expect(throttle.check('alice', '10.0.0.1')).toMatchObject({ allowed: false, limitedBy: 'username' })
    // The right password from elsewhere is slowed (its turn comes after a gap), never refused.
    const owner = throttle.check('alice', '10.0.0.99')
    expect(owner.allowed).toBe(true)
    if (owner.allowed) expect(owner.delayMs).toBeLessThanOrEqual(1000)
    throttle.recordSuccess('alice', '10.0.0.99')
    // A success ends the slowing for the username, not the guesser's own lock.
    expect(throttle.check('alice', '10.0.0.100')).toEqual({ allowed: true, delayMs: 0 })
    expect(throttle.check('alice', '10.0.0.1').allowed).toBe(false)
    expect(throttle.check('bob', '10.0.0.50').allowed).toBe(true)
  })

  it('issue 15 defect 10: past the ceiling, guesses from rotating IPs start one at a time with a growing gap; a turn beyond maxDelayMs is refused', () => {
    const { throttle } = setup({ maxDelayMs: 10_000, baseDelayMs: 1000 })
    for (let i = 0; i < 3; i++) {
      expect(throttle.check('alice', `10.0.0.${i}`)).toEqual({ allowed: true, delayMs: 0 })
      throttle.recordFailure('alice', `10.0.0.${i}`)
    }
    // Ten parallel attempts from ten new addresses: gaps of 1, 2 and 4 s, then a turn 15 s away is refused.
    const decisions = Array.from({ length: 10 }, (_, i) => throttle.check('alice', `10.9.0.${i}`))
    expect(decisions.slice(0, 3)).toEqual([
      { allowed: true, delayMs: 1000 },
      { allowed: true, delayMs: 3000 },
      { allowed: true, delayMs: 7000 },
    ])
    for (const d of decisions.slice(3)) expect(d).toMatchObject({ allowed: false, limitedBy: 'username' })
  })

  it('issue 15 defect 10: an endless stream of guesses from fresh IPs reaches the password check at a bounded rate', () => {
    const { throttle, clock } = setup({ maxDelayMs: 10_000, baseDelayMs: 1000 })
    let admitted = 0
    let ip = 0
    // One guess every 100 ms for the whole 60 s window, each from a new address, each wrong.
    for (let step = 0; step < 600; step++) {
      const addr = `172.16.${(ip >> 8) & 255}.${ip++ & 255}`
      const d = throttle.check('alice', addr)
      if (d.allowed) {
        admitted++
        clock.advance(d.delayMs)
        throttle.recordFailure('alice', addr)
        clock.advance(-d.delayMs)
      }
      clock.advance(100)
    }
    // 3 unslowed, then gaps of 1, 2, 4, 8 s and 10 s after that: about 3 + 4 + 4.
    expect(admitted).toBeGreaterThan(3)
    expect(admitted).toBeLessThanOrEqual(12)
  })

  it('blocks an IP that sprays many usernames', () => {
    const { throttle, fail } = setup()
    for (let i = 0; i < 5; i++) expect(fail(`user${i}`, '192.0.2.7').allowed).toBe(true)
    expect(throttle.check('someone-new', '192.0.2.7')).toMatchObject({ allowed: false, limitedBy: 'ip' })
    expect(throttle.check('someone-new', '192.0.2.8').allowed).toBe(true)
  })

  it('reports retryAfterSec until the oldest failure of the pair leaves the window, then allows again', () => {
    const { throttle, clock, fail } = setup()
    fail('alice', '1.1.1.1')
    clock.advance(10_000)
    fail('alice', '1.1.1.1')
    fail('alice', '1.1.1.1')
    const blocked = throttle.check('alice', '1.1.1.1')
    expect(blocked).toEqual({ allowed: false, retryAfterSec: 50, limitedBy: 'username' })
    clock.advance(49_000)
    expect(throttle.check('alice', '1.1.1.1')).toEqual({
      allowed: false,
      retryAfterSec: 1,
      limitedBy: 'username',
    })
    clock.advance(1_000)
    expect(throttle.check('alice', '1.1.1.1').allowed).toBe(true)
  })

  it('counts attempts in flight, so parallel requests cannot all pass the check', () => {
    const { throttle } = setup()
    const decisions = Array.from({ length: 10 }, () => throttle.check('alice', '10.1.0.1'))
    expect(decisions.filter((d) => d.allowed)).toHaveLength(3)
    // From many addresses at once: three start now, the rest wait for their turn or are refused.
    const spread = Array.from({ length: 10 }, (_, i) => throttle.check('bob', `10.2.0.${i}`))
    expect(spread.filter((d) => d.allowed && d.delayMs === 0)).toHaveLength(3)
  })

  it('release frees an in-flight slot without counting a failure', () => {
    const { throttle } = setup()
    for (let i = 0; i < 3; i++) {
      expect(throttle.check('alice', '1.1.1.1').allowed).toBe(true)
      throttle.release('alice', '1.1.1.1')
    }
    expect(throttle.check('alice', '1.1.1.1').allowed).toBe(true)
  })

  it('an unsettled slot ages out with the window', () => {
    const { throttle, clock } = setup()
    for (let i = 0; i < 3; i++) throttle.check('alice', '1.1.1.1')
    expect(throttle.check('alice', '1.1.1.1').allowed).toBe(false)
    clock.advance(60_001)
    expect(throttle.check('alice', '1.1.1.1').allowed).toBe(true)
  })

  it('success clears the pair and user failures but not the IP failures', () => {
    const { throttle, fail } = setup({ maxFailuresPerIp: 4 })
    fail('alice', '1.1.1.1')
    fail('alice', '1.1.1.1')
    expect(throttle.check('alice', '1.1.1.1').allowed).toBe(true)
    throttle.recordSuccess('alice', '1.1.1.1')
    // alice is forgiven: fresh guesses from the same IP are allowed again.
    expect(fail('alice', '2.2.2.2').allowed).toBe(true)
    expect(fail('alice', '2.2.2.2').allowed).toBe(true)
    // ...but 1.1.1.1 still carries its two failures: two more and it is blocked, whatever the username.
    expect(fail('carol', '1.1.1.1').allowed).toBe(true)
    expect(fail('dave', '1.1.1.1').allowed).toBe(true)
    expect(throttle.check('erin', '1.1.1.1')).toMatchObject({ allowed: false, limitedBy: 'ip' })
  })

  it('treats case, surrounding spaces and NFKC variants of a username as one user', () => {
    const { throttle, fail } = setup()
    fail('Alice', '1.1.1.1')
    fail(' alice ', '1.1.1.1')
    fail('ＡＬＩＣＥ', '1.1.1.1') // fullwidth letters
    expect(throttle.check('alice', '1.1.1.1').allowed).toBe(false)
    // Across addresses the three count for one username too: the next one is slowed.
    expect(throttle.check('aLiCe', '1.1.1.4')).toMatchObject({ allowed: true, delayMs: 1000 })
    expect(normalizeUsernameKey(' ＡliCe ')).toBe('alice')
  })

  it('treats IPv4-mapped IPv6 as IPv4 and groups IPv6 by /64', () => {
    expect(normalizeIpKey('::ffff:192.0.2.1')).toBe('192.0.2.1')
    expect(normalizeIpKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64')
    expect(normalizeIpKey('2001:0DB8:0001:0002:ffff:eeee:dddd:cccc')).toBe('2001:db8:1:2::/64')
    expect(normalizeIpKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64')
    const { throttle, fail } = setup()
    for (let i = 1; i <= 5; i++) fail(`u${i}`, `2001:db8:1:2::${i}`)
    expect(throttle.check('u9', '2001:db8:1:2:abcd::9').allowed).toBe(false)
    expect(throttle.check('u9', '2001:db8:1:3::9').allowed).toBe(true)
  })

  it('keeps memory bounded, evicting expired entries before live ones', () => {
    const { throttle, clock, fail } = setup({ maxEntries: 100 })
    fail('target', '9.9.9.9')
    fail('target', '9.9.9.9')
    clock.advance(1000)
    for (let i = 0; i < 5000; i++) {
      fail(`spray${i}`, `10.${(i >> 8) & 255}.${i & 255}.1`)
    }
    const size = throttle.size()
    expect(size.usernames).toBeLessThanOrEqual(100)
    expect(size.ips).toBeLessThanOrEqual(100)
    expect(size.pairs).toBeLessThanOrEqual(100)

    // When old entries have expired they are the ones dropped, not the live ones.
    const { throttle: t2, clock: c2, fail: fail2 } = setup({ maxEntries: 10 })
    for (let i = 0; i < 9; i++) fail2(`old${i}`, `10.0.0.${i}`)
    c2.advance(61_000)
    fail2('live', '10.9.9.9')
    fail2('live', '10.9.9.9')
    fail2('live', '10.9.9.9')
    for (let i = 0; i < 8; i++) fail2(`new${i}`, `10.0.1.${i}`)
    expect(t2.check('live', '10.9.9.9').allowed).toBe(false)
  })

  it('rejects nonsense options', () => {
    expect(() =>
      createLoginThrottle({ maxFailuresPerUser: 0, maxFailuresPerIp: 1, windowMs: 1, now: () => 0 }),
    ).toThrow()
    expect(() =>
      createLoginThrottle({ maxFailuresPerUser: 1, maxFailuresPerIp: 1, windowMs: 0, now: () => 0 }),
    ).toThrow()
  })
})
