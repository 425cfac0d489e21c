import { PROTOCOL_IDS, type ProtocolId } from '../protocol-id.ts'
import { codecOf } from './codecs.ts'
import type { Dialect } from './internal-model.ts'
import { CHANNEL_DIALECT, DIALECT_PROTOCOL } from './surface-dialect.ts'

/** What decides the dialect a channel is spoken to in. */
export interface ChannelDialectFacts {
  provider: ProtocolId
  /** OpenAI channels: the server has `/v1/responses` (docs/channels.md); false for chat-only compatible servers. */
  responsesApi: boolean
}

/**
 * The dialect the gateway speaks to this channel for a client of `client`: null when the client's own bytes pass
 * through (same protocol), else the channel's dialect to translate to. A Responses client on an OpenAI channel
 * whose server has no `/v1/responses` is translated to Chat Completions, as the original did
 * (docs/translation.md).
 */
export function upstreamDialectFor(client: Dialect, channel: ChannelDialectFacts): Dialect | null {
  if (DIALECT_PROTOCOL[client] === channel.provider) {
    return client === 'openai-responses' && !channel.responsesApi ? 'openai-chat' : null
  }
  return CHANNEL_DIALECT[channel.provider]
}

/** Both ends have their codec: the translation exists. */
export function canTranslate(client: Dialect, upstream: Dialect): boolean {
  return codecOf(client) !== undefined && codecOf(upstream) !== undefined
}

/**
 * The protocols whose channels may serve a client of this dialect: its own, and each other protocol it can be
 * translated to. A channel of its own protocol that still needs a translation (a chat-only OpenAI server for a
 * Responses client) is checked when it is tried.
 */
export function servingProtocols(client: Dialect): ProtocolId[] {
  return PROTOCOL_IDS.filter(
    (p) => p === DIALECT_PROTOCOL[client] || canTranslate(client, CHANNEL_DIALECT[p]),
  )
}
