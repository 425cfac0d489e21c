import { canonicalUsername } from '../domain/auth/canonical-username.ts'
import { roleSchema } from '../contracts/users.ts'
import { setUserRole as changeRole } from '../services/users/user-service.ts'
import type { CliCommand } from './cli-command.ts'
import { withGatewayContext } from './open-gateway-context.ts'

export const setUserRole: CliCommand = {
  name: 'user set-role',
  summary: "Set a user's role: user, admin or superadmin (the last superadmin cannot be demoted)",
  usage: '<username> <user|admin|superadmin>',
  details: ['Works for local and LDAP users alike; the user must have logged in once (or been created).'],
  options: {},
  positionals: 2,
  run: async ({ positionals }, io) => {
    const [given, roleText] = positionals
    const username = canonicalUsername(given)
    const role = roleSchema.parse(roleText)
    return withGatewayContext(io, async (ctx) => {
      const r = await ctx.audit.change(
        (db) => changeRole({ db, clock: ctx.clock }, { username: ctx.actor }, username, role),
        (r) => ({
          actor: ctx.actor,
          action: 'user.set_role',
          target: username,
          summary: { from: r.before.role, to: role },
        }),
      )
      ctx.changed({ what: 'users', id: username })
      return {
        data: { ok: true, user: r.after, before: r.before.role },
        text: `role of "${username}": ${r.before.role} → ${r.after.role}`,
      }
    })
  },
}
