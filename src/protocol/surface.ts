import type { StreamKind } from '../protocol/usage/track-stream-usage.ts'
import type { Usage } from '../protocol/usage/usage.ts'
import { extractOpenAiUsage } from '../protocol/usage/extract-openai-usage.ts'
import { extractOpenAiResponsesUsage } from '../protocol/usage/extract-openai-responses-usage.ts'
import { extractAnthropicUsage } from '../protocol/usage/extract-anthropic-usage.ts'
import { extractGeminiUsage } from '../protocol/usage/extract-gemini-usage.ts'
import type { Provider } from '../domain/routing/select-channels.ts'

/** One client-facing endpoint: its protocol, how its body is read, and how its usage is metered. */
export interface Surface {
  protocol: Provider
  /** Stable name in usage rows, e.g. `chat/completions`, `messages`, `generateContent`. */
  endpoint: string
  body: 'json' | 'multipart'
  /** How a streamed answer is metered; null when the endpoint never streams. */
  streamKind: StreamKind | null
  extractUsage: ((json: unknown) => Usage) | null
  /** OpenAI chat/completions: the gateway asks for the usage chunk itself (SPEC §5.3). */
  injectsUsage: boolean
}

const openai = (endpoint: string, over: Partial<Surface> = {}): Surface => ({
  protocol: 'openai',
  endpoint,
  body: 'json',
  streamKind: null,
  extractUsage: extractOpenAiUsage,
  injectsUsage: false,
  ...over,
})

export const OPENAI_SURFACES: Record<string, Surface> = {
  'chat/completions': openai('chat/completions', { streamKind: 'openai-chat', injectsUsage: true }),
  completions: openai('completions', { streamKind: 'openai-completions', injectsUsage: true }),
  embeddings: openai('embeddings'),
  responses: openai('responses', {
    streamKind: 'openai-responses',
    extractUsage: extractOpenAiResponsesUsage,
  }),
  'images/generations': openai('images/generations', { extractUsage: extractOpenAiUsage }),
  'audio/transcriptions': openai('audio/transcriptions', { body: 'multipart' }),
  'audio/translations': openai('audio/translations', { body: 'multipart' }),
  'audio/speech': openai('audio/speech', { extractUsage: null }),
  moderations: openai('moderations', { extractUsage: null }),
}

export const ANTHROPIC_SURFACES: Record<string, Surface> = {
  messages: {
    protocol: 'anthropic',
    endpoint: 'messages',
    body: 'json',
    streamKind: 'anthropic',
    extractUsage: extractAnthropicUsage,
    injectsUsage: false,
  },
  'messages/count_tokens': {
    protocol: 'anthropic',
    endpoint: 'messages/count_tokens',
    body: 'json',
    streamKind: null,
    extractUsage: null,
    injectsUsage: false,
  },
}

const gemini = (endpoint: string, streamKind: StreamKind | null, usage: boolean): Surface => ({
  protocol: 'gemini',
  endpoint,
  body: 'json',
  streamKind,
  extractUsage: usage ? extractGeminiUsage : null,
  injectsUsage: false,
})

export const GEMINI_SURFACES: Record<string, Surface> = {
  generateContent: gemini('generateContent', null, true),
  streamGenerateContent: gemini('streamGenerateContent', 'gemini', true),
  countTokens: gemini('countTokens', null, false),
  embedContent: gemini('embedContent', null, true),
  batchEmbedContents: gemini('batchEmbedContents', null, true),
}

/** Endpoints that cost nothing at the provider and are not billed (token counting, moderation). */
export function isFreeEndpoint(s: Surface): boolean {
  return (
    s.endpoint === 'messages/count_tokens' || s.endpoint === 'countTokens' || s.endpoint === 'moderations'
  )
}
