import type { LookupFunction } from 'node:net'
import { isIP } from 'node:net'
import { Agent, buildConnector, Pool, ProxyAgent, type Dispatcher } from 'undici'
import { canonicalHost, isBlockedAddress, isMetadataHost } from './classify-upstream-address.ts'
import {
  BlockedAddressError,
  resolveAllowedAddresses,
  resolveWithSystem,
  type ResolveHost,
} from './check-upstream-address.ts'

/**
 * A `net.connect` lookup that resolves through `resolve` and hands the socket only addresses that passed the
 * channel address policy. Every new connection resolves again, so a name that answered a LAN address when the
 * channel was saved and a metadata address now (DNS rebinding) is refused at the moment it matters.
 */
export function guardedLookup(resolve: ResolveHost): LookupFunction {
  return (hostname, options, callback) => {
    resolveAllowedAddresses(hostname, resolve).then(
      (addresses) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family
        const usable = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses
        if (usable.length === 0) {
          const err = Object.assign(new Error(`${hostname} has no usable address`), { code: 'ENOTFOUND' })
          callback(err, '', 0)
        } else if (options.all) {
          ;(callback as unknown as (e: null, a: typeof usable) => void)(null, usable)
        } else {
          callback(null, usable[0].address, usable[0].family)
        }
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    )
  }
}

/**
 * An undici connector that checks the address of every connection it opens. A literal IP needs no lookup (and
 * `net.connect` skips the lookup for one), so it is checked here directly.
 */
export function guardedConnector(opts: {
  timeoutMs: number
  resolve: ResolveHost
}): buildConnector.connector {
  const base = buildConnector({ timeout: opts.timeoutMs, lookup: guardedLookup(opts.resolve) })
  return (options, callback) => {
    const host = canonicalHost(options.hostname)
    if (isMetadataHost(host) || (isIP(host) && isBlockedAddress(host))) {
      queueMicrotask(() => callback(new BlockedAddressError(host), null))
      return
    }
    base(options, callback)
  }
}

export interface UpstreamDispatcherOptions {
  /** The channel's origin, for a keep-alive pool to it; absent: an agent for any origin (one-off calls). */
  origin?: string
  proxyUrl?: string | null
  connectTimeoutMs: number
  connections?: number
  resolve?: ResolveHost
}

/**
 * The dispatcher a channel's requests go through. Without a proxy every connection is checked by address. With
 * a proxy, the connection to the proxy is checked the same way, and the target's name is resolved and checked
 * before each tunnel is opened (the proxy resolves it again itself; a proxy is trusted by whoever configured it).
 */
export function buildUpstreamDispatcher(opts: UpstreamDispatcherOptions): Dispatcher {
  const resolve = opts.resolve ?? resolveWithSystem
  const connect = guardedConnector({ timeoutMs: opts.connectTimeoutMs, resolve })
  if (opts.proxyUrl) {
    return new ProxyAgent({
      uri: opts.proxyUrl,
      clientFactory: (origin, options) => new Pool(origin, { ...(options as Pool.Options), connect }),
      factory: (origin, options) => {
        const tunnel = (options as { connect: buildConnector.connector }).connect
        return new Pool(origin, {
          ...(options as Pool.Options),
          connect: (o, callback) => {
            resolveAllowedAddresses(o.hostname, resolve).then(
              () => tunnel(o, callback),
              (err: Error) => callback(err, null),
            )
          },
        })
      },
    })
  }
  if (opts.origin === undefined) return new Agent({ connect })
  return new Pool(opts.origin, {
    connections: opts.connections ?? 512,
    connect,
    keepAliveTimeout: 30_000,
    pipelining: 1,
  })
}
