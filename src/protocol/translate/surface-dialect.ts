import type { Surface } from '../surface.ts'
import type { ProtocolId } from '../protocol-id.ts'
import type { Dialect } from './internal-model.ts'

/** The client surfaces that translate, by `protocol:endpoint`; every other surface stays own-protocol. */
const SURFACE_DIALECTS: Readonly<Record<string, Dialect>> = {
  'openai:chat/completions': 'openai-chat',
  'openai:responses': 'openai-responses',
  'anthropic:messages': 'anthropic-messages',
  'gemini:generateContent': 'gemini-generate',
  'gemini:streamGenerateContent': 'gemini-generate',
}

/** The token-counting surfaces, answered across protocols by count-tokens-plan.ts. */
const COUNT_DIALECTS: Readonly<Record<string, Dialect>> = {
  'anthropic:messages/count_tokens': 'anthropic-messages',
  'gemini:countTokens': 'gemini-generate',
}

/** The dialect a client speaks on this surface; null for surfaces that never translate (embeddings, images…). */
export function dialectOfSurface(surface: Surface): Dialect | null {
  return SURFACE_DIALECTS[`${surface.protocol}:${surface.endpoint}`] ?? null
}

/** The dialect of a token-counting request's body (Anthropic count_tokens, Gemini countTokens); else null. */
export function countDialectOfSurface(surface: Surface): Dialect | null {
  return COUNT_DIALECTS[`${surface.protocol}:${surface.endpoint}`] ?? null
}

/** The dialect a channel of this protocol speaks natively (OpenAI's chat, which every compatible server has). */
export const CHANNEL_DIALECT: Readonly<Record<ProtocolId, Dialect>> = {
  openai: 'openai-chat',
  anthropic: 'anthropic-messages',
  gemini: 'gemini-generate',
}

/** The protocol whose channels speak a dialect natively. */
export const DIALECT_PROTOCOL: Readonly<Record<Dialect, ProtocolId>> = {
  'openai-chat': 'openai',
  'openai-responses': 'openai',
  'anthropic-messages': 'anthropic',
  'gemini-generate': 'gemini',
}

/** The upstream endpoint (a surface name of the channel's protocol) a translated request of `dialect` goes to. */
export function upstreamEndpointOf(dialect: Dialect, stream: boolean): string {
  switch (dialect) {
    case 'openai-chat':
      return 'chat/completions'
    case 'openai-responses':
      return 'responses'
    case 'anthropic-messages':
      return 'messages'
    case 'gemini-generate':
      return stream ? 'streamGenerateContent' : 'generateContent'
  }
}
