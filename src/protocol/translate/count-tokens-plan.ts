import type { ProtocolId } from '../protocol-id.ts'
import type { DialectCodec, RequestEncodeContext } from './dialect-codec.ts'
import type { Dialect, IRequest, Json, JsonObject } from './internal-model.ts'
import { estimateRequestTokens } from './estimate-request-tokens.ts'

/**
 * How a token-counting request (Anthropic `messages/count_tokens`, Gemini `countTokens`) is answered by a channel
 * of another protocol (docs/translation.md › Token counting): the provider's own counting endpoint where it has
 * one, with the request translated; else (OpenAI-compatible servers have none) a local estimate, which the proxy
 * marks with `x-gateway-token-count: estimate`.
 */
export type CountTokensPlan =
  | { kind: 'upstream'; endpoint: string; body: JsonObject; readCount: (json: JsonObject) => number | null }
  | { kind: 'estimate'; tokens: number }

/** The upstream counting endpoints, by the channel's protocol; a protocol missing here is estimated locally. */
const COUNT_ENDPOINTS: Partial<Record<ProtocolId, string>> = {
  anthropic: 'messages/count_tokens',
  gemini: 'countTokens',
}

/** Anthropic count_tokens takes the Messages body without its generation settings. */
const ANTHROPIC_COUNT_FIELDS = ['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking']

/** A Gemini countTokens body is `{contents}` or `{generateContentRequest:{…}}`; both as a generateContent body. */
function generateBodyOf(client: Dialect, json: JsonObject): JsonObject {
  const inner = json.generateContentRequest
  if (client !== 'gemini-generate' || !inner || typeof inner !== 'object' || Array.isArray(inner)) return json
  const { model: _model, ...rest } = inner
  return rest
}

export function planCountTokens(
  client: DialectCodec,
  upstream: DialectCodec,
  channel: ProtocolId,
  json: JsonObject,
  ctx: RequestEncodeContext,
): CountTokensPlan {
  const req: IRequest = { ...client.decodeRequest(generateBodyOf(client.dialect, json)), stream: false }
  const endpoint = COUNT_ENDPOINTS[channel]
  if (!endpoint) return { kind: 'estimate', tokens: estimateRequestTokens(req) }
  const encoded = upstream.encodeRequest(req, ctx)
  if (channel === 'anthropic') {
    const body: JsonObject = {}
    for (const k of ANTHROPIC_COUNT_FIELDS) if (encoded[k] !== undefined) body[k] = encoded[k]
    return { kind: 'upstream', endpoint, body, readCount: (a) => count(a.input_tokens) }
  }
  const body = { generateContentRequest: { model: `models/${ctx.upstreamModel}`, ...encoded } }
  return { kind: 'upstream', endpoint, body, readCount: (a) => count(a.totalTokens) }
}

/** The count in the client's dialect's answer. */
export function countTokensAnswer(client: Dialect, tokens: number): JsonObject {
  return client === 'gemini-generate' ? { totalTokens: tokens } : { input_tokens: tokens }
}

const count = (v: Json | undefined): number | null =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null
