import type { Kysely } from 'kysely'
import type { BaseLogger } from 'pino'
import type { Database } from '../infra/db/database-types.ts'
import { sweepOrphanReservations } from '../billing/reserve-funds.ts'
import { forgetGoneInstances, INSTANCE_STALE_MS } from '../infra/cluster/gateway-instance.ts'
import { errorMessage } from '../domain/errors.ts'

const SWEEP_EVERY_MS = 30_000

export interface OrphanSweeper {
  /** Releases the holds of gateway processes that are gone; how many. */
  run(): Promise<number>
  stop(): void
}

/**
 * The sweep of holds left by processes that died (docs/architecture.md, "Several workers and hosts"): once before
 * serving, then every 30 s, so a crashed worker's or host's holds come back within about a minute (its heartbeat's
 * staleness) while a live process's are never touched. Rows without an owner are older gateways' and are released
 * when written before this start.
 */
export function scheduleOrphanSweep(
  db: Kysely<Database>,
  log: Pick<BaseLogger, 'warn'>,
  everyMs = SWEEP_EVERY_MS,
): OrphanSweeper {
  const startedAt = Date.now()
  const run = async () => {
    const now = Date.now()
    const swept = await sweepOrphanReservations(db, {
      now,
      staleMs: INSTANCE_STALE_MS,
      unownedBefore: startedAt,
    })
    if (swept > 0) log.warn({ swept }, 'released reservations of gateway processes that are gone')
    await forgetGoneInstances(db, now)
    return swept
  }
  const timer = setInterval(() => {
    run().catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'reservation sweep failed'))
  }, everyMs)
  timer.unref()
  return { run, stop: () => clearInterval(timer) }
}
