import { sql, type Kysely } from 'kysely'
import type { Database } from './database-types.ts'

/**
 * The longest /ready waits for the database: probes (a load balancer's, Kubernetes') give up after a second or
 * two, and a database that takes longer to answer `select 1` is not one to send traffic to.
 */
export const READY_PROBE_MS = 2000

/** Whether the database answers `select 1` within READY_PROBE_MS; a hung database never holds the probe. */
export async function probeDatabase(db: Kysely<Database>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), READY_PROBE_MS)))
  const probe = sql`select 1`.execute(db).then(
    () => true,
    () => false,
  )
  try {
    return await Promise.race([probe, timeout])
  } finally {
    clearTimeout(timer)
  }
}
