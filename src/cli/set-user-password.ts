import { canonicalUsername } from '../domain/auth/canonical-username.ts'
import { updateUserBody } from '../contracts/users.ts'
import { updateUser } from '../services/users/user-service.ts'
import type { CliCommand } from './cli-command.ts'
import { withGatewayContext } from './open-gateway-context.ts'
import { passwordDetails, passwordOptions, readNewPassword } from './read-new-password.ts'

export const setUserPassword: CliCommand = {
  name: 'user set-password',
  summary: "Set a local user's password (the way back in for a locked-out administrator)",
  usage: '<username> [--password-stdin]',
  details: [
    ...passwordDetails,
    'Only local accounts have a password here; LDAP users change theirs in the directory.',
  ],
  options: { ...passwordOptions },
  positionals: 1,
  run: async ({ values, positionals }, io) => {
    // As a login would name the account (Alice and alice are one user).
    const username = canonicalUsername(positionals[0])
    const { password, generated } = await readNewPassword(values, io)
    const body = updateUserBody.parse({ password })
    return withGatewayContext(io, async (ctx) => {
      const r = await ctx.audit.change(
        (db) =>
          updateUser({ db, clock: ctx.clock }, { username: ctx.actor, role: 'superadmin' }, username, body),
        () => ({
          actor: ctx.actor,
          action: 'user.update',
          target: username,
          summary: { changed: ['password'] },
        }),
      )
      ctx.changed({ what: 'users', id: username })
      return {
        data: { ok: true, user: r.after, ...(generated ? { password } : {}) },
        text: `password of "${username}" set` + (generated ? `\npassword (shown once): ${password}` : ''),
      }
    })
  },
}
