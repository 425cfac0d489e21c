import type { Kysely } from 'kysely'
import type { Database } from '../../infra/db/database-types.ts'
import { parseJson, toBool } from '../../infra/db/convert-row-values.ts'
import { visibleGroupIds } from '../groups/visible-groups.ts'

/**
 * The model names a user can call: the models and aliases of the enabled channels linked to a group they see.
 * A channel routes only for keys of a group that links it, so a priced model no such channel offers is not
 * available to them (the Pricing page's "my models" view; docs/channels.md).
 */
export async function listReachableModels(db: Kysely<Database>, username: string): Promise<string[]> {
  const groups = await visibleGroupIds(db, username)
  if (groups.length === 0) return []
  const rows = await db
    .selectFrom('channels as c')
    .innerJoin('group_channels as gc', 'gc.channel_id', 'c.id')
    .select(['c.models', 'c.model_mapping', 'c.enabled'])
    .where('gc.group_id', 'in', groups)
    .execute()
  const names = new Set<string>()
  for (const r of rows) {
    if (!toBool(r.enabled)) continue
    for (const m of parseJson<string[]>(r.models, [])) names.add(m)
    for (const m of Object.keys(parseJson<Record<string, string>>(r.model_mapping, {}))) names.add(m)
  }
  return [...names].sort()
}
