import type { ProtocolId } from '../../protocol/protocol-adapter.ts'

/**
 * Channel selection (docs/architecture.md, *One request, file by file* › Route; docs/channels.md), pure: the
 * caller passes the snapshot, the clock reading and a random source.
 * The result is an ordered candidate list: the first is the pick, the rest are failover targets.
 */

/** The protocol a channel speaks (one of protocol/protocol-adapter.ts's `ProtocolId`). */
export type Provider = ProtocolId

export interface RoutableChannel {
  id: string
  provider: Provider
  weight: number
  enabled: boolean
  models: ReadonlySet<string>
  mapping: Readonly<Record<string, string>>
  /** Epoch ms until which the circuit breaker keeps the channel out of first choice. */
  cooldownUntil: number
}

export interface RoutableGroup {
  id: string
  priority: number
  multiplier: number
  channelIds: readonly string[]
}

export interface RouteCandidate {
  channel: RoutableChannel
  group: RoutableGroup | null
  upstreamModel: string
}

export interface SelectInput {
  model: string
  /** Protocols a channel may speak to serve this client (only the client's own until translation exists). */
  protocols: ReadonlySet<Provider>
  /** Groups to consider, highest priority first (a bound key: just its group). */
  groups: readonly RoutableGroup[]
  channels: ReadonlyMap<string, RoutableChannel>
  /** Superadmins fall back to any enabled channel that serves the model. */
  allowGlobalFallback: boolean
  /** A session hint (prompt_cache_key, metadata.user_id, session header): same hint → same channel while healthy. */
  stickyKey?: string
  now: number
  random: () => number
}

export function servesModel(ch: RoutableChannel, model: string): boolean {
  return ch.models.has(model) || Object.prototype.hasOwnProperty.call(ch.mapping, model)
}

export function upstreamModelFor(ch: RoutableChannel, model: string): string {
  return Object.prototype.hasOwnProperty.call(ch.mapping, model) ? ch.mapping[model] : model
}

function eligible(ch: RoutableChannel | undefined, input: SelectInput): ch is RoutableChannel {
  return (
    !!ch && ch.enabled && ch.weight > 0 && input.protocols.has(ch.provider) && servesModel(ch, input.model)
  )
}

/** FNV-1a: a stable hash for rendezvous (highest random weight) hashing of sticky sessions. */
function hash32(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0) / 0x100000000
}

/**
 * Weighted random order without replacement (Efraimidis–Spirakis keys), or rendezvous order for a sticky key;
 * channels cooling down after the healthy ones. One channel needs no draw (the common single-channel group).
 */
function order(channels: RoutableChannel[], input: SelectInput): RoutableChannel[] {
  if (channels.length <= 1) return channels
  const keyed = channels.map((ch) => {
    const u = input.stickyKey
      ? Math.max(hash32(`${input.stickyKey}|${ch.id}`), 1e-12)
      : Math.max(input.random(), 1e-12)
    return { ch, key: Math.pow(u, 1 / ch.weight) }
  })
  keyed.sort((a, b) => b.key - a.key)
  const out: RoutableChannel[] = []
  for (const k of keyed) if (k.ch.cooldownUntil <= input.now) out.push(k.ch)
  for (const k of keyed) if (k.ch.cooldownUntil > input.now) out.push(k.ch)
  return out
}

export function selectChannels(input: SelectInput): RouteCandidate[] {
  const out: RouteCandidate[] = []
  let seen: Set<string> | null = null
  for (const group of input.groups) {
    const chans: RoutableChannel[] = []
    for (const id of group.channelIds) {
      const c = input.channels.get(id)
      if (eligible(c, input)) chans.push(c)
    }
    for (const ch of order(chans, input)) {
      // A channel in several of the key's groups is offered once, through its first (highest-priority) group.
      if (out.length > 0) {
        seen ??= new Set(out.map((c) => c.channel.id))
        if (seen.has(ch.id)) continue
        seen.add(ch.id)
      }
      out.push({ channel: ch, group, upstreamModel: upstreamModelFor(ch, input.model) })
    }
  }
  if (out.length === 0 && input.allowGlobalFallback) {
    const chans = [...input.channels.values()].filter((c) => eligible(c, input))
    for (const ch of order(chans, input))
      out.push({ channel: ch, group: null, upstreamModel: upstreamModelFor(ch, input.model) })
  }
  return out
}
