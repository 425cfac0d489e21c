import { AppError, type ErrorCode } from '../domain/errors.ts'
import type { RouteCandidate } from '../domain/routing/select-channels.ts'
import type { ChannelRuntime } from './routing-snapshot.ts'
import type { ClientGoneSignal } from './client-gone-signal.ts'
import { buildUpstreamHeaders, buildUpstreamPath } from './build-upstream-request.ts'
import { bodyFor } from './read-client-request.ts'
import { upstreamMessage } from './send-proxy-error.ts'
import { channelSecrets } from './sanitize-upstream-error.ts'
import { whenBodySent } from './track-upstream-sent.ts'
import { callUpstream, type UpstreamAnswer } from './call-upstream.ts'
import {
  createCallTranslator,
  passesThrough,
  type CallTranslator,
  type Translation,
} from './translate-call.ts'
import { scrubText } from './sanitize-upstream-error.ts'
import { protocols } from '../protocol/protocols.ts'
import type { ProtocolId } from '../protocol/protocol-id.ts'
import { CLIENT_CLOSED, type ProxyDeps, type ProxyRequest, type UpstreamFailure } from './proxy-types.ts'

/** Connection failures where the request cannot have reached the provider: safe to try another channel. */
const RETRYABLE_CONNECT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  // The channel's host resolved to a refused address at connect time: nothing was sent (docs/security.md).
  'ERR_UPSTREAM_ADDRESS_BLOCKED',
])

interface Tried {
  /** The channel tried last: the one that answered, or the one whose failure ended the request. */
  cand: RouteCandidate
  upstreamUrl: string
  /** Time spent waiting for providers (every attempt's wait for its answer), which is not the gateway's own. */
  upstreamMs: number
  /** Every failed attempt, failed-over ones included; null when none failed. */
  failures: UpstreamFailure[] | null
}

/**
 * How the channels answered: a 2xx to relay; the client's own mistake (400, 404, 413, 422) to pass on as the
 * provider said it; or a failure — every channel failed, a timeout, the client gone — as the error to answer with.
 */
export type ChannelsResult =
  | (Tried & {
      kind: 'answered'
      upstream: UpstreamAnswer
      stripUsage: boolean
      /** The answer is in the channel's dialect and goes to the client translated; null: its bytes pass through. */
      translation: Translation | null
    })
  | (Tried & {
      kind: 'client_error'
      status: number
      text: string
      /** The usage row's error code; absent: the provider's own `upstream_client_error`. */
      errorCode?: string
      /** The text is the gateway's own or already scrubbed (a translated call): sent as it is. */
      clean?: boolean
    })
  /** The gateway answered itself, the provider was not asked (a token count estimated locally). */
  | (Tried & { kind: 'local'; status: number; body: string; headers: Record<string, string> })
  | (Tried & {
      kind: 'failed'
      error: AppError
      /** The client left after its request reached the provider, which has the prompt (docs/architecture.md). */
      promptSent: boolean
    })

const failureKind = (status: number): UpstreamFailure['kind'] =>
  status >= 500 ? 'status_5xx' : status === 429 ? 'status_429' : status < 400 ? 'redirect' : 'auth'

/**
 * Step 4 (docs/architecture.md): the candidates in order, at most `maxAttempts`. A channel that cannot be reached
 * before anything was sent, or that answers 401/403/429/5xx or a redirect, is marked unhealthy and the next one is
 * tried; a first-byte timeout is never retried, as the provider may already be generating (and billing).
 */
export async function tryChannels(
  deps: ProxyDeps,
  req: ProxyRequest,
  json: Record<string, unknown> | null,
  model: string,
  stream: boolean,
  candidates: readonly RouteCandidate[],
  clientGone: ClientGoneSignal,
  requestId = '',
): Promise<ChannelsResult> {
  const attempts = Math.min(candidates.length, Math.max(1, deps.maxAttempts))
  let upstreamMs = 0
  let failures: UpstreamFailure[] | null = null
  /** Built at the first candidate of another dialect (docs/translation.md); never on the same-protocol path. */
  let translator: CallTranslator | null = null
  /** The first candidate's refusal, answered when no candidate could take the request. */
  let refusal: { status: number; text: string } | null = null
  for (let i = 0; ; i++) {
    const cand = candidates[i]
    const ch = cand.channel as ChannelRuntime
    const isLast = i === attempts - 1
    let body: Buffer
    let path: string
    let stripUsage = false
    let translation: Translation | null = null
    if (passesThrough(req.surface, ch)) {
      ;({ body, stripUsage } = bodyFor(req, json, model, cand))
      path = buildUpstreamPath(ch, req.surface, cand.upstreamModel, req.query, stream)
    } else {
      translator ??= createCallTranslator(req, json, model, stream, requestId, deps.clock.now())
      const call = translator(cand)
      const tried = { cand, upstreamUrl: ch.origin, upstreamMs, failures }
      if (call.kind === 'local') return { ...tried, ...call }
      if (call.kind !== 'send') {
        // Another candidate may speak a dialect the request can be expressed in.
        if (call.kind === 'refused') refusal ??= { status: call.status, text: call.body }
        if (!isLast) continue
        if (refusal)
          return { kind: 'client_error', ...tried, ...refusal, errorCode: 'translation_refused', clean: true }
        const error = new AppError('model_not_found', `No channel available for model ${model}`)
        return { kind: 'failed', error, promptSent: false, ...tried }
      }
      ;({ body, path, translation } = call)
    }
    const origin = ch.origin
    const upstreamUrl = origin + path.split('?')[0]
    let upstream: UpstreamAnswer
    const sentAt = performance.now()
    let reachedProvider = false
    const stopWatching = whenBodySent(body, () => {
      reachedProvider = true
    })
    try {
      upstream = await callUpstream(
        deps.dispatchers.get(ch),
        {
          origin,
          path,
          method: 'POST',
          headers: buildUpstreamHeaders(req.headers, ch, body.length),
          body,
          headersTimeout: ch.firstByteTimeoutMs ?? 600_000,
          bodyTimeout: ch.idleTimeoutMs ?? 300_000,
        },
        clientGone,
      )
    } catch (err) {
      upstreamMs += performance.now() - sentAt
      if (clientGone.aborted) {
        const error = new AppError(
          'bad_request',
          'Client closed the request',
          undefined,
          undefined,
          CLIENT_CLOSED,
        )
        return { kind: 'failed', error, promptSent: reachedProvider, cand, upstreamUrl, upstreamMs, failures }
      }
      const code = (err as { code?: string }).code ?? ''
      if (code === 'UND_ERR_HEADERS_TIMEOUT') {
        // The provider may already be generating (and billing): never retried (docs/architecture.md).
        failures = withFailure(failures, ch, 'timeout')
        deps.health.failure(ch, deps.clock.now(), 'first byte timeout')
        const error = new AppError('upstream_timeout', 'The upstream did not answer in time')
        return { kind: 'failed', error, promptSent: false, cand, upstreamUrl, upstreamMs, failures }
      }
      failures = withFailure(failures, ch, 'connect')
      deps.health.failure(ch, deps.clock.now(), `connection error ${code}`)
      if (RETRYABLE_CONNECT.has(code) && !isLast) continue
      const error = new AppError('upstream_error', 'Could not reach the upstream provider')
      return { kind: 'failed', error, promptSent: false, cand, upstreamUrl, upstreamMs, failures }
    } finally {
      stopWatching()
    }

    const status = upstream.statusCode
    upstreamMs += performance.now() - sentAt
    if (status >= 200 && status < 300) {
      deps.health.success(ch)
      return { kind: 'answered', upstream, stripUsage, translation, cand, upstreamUrl, upstreamMs, failures }
    }
    const readAt = performance.now()
    const text = await upstream.body.text()
    upstreamMs += performance.now() - readAt
    // A bad channel key is the channel's fault whatever status says so (Gemini: 400 API_KEY_INVALID).
    const keyRejected =
      status === 401 || status === 403 || protocols[ch.provider].rejectsChannelKey?.(status, text) === true
    if (status >= 400 && !keyRejected && status !== 429 && status < 500) {
      if (!translation) return { kind: 'client_error', status, text, cand, upstreamUrl, upstreamMs, failures }
      // The provider's answer in the client's dialect (its message scrubbed of the channel's secrets).
      const secrets = channelSecrets(ch)
      const out = translation.upstreamError(status, text, (e) => ({
        ...e,
        message: scrubText(e.message, secrets),
      }))
      const answer = { status: out.status, text: JSON.stringify(out.body) }
      return { kind: 'client_error', ...answer, clean: true, cand, upstreamUrl, upstreamMs, failures }
    }
    failures = withFailure(failures, ch, keyRejected ? 'auth' : failureKind(status))
    deps.health.failure(ch, deps.clock.now(), `upstream ${status}`)
    if (isLast) {
      const error = providerError(
        keyRejected ? 401 : clientStatus(status, req.surface.protocol),
        text,
        upstream.headers['retry-after'],
        ch,
      )
      return { kind: 'failed', error, promptSent: false, cand, upstreamUrl, upstreamMs, failures }
    }
  }
}

/**
 * An overloaded provider (503, Anthropic's 529) in the status the client's protocol knows for it: a Chat Completions
 * or Gemini client gets 503 for Anthropic's 529, an Anthropic client 529 for another provider's 503.
 */
function clientStatus(status: number, client: ProtocolId): number {
  if (status !== 503 && status !== 529) return status
  return protocols[client].overloadedStatus ?? 503
}

function withFailure(
  failures: UpstreamFailure[] | null,
  channel: ChannelRuntime,
  kind: UpstreamFailure['kind'],
): UpstreamFailure[] {
  const list = failures ?? []
  list.push({ channel, kind })
  return list
}

/** The last channel's refusal or failure, as the client is answered: its own status for a 429 or a 5xx. */
function providerError(
  status: number,
  text: string,
  retryAfter: string | string[] | undefined,
  ch: ChannelRuntime,
): AppError {
  if (status === 401 || status === 403 || status < 400) {
    // The channel's key or address is at fault, never the client's (docs/architecture.md).
    const message = 'The upstream provider rejected the gateway; the channel needs attention'
    return new AppError('upstream_error', message, undefined, undefined, 502)
  }
  const code: ErrorCode = status === 429 ? 'rate_limited' : 'upstream_error'
  const headers: Record<string, string> =
    status === 429 && typeof retryAfter === 'string' ? { 'retry-after': retryAfter } : {}
  const message = upstreamMessage(text, channelSecrets(ch)) ?? `The upstream provider answered ${status}`
  return new AppError(code, message, undefined, headers, status)
}
