import { canonicalUsername } from '../domain/auth/canonical-username.ts'
import { createKeyBody } from '../contracts/keys.ts'
import { notFound } from '../domain/errors.ts'
import { createKey as createUserKey } from '../services/keys/key-service.ts'
import { getUserRow } from '../services/users/user-service.ts'
import { CliUsageError, parseUsd, requireOption, stringOption, type CliCommand } from './cli-command.ts'
import { withGatewayContext } from './open-gateway-context.ts'

function positiveInt(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined
  if (!/^\d+$/.test(text)) throw new CliUsageError(`${what} must be a whole number`)
  return Number(text)
}

export const createKey: CliCommand = {
  name: 'key create',
  summary: 'Create an API key (sk-…) for a user; the key is printed once and stored only as its hash',
  usage:
    '<username> --name <name> [--group <name|id>] [--quota <usd>] [--expires <date>] [--models <a,b>] [--rpm <n>] [--tpm <n>] [--concurrency <n>]',
  details: [
    '--group               bind the key to a group: only its channels, its prices and its package rules',
    '--quota               the key’s own spending cap in USD (default: none)',
    '--expires             2026-12-31 (end of that UTC day) or an ISO timestamp',
    '--models              the only models the key may use, comma-separated',
    '--rpm, --tpm, --concurrency   per-key limits',
  ],
  options: {
    name: { type: 'string' },
    group: { type: 'string' },
    quota: { type: 'string' },
    expires: { type: 'string' },
    models: { type: 'string' },
    rpm: { type: 'string' },
    tpm: { type: 'string' },
    concurrency: { type: 'string' },
  },
  positionals: 1,
  run: async ({ values, positionals }, io) => {
    const quota = stringOption(values, 'quota')
    const models = stringOption(values, 'models')
    const group = stringOption(values, 'group')
    return withGatewayContext(io, async (ctx) => {
      const deps = { db: ctx.db.db, clock: ctx.clock }
      const owner = await getUserRow(deps, canonicalUsername(positionals[0]))
      let groupId: string | null = null
      if (group !== undefined) {
        const row = await ctx.db.db
          .selectFrom('groups')
          .select(['id'])
          .where((eb) => eb.or([eb('id', '=', group), eb('name', '=', group)]))
          .executeTakeFirst()
        if (!row) throw notFound(`Group "${group}"`)
        groupId = row.id
      }
      const body = createKeyBody.parse({
        name: requireOption(values, 'name'),
        group_id: groupId,
        quota_usd: quota === undefined ? undefined : parseUsd(quota, '--quota', false),
        expires_at: stringOption(values, 'expires'),
        allowed_models: models
          ?.split(',')
          .map((m) => m.trim())
          .filter(Boolean),
        rpm: positiveInt(stringOption(values, 'rpm'), '--rpm'),
        tpm: positiveInt(stringOption(values, 'tpm'), '--tpm'),
        max_concurrency: positiveInt(stringOption(values, 'concurrency'), '--concurrency'),
      })
      // As an administrator would through the API: any existing group may be bound.
      const key = await ctx.audit.change(
        (db) => createUserKey({ ...deps, db }, owner.username, 'admin', body),
        (created) => ({
          actor: ctx.actor,
          action: 'token.create',
          target: created.id,
          summary: { owner: owner.username, name: created.name, group_id: created.group_id },
        }),
      )
      return {
        data: { ok: true, ...key },
        text: `created key "${key.name}" (${key.id}) for "${owner.username}"\nkey (shown once): ${key.key}`,
      }
    })
  },
}
