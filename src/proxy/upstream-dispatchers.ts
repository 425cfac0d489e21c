import type { Dispatcher } from 'undici'
import type { ChannelRuntime } from './routing-snapshot.ts'
import type { ResolveHost } from '../services/channels/check-upstream-address.ts'
import { buildUpstreamDispatcher } from '../services/channels/guard-upstream-lookup.ts'

export interface UpstreamDispatcherDefaults {
  connectTimeoutMs?: number
  connections?: number
  /** How channel hosts are resolved; every connection's addresses are checked (guard-upstream-lookup.ts). */
  resolve?: ResolveHost
}

/**
 * One keep-alive connection pool per channel origin (and proxy). Pools are created on first use and closed
 * when the channel's address changes or the gateway stops. Each new connection resolves the host again and
 * refuses link-local and metadata addresses, for the base URL and the proxy alike.
 */
export function createUpstreamDispatchers(defaults: UpstreamDispatcherDefaults = {}) {
  const pools = new Map<string, { key: string; dispatcher: Dispatcher }>()
  const connectTimeoutMs = defaults.connectTimeoutMs ?? 10_000
  const connections = defaults.connections ?? 512

  function keyOf(ch: ChannelRuntime): string {
    return `${ch.origin}|${ch.proxyUrl ?? ''}|${ch.connectTimeoutMs ?? ''}`
  }

  return {
    get(ch: ChannelRuntime): Dispatcher {
      const key = keyOf(ch)
      const hit = pools.get(ch.id)
      if (hit && hit.key === key) return hit.dispatcher
      if (hit) void hit.dispatcher.close().catch(() => undefined)
      const dispatcher = buildUpstreamDispatcher({
        origin: ch.origin,
        proxyUrl: ch.proxyUrl,
        connectTimeoutMs: ch.connectTimeoutMs ?? connectTimeoutMs,
        connections,
        resolve: defaults.resolve,
      })
      pools.set(ch.id, { key, dispatcher })
      return dispatcher
    },
    async close(): Promise<void> {
      // destroy, not close: close waits for requests stuck on a stalled upstream.
      await Promise.all([...pools.values()].map((p) => p.dispatcher.destroy().catch(() => undefined)))
      pools.clear()
    },
  }
}
export type UpstreamDispatchers = ReturnType<typeof createUpstreamDispatchers>
