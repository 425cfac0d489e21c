import { createUserBody, roleSchema } from '../contracts/users.ts'
import { createLocalUser } from '../services/users/user-service.ts'
import { parseUsd, stringOption, type CliCommand } from './cli-command.ts'
import { withGatewayContext } from './open-gateway-context.ts'
import { passwordDetails, passwordOptions, readNewPassword } from './read-new-password.ts'

export const createUser: CliCommand = {
  name: 'user create',
  summary: 'Create a local user (password login), with a role and a balance',
  usage:
    '<username> [--role user|admin|superadmin] [--balance <usd>|unlimited] [--display-name <name>] [--password-stdin]',
  details: [
    '--role                user (default), admin or superadmin',
    '--balance             starting balance in USD (default 0), or "unlimited"',
    ...passwordDetails,
  ],
  options: {
    role: { type: 'string' },
    balance: { type: 'string' },
    'display-name': { type: 'string' },
    ...passwordOptions,
  },
  positionals: 1,
  run: async ({ values, positionals }, io) => {
    const balance = stringOption(values, 'balance')
    const { password, generated } = await readNewPassword(values, io)
    const body = createUserBody.parse({
      username: positionals[0],
      password,
      display_name: stringOption(values, 'display-name'),
      role: roleSchema.optional().parse(stringOption(values, 'role')),
      quota_usd: balance === undefined ? undefined : parseUsd(balance, '--balance', true),
    })
    return withGatewayContext(io, async (ctx) => {
      const user = await ctx.audit.change(
        (db) => createLocalUser({ db, clock: ctx.clock }, 'superadmin', body),
        (user) => ({
          actor: ctx.actor,
          action: 'user.create',
          target: user.username,
          summary: { role: user.role, quota_usd: user.quota_usd },
        }),
      )
      const balanceText = user.quota_usd === null ? 'unlimited' : `$${user.quota_usd}`
      return {
        data: { ok: true, user, ...(generated ? { password } : {}) },
        text:
          `created ${user.role} "${user.username}" (local login, balance ${balanceText})` +
          (generated ? `\npassword (shown once): ${password}` : ''),
      }
    })
  },
}
