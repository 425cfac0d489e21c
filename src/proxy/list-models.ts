import type { RoutingSnapshot } from './routing-snapshot.ts'
import type { ListedModel } from '../protocol/protocol-adapter.ts'

/** A model the caller can reach; each protocol's `listModels` writes the list in its own shape. */
export type ReachableModel = ListedModel

/** Exactly the models a caller can reach: their groups' enabled channels (plus everything for superadmins). */
export async function listReachableModels(
  snapshot: RoutingSnapshot,
  who: {
    username: string | null
    role: string
    groupId: string | null
    allowedModels: ReadonlySet<string> | null
  },
  now: number,
): Promise<ReachableModel[]> {
  const snap = await snapshot.get(now)
  const groups = await snapshot.groupsFor(snap, who, now)
  const channelIds = new Set(groups.flatMap((g) => g.channelIds))
  if (who.role === 'superadmin' && !who.groupId) for (const id of snap.channels.keys()) channelIds.add(id)
  const out = new Map<string, ReachableModel>()
  for (const id of channelIds) {
    const ch = snap.channels.get(id)
    if (!ch || !ch.enabled || ch.weight <= 0) continue
    for (const m of [...ch.models, ...Object.keys(ch.mapping)]) {
      if (who.allowedModels && !who.allowedModels.has(m)) continue
      if (!out.has(m)) out.set(m, { id: m, provider: ch.provider })
    }
  }
  return [...out.values()].sort((a, b) => a.id.localeCompare(b.id))
}
