import type { RoutingSnapshot } from './routing-snapshot.ts'
import type { Provider } from '../domain/routing/select-channels.ts'

export interface ReachableModel {
  id: string
  provider: Provider
}

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

export function toOpenAiList(models: ReachableModel[]) {
  return {
    object: 'list',
    data: models.map((m) => ({ id: m.id, object: 'model', created: 0, owned_by: m.provider })),
  }
}

export function toAnthropicList(models: ReachableModel[]) {
  const data = models.map((m) => ({
    type: 'model',
    id: m.id,
    display_name: m.id,
    created_at: '1970-01-01T00:00:00Z',
  }))
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null }
}

export function toGeminiList(models: ReachableModel[]) {
  return {
    models: models.map((m) => ({
      name: `models/${m.id}`,
      displayName: m.id,
      supportedGenerationMethods: m.id.includes('embed')
        ? ['embedContent', 'batchEmbedContents']
        : ['generateContent', 'countTokens'],
    })),
  }
}
