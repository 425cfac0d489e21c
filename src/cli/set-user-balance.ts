import { canonicalUsername } from '../domain/auth/canonical-username.ts'
import { updateUserBody } from '../contracts/users.ts'
import { updateUser } from '../services/users/user-service.ts'
import { parseUsd, type CliCommand } from './cli-command.ts'
import { withGatewayContext } from './open-gateway-context.ts'

export const setUserBalance: CliCommand = {
  name: 'user set-balance',
  summary: "Set a user's balance in USD, or make it unlimited (written to the balance ledger)",
  usage: '<username> <usd|unlimited>',
  details: [
    '<usd>                 the new balance, e.g. 25 or 12.50 (not an amount to add)',
    'unlimited             no balance limit (keys may still have their own caps)',
  ],
  options: {},
  positionals: 2,
  run: async ({ positionals }, io) => {
    const [given, amount] = positionals
    const username = canonicalUsername(given)
    const body = updateUserBody.parse({ quota_usd: parseUsd(amount, 'the balance', true) })
    return withGatewayContext(io, async (ctx) => {
      // The change and its audit row commit together, as through the admin API.
      const r = await ctx.audit.change(
        (db) =>
          updateUser({ db, clock: ctx.clock }, { username: ctx.actor, role: 'superadmin' }, username, body),
        (r) => ({
          actor: ctx.actor,
          action: 'user.update',
          target: username,
          summary: { changed: ['quota_usd'], quota_usd: [r.before.quota_usd, r.after.quota_usd] },
        }),
      )
      ctx.changed({ what: 'users', id: username })
      const show = (v: number | null) => (v === null ? 'unlimited' : `$${v}`)
      return {
        data: { ok: true, user: r.after, before_usd: r.before.quota_usd, after_usd: r.after.quota_usd },
        text: `balance of "${username}": ${show(r.before.quota_usd)} → ${show(r.after.quota_usd)} (running gateways see it within a second)`,
      }
    })
  },
}
