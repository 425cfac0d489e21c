import type { Kysely } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import type { ChannelRuntime } from './routing-snapshot.ts'

/**
 * A per-channel circuit breaker: each consecutive failure cools the channel down for longer (5 s doubling up
 * to 5 min); a success closes it. Cooling channels are tried last, never skipped when nothing else is left.
 * The state is also written to the channel row so the dashboard can show it, and told to `onChange` (the other
 * gateway processes, docs/architecture.md "Several workers and hosts"): until = the cooldown's end, 0 = closed.
 */
export function createChannelHealth(
  db: Kysely<Database>,
  onError: (err: unknown) => void,
  onChange?: (channelId: string, until: number) => void,
) {
  const failures = new Map<string, number>()
  return {
    failure(ch: ChannelRuntime, now: number, reason: string): void {
      const n = (failures.get(ch.id) ?? 0) + 1
      failures.set(ch.id, n)
      const cooldown = Math.min(5000 * 2 ** (n - 1), 300_000)
      ch.cooldownUntil = now + cooldown
      onChange?.(ch.id, ch.cooldownUntil)
      db.updateTable('channels')
        .set({ status: 'unhealthy', last_error: reason.slice(0, 300), cooldown_until: ch.cooldownUntil })
        .where('id', '=', ch.id)
        .execute()
        .catch(onError)
    },
    success(ch: ChannelRuntime): void {
      if (!failures.has(ch.id) && ch.cooldownUntil === 0) return
      failures.delete(ch.id)
      ch.cooldownUntil = 0
      onChange?.(ch.id, 0)
      db.updateTable('channels')
        .set({ status: 'healthy', last_error: null, cooldown_until: null })
        .where('id', '=', ch.id)
        .execute()
        .catch(onError)
    },
  }
}
export type ChannelHealth = ReturnType<typeof createChannelHealth>
