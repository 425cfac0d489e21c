import type { Kysely } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'

/**
 * Channel names are unique here (case and surrounding spaces ignored; the API answers 409), while the original
 * allowed two channels of one name. The importer keeps both: the second under `name (2)`, the next `name (3)`…,
 * and says so in its report (README, "Moving from any_gateway").
 */

const key = (name: string) => name.trim().toLowerCase()

/** Whether `name` is `original` or a numbered name `nameImportedChannel` gave it. */
export function isImportedChannelName(name: string, original: string): boolean {
  const k = key(name)
  const o = key(original)
  return k === o || (k.startsWith(`${o} (`) && /^ \(\d+\)$/.test(k.slice(o.length)))
}

/** `original` when no channel has that name, else the first free `original (n)` from 2. */
export async function nameImportedChannel(db: Kysely<Database>, original: string): Promise<string> {
  const taken = new Set((await db.selectFrom('channels').select('name').execute()).map((c) => key(c.name)))
  const name = original.trim()
  if (!taken.has(key(name))) return name
  let n = 2
  while (taken.has(key(`${name} (${n})`))) n++
  return `${name} (${n})`
}
