import { notFound } from '../domain/errors.ts'
import { hashApiKey } from '../infra/crypto/api-key.ts'
import { deleteKey, serializeKey, setKeyFrozen } from '../services/keys/key-service.ts'
import type { CliCommand } from './cli-command.ts'
import { withGatewayContext } from './open-gateway-context.ts'

export const revokeKey: CliCommand = {
  name: 'key revoke',
  summary: 'Revoke an API key, by id or by the key itself (a leaked key someone reported)',
  usage: '<key-id|sk-…> [--freeze]',
  details: [
    'Deletes the key: running gateways on this database refuse it within a second (told through the',
    'database, and over REDIS_URL when set); its usage rows stay. --freeze freezes it instead (reversible',
    'from the dashboard or the API).',
    'The key itself is hashed to find it and never printed or stored.',
  ],
  options: { freeze: { type: 'boolean' } },
  positionals: 1,
  run: async ({ values, positionals }, io) => {
    const given = positionals[0]
    return withGatewayContext(io, async (ctx) => {
      const deps = { db: ctx.db.db, clock: ctx.clock }
      const row = await ctx.db.db
        .selectFrom('tokens')
        .selectAll()
        .where(
          given.startsWith('sk-') ? 'key_hash' : 'id',
          '=',
          given.startsWith('sk-') ? hashApiKey(given) : given,
        )
        .executeTakeFirst()
      if (!row) throw notFound('Key')
      const freeze = values.freeze === true
      // Recorded as an administrator's freeze (its owner cannot lift it), committed with its audit row.
      const key = await ctx.audit.change(
        async (db) =>
          freeze
            ? await setKeyFrozen({ ...deps, db }, row.id, { username: ctx.actor, admin: true }, true)
            : serializeKey(await deleteKey({ ...deps, db }, row.id, null)),
        () => ({
          actor: ctx.actor,
          action: freeze ? 'token.freeze' : 'token.revoke',
          target: row.id,
          summary: { owner: row.username, name: row.name, key_prefix: row.key_prefix },
        }),
      )
      ctx.changed({ what: 'keys', id: row.id })
      return {
        data: { ok: true, action: freeze ? 'frozen' : 'deleted', token: key },
        text: `${freeze ? 'froze' : 'deleted'} key "${row.name}" (${row.id}, ${row.key_prefix}) of ${row.username ?? 'nobody'}`,
      }
    })
  },
}
