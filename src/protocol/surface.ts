import type { StreamKind } from './usage/track-stream-usage.ts'
import type { Usage } from './usage/usage.ts'
import type { ProtocolId } from './protocol-id.ts'

/** One client-facing endpoint: its protocol, how its body is read, and how its usage is metered. */
export interface Surface {
  protocol: ProtocolId
  /** Stable name in usage rows, e.g. `chat/completions`, `messages`, `generateContent`. */
  endpoint: string
  body: 'json' | 'multipart'
  /** How a streamed answer is metered; null when the endpoint never streams. */
  streamKind: StreamKind | null
  extractUsage: ((json: unknown) => Usage) | null
  /** OpenAI chat/completions: the gateway asks for the usage chunk itself, so a stream is billed by what it reports. */
  injectsUsage: boolean
  /** The endpoint costs nothing at the provider and is not billed (token counting, moderation). */
  free: boolean
}

/** A surface of `protocol`: a JSON body, metered but never streamed, unless `over` says otherwise. */
export function defineSurface(protocol: ProtocolId, endpoint: string, over: Partial<Surface> = {}): Surface {
  return {
    protocol,
    endpoint,
    body: 'json',
    streamKind: null,
    extractUsage: null,
    injectsUsage: false,
    free: false,
    ...over,
  }
}

/** Endpoints that cost nothing at the provider and are not billed (token counting, moderation). */
export function isFreeEndpoint(surface: Surface): boolean {
  return surface.free
}
