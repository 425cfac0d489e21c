import { Pool, ProxyAgent, type Dispatcher } from 'undici'
import type { ChannelRuntime } from './routing-snapshot.ts'

/**
 * One keep-alive connection pool per channel origin (and proxy). Pools are created on first use and closed
 * when the channel's address changes or the gateway stops.
 */
export function createUpstreamDispatchers(defaults = { connectTimeoutMs: 10_000, connections: 512 }) {
  const pools = new Map<string, { key: string; dispatcher: Dispatcher }>()

  function keyOf(ch: ChannelRuntime): string {
    return `${ch.origin}|${ch.proxyUrl ?? ''}|${ch.connectTimeoutMs ?? ''}`
  }

  return {
    get(ch: ChannelRuntime): Dispatcher {
      const key = keyOf(ch)
      const hit = pools.get(ch.id)
      if (hit && hit.key === key) return hit.dispatcher
      if (hit) void hit.dispatcher.close().catch(() => undefined)
      const origin = ch.origin
      const connect = { timeout: ch.connectTimeoutMs ?? defaults.connectTimeoutMs }
      const dispatcher: Dispatcher = ch.proxyUrl
        ? new ProxyAgent({ uri: ch.proxyUrl, connect })
        : new Pool(origin, {
            connections: defaults.connections,
            connect,
            keepAliveTimeout: 30_000,
            pipelining: 1,
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
