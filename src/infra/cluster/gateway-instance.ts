import { randomUUID } from 'node:crypto'
import os from 'node:os'
import type { Kysely } from 'kysely'
import type { Database } from '../db/database-types.ts'

/** How often a live process writes its heartbeat, and after how long without one it counts as gone. */
export const INSTANCE_HEARTBEAT_MS = 5000
export const INSTANCE_STALE_MS = 60_000

export interface GatewayInstance {
  /** The id its reservations carry (`reservations.instance_id`). */
  id: string
  /** Stops the heartbeat and removes the row: its holds are settled by then (graceful shutdown). */
  stop(): Promise<void>
}

/**
 * Registers this gateway process in `gateway_instances` and keeps its heartbeat fresh (docs/architecture.md,
 * "Several workers and hosts"). A heartbeat that finds its row gone (removed as stale during a long database
 * outage) writes it again. Wall-clock time (Date.now), like the sweep that reads it;
 * the timer never keeps the process alive.
 */
export async function registerGatewayInstance(
  db: Kysely<Database>,
  onError: (err: unknown) => void,
  heartbeatMs = INSTANCE_HEARTBEAT_MS,
): Promise<GatewayInstance> {
  const id = randomUUID()
  const startedAt = Date.now()
  const insert = () =>
    db
      .insertInto('gateway_instances')
      .values({ id, host: os.hostname(), pid: process.pid, started_at: startedAt, heartbeat_at: Date.now() })
      .execute()
  await insert()
  const beat = async () => {
    const r = await db
      .updateTable('gateway_instances')
      .set({ heartbeat_at: Date.now() })
      .where('id', '=', id)
      .executeTakeFirst()
    if (Number(r.numUpdatedRows) === 0) await insert()
  }
  const timer = setInterval(() => beat().catch(onError), heartbeatMs)
  timer.unref()
  return {
    id,
    stop: async () => {
      clearInterval(timer)
      await db.deleteFrom('gateway_instances').where('id', '=', id).execute()
    },
  }
}

/** Drops the rows of instances gone for long (a day): they own nothing the sweep has not released by then. */
export async function forgetGoneInstances(db: Kysely<Database>, now: number): Promise<void> {
  await db
    .deleteFrom('gateway_instances')
    .where('heartbeat_at', '<', now - 86_400_000)
    .execute()
}

/** Marks an instance gone at once (its process exited: the cluster primary saw it), so the sweep frees its holds. */
export async function markInstanceGone(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('gateway_instances').where('id', '=', id).execute()
}
