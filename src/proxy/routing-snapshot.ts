import type { Kysely } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import { parseJson, toBool, toNum, toNumOrNull } from '../infra/db/convert-row-values.ts'
import { decryptSecret } from '../infra/crypto/secret-box.ts'
import type { Provider, RoutableChannel, RoutableGroup } from '../domain/routing/select-channels.ts'

export interface ChannelRuntime extends RoutableChannel {
  name: string
  baseUrl: string
  /** `baseUrl` parsed once per snapshot, not per request. */
  origin: string
  basePath: string
  apiKey: string
  extraHeaders: Record<string, string>
  connectTimeoutMs: number | null
  firstByteTimeoutMs: number | null
  idleTimeoutMs: number | null
  proxyUrl: string | null
  /** OpenAI channels: the server has `/v1/responses`; false translates Responses requests to chat (docs/channels.md). */
  responsesApi: boolean
}

export interface RateRule {
  id: string
  groupId: string
  limitType: 'request_limit' | 'token_limit' | 'quota_limit'
  windowSec: number
  limit: number
  /** Whether the rule also limits personal keys routed through the group (see billing/admit-funds.ts). */
  appliesTo: 'bound_keys' | 'all_keys'
}

/** A group as the snapshot holds it. */
export type SnapshotGroup = RoutableGroup & { name: string; allVisible: boolean }

const NO_MEMBERSHIPS: ReadonlySet<string> = new Set<string>()

export interface Snapshot {
  channels: Map<string, ChannelRuntime>
  groups: Map<string, SnapshotGroup>
  /** Groups in routing order: priority descending, then name. */
  groupOrder: SnapshotGroup[]
  rulesByGroup: Map<string, RateRule[]>
}

/**
 * Everything routing needs, in memory. Rebuilt from the database when an admin changes channels, groups or
 * rules (and periodically, so other gateway processes' changes arrive within `refreshMs`).
 */
export function createRoutingSnapshot(db: Kysely<Database>, encryptionKey: Buffer, refreshMs = 5000) {
  let current: Snapshot | null = null
  let loading: Promise<Snapshot> | null = null
  let loadedAt = 0
  const memberships = new Map<string, { groupIds: Set<string>; at: number }>()

  async function load(): Promise<Snapshot> {
    const [channelRows, groupRows, links, rules] = await Promise.all([
      db.selectFrom('channels').selectAll().execute(),
      db.selectFrom('groups').selectAll().execute(),
      db.selectFrom('group_channels').selectAll().execute(),
      db.selectFrom('rate_limits').selectAll().where('value', '>', 0).execute(),
    ])
    const channels = new Map<string, ChannelRuntime>()
    for (const r of channelRows) {
      let apiKey = ''
      try {
        apiKey = decryptSecret(encryptionKey, r.api_key_enc)
      } catch {
        continue // a key encrypted with another ENCRYPTION_KEY: the channel cannot be used
      }
      channels.set(r.id, {
        id: r.id,
        name: r.name,
        provider: r.provider as Provider,
        weight: toNum(r.weight),
        enabled: toBool(r.enabled),
        models: new Set(parseJson<string[]>(r.models, [])),
        mapping: parseJson<Record<string, string>>(r.model_mapping, {}),
        cooldownUntil: 0,
        baseUrl: r.base_url,
        origin: new URL(r.base_url).origin,
        basePath: new URL(r.base_url).pathname.replace(/\/+$/, ''),
        apiKey,
        extraHeaders: parseJson<Record<string, string>>(r.extra_headers, {}),
        connectTimeoutMs: toNumOrNull(r.connect_timeout_ms),
        firstByteTimeoutMs: toNumOrNull(r.first_byte_timeout_ms),
        idleTimeoutMs: toNumOrNull(r.idle_timeout_ms),
        proxyUrl: r.proxy_url,
        responsesApi: toBool(r.responses_api),
      })
    }
    const groups = new Map<string, SnapshotGroup>()
    for (const g of groupRows) {
      groups.set(g.id, {
        id: g.id,
        name: g.name,
        priority: toNum(g.priority),
        multiplier: g.multiplier,
        allVisible: toBool(g.all_visible),
        channelIds: links.filter((l) => l.group_id === g.id).map((l) => l.channel_id),
      })
    }
    const groupOrder = [...groups.values()].sort(
      (a, b) => b.priority - a.priority || a.name.localeCompare(b.name),
    )
    const rulesByGroup = new Map<string, RateRule[]>()
    for (const r of rules) {
      const list = rulesByGroup.get(r.group_id) ?? []
      list.push({
        id: r.id,
        groupId: r.group_id,
        limitType: r.limit_type,
        windowSec: toNum(r.window_sec),
        limit: r.value,
        appliesTo: r.applies_to,
      })
      rulesByGroup.set(r.group_id, list)
    }
    return { channels, groups, groupOrder, rulesByGroup }
  }

  /** Bumped by every invalidation; a snapshot loaded for an older generation must not be served. */
  let generation = 0
  let currentGen = -1
  let loadingGen = -1

  function startLoad(now: number): Promise<Snapshot> {
    const gen = generation
    loadingGen = gen
    const p = load().then((s) => {
      // Cooldowns are runtime state: carry them over a reload.
      if (current)
        for (const [id, ch] of s.channels) ch.cooldownUntil = current.channels.get(id)?.cooldownUntil ?? 0
      if (gen >= currentGen) {
        current = s
        currentGen = gen
        loadedAt = now
      }
      return s
    })
    loading = p
    void p
      .finally(() => {
        if (loading === p) loading = null
      })
      .catch(() => undefined)
    return p
  }

  /** Explicit group memberships of a user, cached like the snapshot (a hit is answered synchronously). */
  function memberGroups(username: string, now: number): Set<string> | Promise<Set<string>> {
    const hit = memberships.get(username)
    if (hit && now - hit.at < refreshMs) return hit.groupIds
    return db
      .selectFrom('group_members')
      .select('group_id')
      .where('username', '=', username)
      .execute()
      .then((rows) => {
        const groupIds = new Set(rows.map((r) => r.group_id))
        if (memberships.size > 50_000) memberships.clear()
        memberships.set(username, { groupIds, at: now })
        return groupIds
      })
  }

  /** The snapshot's groups a key routes through (see groupsFor). */
  function visibleGroups(snap: Snapshot, member: ReadonlySet<string>) {
    return snap.groupOrder.filter((g) => g.allVisible || member.has(g.id))
  }

  return {
    /** The current snapshot; synchronously while it is fresh (the hot path needs no promise then). */
    get(now: number): Snapshot | Promise<Snapshot> {
      const fresh = current !== null && currentGen === generation
      if (fresh && now - loadedAt < refreshMs) return current!
      if (!loading || loadingGen !== generation) void startLoad(now)
      // A periodic refresh runs in the background; after an invalidation, wait for the new data.
      if (fresh) return current!
      return loading!
    },
    invalidate(): void {
      generation++
      memberships.clear()
    },
    /** Another process's circuit breaker opened (until > now) or closed (0) a channel. */
    setCooldown(channelId: string, until: number): void {
      const ch = current?.channels.get(channelId)
      if (ch) ch.cooldownUntil = until
    },
    /**
     * The groups a key routes through, highest priority first: only its own group when it is bound to one,
     * otherwise the owner's memberships and every all-visible group.
     */
    groupsFor(
      snap: Snapshot,
      who: { username: string | null; groupId: string | null },
      now: number,
    ): SnapshotGroup[] | Promise<SnapshotGroup[]> {
      if (who.groupId) {
        const g = snap.groups.get(who.groupId)
        return g ? [g] : []
      }
      if (!who.username) return visibleGroups(snap, NO_MEMBERSHIPS)
      const member = memberGroups(who.username, now)
      return member instanceof Promise
        ? member.then((m) => visibleGroups(snap, m))
        : visibleGroups(snap, member)
    },
    memberGroups,
  }
}
export type RoutingSnapshot = ReturnType<typeof createRoutingSnapshot>
