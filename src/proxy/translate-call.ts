import type { ServerResponse } from 'node:http'
import type { RouteCandidate } from '../domain/routing/select-channels.ts'
import { protocols } from '../protocol/protocols.ts'
import type { Surface } from '../protocol/surface.ts'
import { codecOf } from '../protocol/translate/codecs.ts'
import type { DialectCodec, ResponseEncodeContext } from '../protocol/translate/dialect-codec.ts'
import type { Dialect, IError, IRequest, JsonObject } from '../protocol/translate/internal-model.ts'
import {
  countDialectOfSurface,
  dialectOfSurface,
  upstreamEndpointOf,
} from '../protocol/translate/surface-dialect.ts'
import { upstreamDialectFor } from '../protocol/translate/upstream-dialect.ts'
import { decodeClientRequest, encodeUpstreamRequest } from '../protocol/translate/translate-request.ts'
import { translateResponse } from '../protocol/translate/translate-response.ts'
import { createStreamTranslator, type StreamTranslator } from '../protocol/translate/translate-stream.ts'
import { translateErrorAnswer, translationFailure } from '../protocol/translate/translate-error.ts'
import { defaultMaxOutputTokens } from '../protocol/translate/default-max-output-tokens.ts'
import { countTokensAnswer, planCountTokens } from '../protocol/translate/count-tokens-plan.ts'
import { buildUpstreamPath } from './build-upstream-request.ts'
import { serialize } from './read-client-request.ts'
import type { ChannelRuntime } from './routing-snapshot.ts'
import type { ProxyRequest } from './proxy-types.ts'
import type { SseEvent } from '../protocol/sse/parse-sse-stream.ts'

/** Response header marking a token count the gateway estimated itself (docs/translation.md › Token counting). */
export const TOKEN_COUNT_HEADER = 'x-gateway-token-count'

/** How a translated call's answer reaches the client: the upstream's surface meters it, the codecs rewrite it. */
export interface Translation {
  /** The dialect spoken to the channel, for the outcome. */
  upstreamDialect: Dialect
  /** The upstream's surface: its usage reader (plain) and stream kind (streams) meter what the provider reports. */
  upstreamSurface: Surface
  /** A plain upstream answer as the client's JSON; throws what translationFailure turns into an error. */
  answer(json: JsonObject): JsonObject
  /** A translator of the upstream stream into the client's. */
  stream(opts: {
    onUpstreamEvent: (ev: SseEvent) => void
    cleanError: (e: IError) => IError
  }): StreamTranslator
  /** An error (an upstream answer, or one of the gateway's while translating) in the client's dialect. */
  error(e: IError): { status: number; body: JsonObject }
  /** An upstream error answer (status, body text) in the client's dialect. */
  upstreamError(
    status: number,
    text: string,
    clean: (e: IError) => IError,
  ): { status: number; body: JsonObject }
}

/** One candidate's call, when the client's and the channel's dialects differ. */
export type TranslatedCall =
  | { kind: 'send'; body: Buffer; path: string; translation: Translation }
  /** The request cannot be expressed for this channel: the client's 400, naming its field. */
  | { kind: 'refused'; status: number; body: string }
  /** Answered by the gateway itself (a token count estimated locally). */
  | { kind: 'local'; status: number; body: string; headers: Record<string, string> }
  /** No translation to this channel's dialect exists: try the next candidate. */
  | { kind: 'unavailable' }

/** Query parameters of a translated call: none of the client's (they belong to its protocol). */
const NO_QUERY = new URLSearchParams()

/** Pass-through: the client's own bytes go to the channel (same protocol, and the channel has the endpoint). */
export function passesThrough(surface: Surface, ch: ChannelRuntime): boolean {
  if (surface.protocol !== ch.provider) return false
  if (ch.responsesApi) return true
  const client = dialectOfSurface(surface)
  return client === null || upstreamDialectFor(client, ch) === null
}

/**
 * Builds translated calls for one request (docs/translation.md): the client's body is decoded once, then encoded
 * for each candidate's dialect. Created only when a candidate needs a translation, so the same-protocol path never
 * pays for it.
 */
export function createCallTranslator(
  req: ProxyRequest,
  json: Record<string, unknown> | null,
  model: string,
  stream: boolean,
  requestId: string,
  nowMs: number,
) {
  const countDialect = countDialectOfSurface(req.surface)
  const clientDialect = countDialect ?? dialectOfSurface(req.surface)
  const client = clientDialect ? codecOf(clientDialect) : undefined
  let decoded: IRequest | null = null

  const refused = (err: unknown): TranslatedCall => {
    const { status, body } = client!.encodeError(translationFailure(err))
    return { kind: 'refused', status, body: JSON.stringify(body) }
  }

  return function translateFor(cand: RouteCandidate): TranslatedCall {
    const ch = cand.channel as ChannelRuntime
    if (!client || !clientDialect || !json) return { kind: 'unavailable' }
    const upstreamDialect = upstreamDialectFor(clientDialect, ch)
    const upstream = upstreamDialect ? codecOf(upstreamDialect) : undefined
    if (!upstreamDialect || !upstream) return { kind: 'unavailable' }
    const reqCtx = {
      upstreamModel: cand.upstreamModel,
      defaultMaxOutputTokens: defaultMaxOutputTokens(cand.upstreamModel),
    }
    try {
      if (countDialect) return countCall(client, upstream, ch, json as JsonObject, reqCtx)
      decoded ??= decodeClientRequest(client, json as JsonObject, stream)
      const body = encodeUpstreamRequest(upstream, decoded, reqCtx)
      const endpoint = upstreamEndpointOf(upstreamDialect, stream)
      const upstreamSurface = protocols[ch.provider].surfaces[endpoint]
      const path = buildUpstreamPath(ch, upstreamSurface, cand.upstreamModel, NO_QUERY, stream)
      const resCtx: ResponseEncodeContext = {
        model,
        requestId,
        created: Math.floor(nowMs / 1000),
        includeUsage: decoded.includeUsage === true,
        customTools: decoded.tools?.filter((t) => t.custom).map((t) => t.name),
      }
      const translation = dialogue(upstreamDialect, upstreamSurface, upstream, client, resCtx)
      return { kind: 'send', body: Buffer.from(serialize(body)), path, translation }
    } catch (err) {
      return refused(err)
    }
  }
}
export type CallTranslator = ReturnType<typeof createCallTranslator>

/** The translation of an answer (plain or streamed) from the upstream's dialect into the client's. */
function dialogue(
  upstreamDialect: Dialect,
  upstreamSurface: Surface,
  upstream: DialectCodec,
  client: DialectCodec,
  ctx: ResponseEncodeContext,
): Translation {
  return {
    upstreamDialect,
    upstreamSurface,
    answer: (json) => translateResponse(upstream, client, json, ctx),
    stream: (opts) => createStreamTranslator(upstream, client, ctx, opts),
    error: (e) => client.encodeError(e),
    upstreamError: (status, text, clean) => translateErrorAnswer(upstream, client, status, text, clean),
  }
}

/**
 * A token count on a channel of another protocol: its own counting endpoint with the request translated, the
 * count read back into the client's shape; or, where the provider has none, the gateway's estimate.
 */
function countCall(
  client: DialectCodec,
  upstream: DialectCodec,
  ch: ChannelRuntime,
  json: JsonObject,
  reqCtx: { upstreamModel: string; defaultMaxOutputTokens: number },
): TranslatedCall {
  const plan = planCountTokens(client, upstream, ch.provider, json, reqCtx)
  if (plan.kind === 'estimate') {
    const body = JSON.stringify(countTokensAnswer(client.dialect, plan.tokens))
    return { kind: 'local', status: 200, body, headers: { [TOKEN_COUNT_HEADER]: 'estimate' } }
  }
  const upstreamSurface = protocols[ch.provider].surfaces[plan.endpoint]
  const path = buildUpstreamPath(ch, upstreamSurface, reqCtx.upstreamModel, NO_QUERY, false)
  const translation: Translation = {
    upstreamDialect: upstream.dialect,
    upstreamSurface,
    answer: (answer) => {
      const tokens = plan.readCount(answer)
      if (tokens === null) throw new Error('the upstream answered no count')
      return countTokensAnswer(client.dialect, tokens)
    },
    stream: () => {
      throw new Error('a token count does not stream')
    },
    error: (e) => client.encodeError(e),
    upstreamError: (status, text, clean) => translateErrorAnswer(upstream, client, status, text, clean),
  }
  return { kind: 'send', body: Buffer.from(serialize(plan.body)), path, translation }
}

/** The gateway's own answer (a token count estimated locally), with its headers; returns the body sent. */
export function sendLocalAnswer(
  res: ServerResponse,
  a: { status: number; body: string; headers: Record<string, string> },
): string {
  res.writeHead(a.status, {
    ...a.headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(a.body),
  })
  res.end(a.body)
  return a.body
}
