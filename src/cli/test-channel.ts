import { notFound } from '../domain/errors.ts'
import { createChannelUpstream } from '../services/channels/channel-upstream.ts'
import { testChannel as probeChannel } from '../services/channels/test-channel.ts'
import { stringOption, type CliCommand } from './cli-command.ts'
import { withGatewayContext } from './open-gateway-context.ts'

export const testChannel: CliCommand = {
  name: 'channel test',
  summary:
    'Send a one-token request through a channel (by id or name) and record its health; exit 1 if it fails',
  usage: '<channel-id|name> [--model <model>]',
  details: [
    '--model               the model to ask for (default: the channel’s first model, then its first alias)',
    'The request goes from this host with the channel’s key, base URL and extra headers, as the gateway’s would.',
  ],
  options: { model: { type: 'string' } },
  positionals: 1,
  run: async ({ values, positionals }, io) => {
    const given = positionals[0]
    return withGatewayContext(io, async (ctx) => {
      const deps = { db: ctx.db.db, clock: ctx.clock, encryptionKey: ctx.config.ENCRYPTION_KEY }
      const matches = await ctx.db.db
        .selectFrom('channels')
        .select(['id', 'name'])
        .where((eb) => eb.or([eb('id', '=', given), eb('name', '=', given)]))
        .execute()
      if (matches.length === 0) throw notFound(`Channel "${given}"`)
      if (matches.length > 1) {
        throw new Error(
          `${matches.length} channels are named "${given}"; give the id: ${matches.map((m) => m.id).join(', ')}`,
        )
      }
      const { id, name } = matches[0]
      const result = await probeChannel(deps, createChannelUpstream(), id, stringOption(values, 'model'))
      await ctx.audit({
        actor: ctx.actor,
        action: 'channel.test',
        target: id,
        summary: { ok: result.ok, status: result.status },
      })
      return {
        data: { ...result, channel: { id, name } },
        text: result.ok
          ? `channel "${name}": ok, ${result.model} answered ${result.status} in ${result.latency_ms} ms`
          : `channel "${name}": FAILED (${result.status || 'no answer'}): ${result.message}`,
        exitCode: result.ok ? 0 : 1,
      }
    })
  },
}
