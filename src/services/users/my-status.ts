import { nanoToUsd, toBig, toBigOrNull, toBool, toNum } from '../../infra/db/convert-row-values.ts'
import type { Db } from '../../infra/db/create-db.ts'
import type { Clock } from '../../infra/clock.ts'
import type { Role } from '../../contracts/users.ts'
import { listUserGroups } from '../groups/group-service.ts'

/** Usage per rule comes from the rate limiter (Redis or in-process). */
export type RuleUsageReader = (
  rule: { id: string; group_id: string; limit_type: string; window_sec: number },
  username: string,
) => Promise<number>

/** What the status page reads; the HTTP layer's dependencies satisfy it (services never import the HTTP layer). */
export interface MyStatusDeps {
  db: Db
  clock: Clock
  ruleUsage: RuleUsageReader
}

export async function getMyStatus(deps: MyStatusDeps, principal: { username: string; role: Role }) {
  const db = deps.db.db
  const user = await db
    .selectFrom('users')
    .select(['quota_nano', 'used_nano'])
    .where('username', '=', principal.username)
    .executeTakeFirst()
  const groups = await listUserGroups(
    { db, clock: deps.clock },
    principal.username,
    principal.role !== 'user',
  )
  const rules = groups.length
    ? await db
        .selectFrom('rate_limits')
        .selectAll()
        .where(
          'group_id',
          'in',
          groups.map((g) => g.id),
        )
        .where('value', '>', 0)
        .execute()
    : []
  const out = []
  for (const g of groups) {
    const mine = rules.filter((r) => r.group_id === g.id)
    const rate_limits = []
    for (const r of mine) {
      const window_sec = toNum(r.window_sec)
      const current = deps.ruleUsage
        ? await deps.ruleUsage(
            { id: r.id, group_id: r.group_id, limit_type: r.limit_type, window_sec },
            principal.username,
          )
        : 0
      rate_limits.push({
        rule_id: r.id,
        limit_type: r.limit_type,
        window_sec,
        limit: r.value,
        // Whether the rule also counts the user's personal keys, not only keys bound to this group.
        applies_to: r.applies_to,
        current,
        remaining_pct: Math.round(Math.max(0, ((r.value - current) / r.value) * 100) * 10) / 10,
      })
    }
    out.push({
      group_id: g.id,
      group_name: g.name,
      is_all_visible: toBool(g.all_visible),
      priority: g.priority,
      rate_limits,
    })
  }
  return {
    username: principal.username,
    quota_usd: user ? nanoToUsd(toBigOrNull(user.quota_nano)) : null,
    used_usd: user ? nanoToUsd(toBig(user.used_nano)) : 0,
    groups: out,
  }
}
