import type { Worker } from 'node:cluster'
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'

/**
 * What a change made stale, told to every other gateway process (docs/architecture.md, "Several workers and
 * hosts"): the caches of `what` (keys, channels, groups, prices, users; one id or all), or a channel's circuit
 * (`circuit`, id = the channel, `until` = its cooldown end, 0 = closed).
 */
export const CACHE_CHANGE_KINDS = ['keys', 'channels', 'groups', 'prices', 'users', 'circuit'] as const
export type CacheChangeKind = (typeof CACHE_CHANGE_KINDS)[number]

export interface CacheChange {
  what: CacheChangeKind
  id?: string
  until?: number
}

export interface InvalidationBus {
  /** Tells the other processes; never throws (a lost message costs at most the caches' own expiry). */
  publish(change: CacheChange): void
  close(): Promise<void>
}

/** The Redis channel every gateway on one Redis shares. */
export const INVALIDATION_CHANNEL = 'gateway:invalidate'

/** A change read from the wire, or null when it is not one (another program's message on the channel). */
export function readCacheChange(value: unknown): CacheChange | null {
  if (typeof value !== 'object' || value === null) return null
  const o = value as Record<string, unknown>
  if (!CACHE_CHANGE_KINDS.includes(o.what as CacheChangeKind)) return null
  if (o.id !== undefined && typeof o.id !== 'string') return null
  if (o.until !== undefined && typeof o.until !== 'number') return null
  return { what: o.what as CacheChangeKind, id: o.id, until: o.until }
}

export interface RedisBusOptions {
  url: string
  /** A change another process published. */
  onChange: (change: CacheChange) => void
  /**
   * The subscription came back after a break: changes published meanwhile were missed, so every cache is dropped
   * (called with no argument).
   */
  onResubscribed: () => void
  onError: (err: unknown) => void
}

/**
 * Across workers and hosts with REDIS_URL: Redis pub/sub on `gateway:invalidate`, message `{what, id, from}`.
 * A process skips its own messages (it has applied the change already).
 */
export async function createRedisInvalidationBus(opts: RedisBusOptions): Promise<InvalidationBus> {
  const from = randomUUID()
  const redisOptions = {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
  }
  const pub = new Redis(opts.url, { ...redisOptions, enableOfflineQueue: false })
  const sub = new Redis(opts.url, redisOptions)
  pub.on('error', opts.onError)
  sub.on('error', opts.onError)
  let subscribed = false
  sub.on('ready', () => {
    // ioredis subscribes again by itself after a reconnect; what was published in between is lost.
    if (subscribed) opts.onResubscribed()
  })
  sub.on('message', (channel: string, text: string) => {
    if (channel !== INVALIDATION_CHANNEL) return
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return
    }
    if ((parsed as { from?: unknown }).from === from) return
    const change = readCacheChange(parsed)
    if (change) opts.onChange(change)
  })
  // Redis away at start: the gateway still starts (caches then expire by their own TTL); ioredis keeps trying.
  await Promise.all([pub.connect(), sub.connect()]).catch(opts.onError)
  await sub.subscribe(INVALIDATION_CHANNEL).then(
    () => (subscribed = true),
    (err: unknown) => {
      subscribed = true
      opts.onError(err)
    },
  )
  return {
    publish(change) {
      pub.publish(INVALIDATION_CHANNEL, JSON.stringify({ ...change, from })).catch(opts.onError)
    },
    async close() {
      pub.disconnect()
      sub.disconnect()
    },
  }
}

interface IpcChange {
  gw: 'invalidate'
  change: CacheChange
}
const isIpcChange = (m: unknown): m is IpcChange => (m as IpcChange | null)?.gw === 'invalidate'

/** A cluster worker without Redis: changes go to the primary, which relays them to the other workers. */
export function createIpcInvalidationBus(onChange: (change: CacheChange) => void): InvalidationBus {
  const listener = (m: unknown) => {
    if (!isIpcChange(m)) return
    const change = readCacheChange(m.change)
    if (change) onChange(change)
  }
  process.on('message', listener)
  return {
    publish(change) {
      const message: IpcChange = { gw: 'invalidate', change }
      if (process.connected) process.send?.(message, undefined, undefined, () => undefined)
    },
    async close() {
      process.off('message', listener)
    },
  }
}

/** The primary's relay: a change from one worker goes to every other connected worker. */
export function relayInvalidations(from: Worker, workers: () => Iterable<Worker>): void {
  from.on('message', (m: unknown) => {
    if (!isIpcChange(m)) return
    for (const w of workers()) if (w !== from && w.isConnected()) w.send(m)
  })
}

/**
 * Tells every gateway on this Redis about a change made outside them (the CLI writing to the database): one
 * message on the same channel, over a short-lived connection. Resolves false when Redis could not be reached in
 * `timeoutMs` (the gateways' caches then expire by their own TTL, at most a few seconds).
 */
export async function publishCacheChanges(
  url: string,
  changes: readonly CacheChange[],
  timeoutMs = 2000,
): Promise<boolean> {
  if (changes.length === 0) return true
  const pub = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  })
  pub.on('error', () => undefined)
  const from = randomUUID()
  let timer: NodeJS.Timeout | undefined
  try {
    const send = async () => {
      await pub.connect()
      for (const change of changes)
        await pub.publish(INVALIDATION_CHANNEL, JSON.stringify({ ...change, from }))
      return true
    }
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))
    return await Promise.race([send().catch(() => false), late])
  } finally {
    clearTimeout(timer)
    pub.disconnect()
  }
}
