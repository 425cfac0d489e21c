import type { ServerResponse } from 'node:http'
import { newTimeOrderedId } from '../infra/ids.ts'
import { AppError } from '../domain/errors.ts'
import type { RouteCandidate } from '../domain/routing/select-channels.ts'
import { createEmptyUsage, type Usage } from '../protocol/usage/usage.ts'
import type { Settlement } from '../billing/settlement.ts'
import type { Admission } from '../billing/admit-funds.ts'
import { watchClientGone } from './client-gone-signal.ts'
import { authenticateKey } from './authenticate-key.ts'
import { isStreaming, parseJsonBody, readModel, stickyKeyOf } from './read-client-request.ts'
import { routeRequest } from './route-request.ts'
import { servingProtocolsOf } from './serving-protocols.ts'
import { admitCall } from './admit-call.ts'
import { tryChannels } from './try-channels.ts'
import { relayResponse } from './relay-response.ts'
import { relayTranslatedResponse } from './relay-translated-response.ts'
import { sendLocalAnswer } from './translate-call.ts'
import { meteredUsage, promptOnlyUsage, settleProxiedRequest } from './settle-proxied-request.ts'
import { recordOutcome, recordRefusal } from './record-outcome.ts'
import { sendProxyError, sendUpstreamClientError } from './send-proxy-error.ts'
import { channelSecrets } from './sanitize-upstream-error.ts'
import type { ChannelRuntime } from './routing-snapshot.ts'
import { logDependencyFailure } from './log-dependency-failure.ts'
import {
  CLIENT_CLOSED,
  createOutcome,
  OVERHEAD_HEADER,
  type ProxyDeps,
  type ProxyOutcome,
  type ProxyRequest,
} from './proxy-types.ts'

export type { ProxyDeps, ProxyOutcome, ProxyRequest } from './proxy-types.ts'

/** One proxied request, unless the gateway is shutting down; counted while in progress. */
export async function handleProxyRequest(deps: ProxyDeps, req: ProxyRequest): Promise<void> {
  if (deps.inflight.draining) {
    req.res.setHeader('connection', 'close')
    sendProxyError(
      req.res,
      req.surface.protocol,
      503,
      'service_unavailable',
      'The gateway is shutting down; retry shortly',
    )
    return
  }
  deps.inflight.count++
  try {
    await proxyOne(deps, req)
  } finally {
    deps.inflight.count--
  }
}

/**
 * The request's path, step by step (docs/architecture.md): authenticate the key, read the request, route it,
 * admit it (rate limits and money), try the channels, relay the answer, settle what it used, record the outcome.
 * Each step returns what it decided; this function writes it into the outcome the record step reads. A refusal is
 * an AppError, answered once in the client's protocol (answerError).
 */
async function proxyOne(deps: ProxyDeps, req: ProxyRequest): Promise<void> {
  const t0 = performance.now()
  const res = req.res
  const outcome = createOutcome(req, newTimeOrderedId(), deps.clock.now())
  res.setHeader('x-request-id', outcome.requestId)
  const clientGone = watchClientGone(res)
  /** Time spent waiting for providers, which is not the gateway's own (x-gateway-overhead-ms). */
  let upstreamMs = 0
  /** Held by admission until settled; settlement then owns the request's usage row. */
  let admission: Admission | null = null
  /** The channel settlement names: the first candidate once admitted, then the one tried last. */
  let cand: RouteCandidate | null = null
  let model = ''
  let stream = false
  /** What settlement bills: nothing (a zero-cost row) unless the answer says otherwise. */
  let usage: Usage | null = null
  let source: Settlement['usageSource'] = 'none'
  let ttftMs: number | null = null
  /** When the client's answer ended: what the request's duration measures (not the settlement after it). */
  let answeredAt: number | null = null

  try {
    try {
      // Synchronous when the key is cached (the usual case): an await only when the database is asked.
      const authenticated = authenticateKey(deps.keys, req.headers, req.query, outcome.startedAt)
      const { principal, key } = authenticated instanceof Promise ? await authenticated : authenticated
      outcome.principal = principal
      outcome.clientKey = key
      const json = parseJsonBody(req)
      outcome.requestJson = json ?? undefined
      model = readModel(req, json)
      outcome.model = model
      if (principal.allowedModels && !principal.allowedModels.has(model))
        throw new AppError('model_not_allowed', `This API key may not use model ${model}`)
      stream = isStreaming(req, json)

      const routed = routeRequest(
        deps.snapshot,
        principal,
        model,
        servingProtocolsOf(req.surface),
        stickyKeyOf(req.headers, json),
        outcome.startedAt,
        deps.random ?? Math.random,
      )
      const route = routed instanceof Promise ? await routed : routed

      const decision = await admitCall(
        deps,
        outcome.requestId,
        principal,
        route,
        model,
        json,
        req.body.length,
        req.surface,
      )
      outcome.rateLimit = decision.rateLimit
      outcome.reservation = decision.reservation
      if (!decision.ok) throw decision.error
      admission = decision.admission
      cand = route.candidates[0]
      for (const name in admission.headers) res.setHeader(name, admission.headers[name])

      const tried = await tryChannels(
        deps,
        req,
        json,
        model,
        stream,
        route.candidates,
        clientGone,
        outcome.requestId,
      )
      cand = tried.cand
      const channel = tried.cand.channel as ChannelRuntime
      outcome.channel = channel
      outcome.upstreamUrl = tried.upstreamUrl
      outcome.upstreamErrors = tried.failures
      upstreamMs = tried.upstreamMs
      if (tried.kind === 'failed') {
        // A client gone after its request reached the provider pays for the prompt it sent (docs/architecture.md).
        if (tried.promptSent) {
          usage = promptOnlyUsage(req.body.length)
          source = 'partial'
        }
        throw tried.error
      }

      const secrets = secretsOf(channel)
      if (tried.kind === 'client_error') {
        // The client's own mistake, as the provider answered it; recorded as sent (the sanitised answer).
        outcome.status = tried.status
        outcome.errorCode = tried.errorCode ?? 'upstream_client_error'
        markOverhead(res, outcome, t0, upstreamMs)
        // A translated answer is already clean (the gateway's refusal, or a re-encoded error with its message
        // scrubbed): scrubbing it again would mangle field paths such as `tools[0]`.
        const sent = tried.clean
          ? sendLocalAnswer(res, { status: tried.status, body: tried.text, headers: {} })
          : sendUpstreamClientError(res, req.surface.protocol, tried.status, tried.text, secrets)
        outcome.responseBody = sent.slice(0, 64 * 1024)
      } else if (tried.kind === 'local') {
        outcome.status = tried.status
        markOverhead(res, outcome, t0, upstreamMs)
        outcome.responseBody = sendLocalAnswer(res, tried)
      } else {
        markOverhead(res, outcome, t0, upstreamMs)
        const upstream = tried.upstream
        const args = {
          upstream,
          res,
          surface: req.surface,
          stripUsageChunk: tried.stripUsage,
          secrets,
          startedAt: t0,
          now: () => performance.now(),
          keepAuditText: deps.keepAuditBodies,
          onClientClose: (fn: () => void) => clientGone.once('abort', fn),
        }
        const relayed = tried.translation
          ? await relayTranslatedResponse({ ...args, translation: tried.translation })
          : await relayResponse(args)
        // The relay may have turned a body that failed before its first byte into a 502/504.
        outcome.status = relayed.clientAborted ? CLIENT_CLOSED : res.statusCode
        outcome.responseBody = relayed.bodyText
        outcome.responseJson = relayed.bodyJson
        outcome.reassembledText = relayed.stream?.text ?? null
        outcome.responseHeaders = { 'content-type': String(upstream.headers['content-type'] ?? '') }
        outcome.errorCode = relayed.clientAborted ? 'client_closed' : relayed.upstreamFailed
        if (relayed.upstreamFailed) (outcome.upstreamErrors ??= []).push({ channel, kind: 'stream' })
        const metered = meteredUsage(relayed, req.body.length)
        usage = metered.usage
        source = metered.source
        ttftMs = relayed.ttftMs
      }
    } catch (err) {
      const error = toAppError(deps, outcome, err, admission === null)
      // A refusal with a valid key has its usage row (zero cost) for Logs, written before the answer so that it
      // is there once the client knows.
      if (!admission) await recordRefusal(deps, outcome, performance.now() - t0)
      answerError(req, outcome, error, t0, upstreamMs)
    }
    // Every path above has ended the client's answer (the relay resolves once it has).
    answeredAt = performance.now()
  } finally {
    try {
      // Admitted: one settlement, whatever happened — even should answering the client have thrown, the hold is
      // never left behind (held in memory, nothing else would give it back before a restart). Not answered (every
      // channel failed, a timeout, the client gone before the request left), the provider billed nothing: the hold
      // is released and a zero-cost row records it.
      if (admission) {
        usage ??= createEmptyUsage()
        await settleProxiedRequest(deps, {
          outcome,
          admission,
          cand,
          model,
          stream,
          durationMs: (answeredAt ?? performance.now()) - t0,
          usage,
          source,
          ttftMs,
        })
      }
    } finally {
      outcome.durationMs = (answeredAt ?? performance.now()) - t0
      recordOutcome(deps, outcome)
    }
  }
}

/** A channel's secrets (its key, its host) once per channel object: a snapshot reload makes new channel objects. */
const secretsByChannel = new WeakMap<ChannelRuntime, readonly string[]>()
function secretsOf(channel: ChannelRuntime): readonly string[] {
  let secrets = secretsByChannel.get(channel)
  if (!secrets) {
    secrets = channelSecrets(channel)
    secretsByChannel.set(channel, secrets)
  }
  return secrets
}

/**
 * `x-gateway-overhead-ms` (docs/architecture.md): the gateway's own time before the answer's headers, that is
 * everything but the providers' time — admission, routing, building the upstream request, failover bookkeeping.
 */
function markOverhead(res: ServerResponse, outcome: ProxyOutcome, t0: number, upstreamMs: number): void {
  if (res.headersSent) return
  outcome.overheadMs = performance.now() - t0 - upstreamMs
  res.setHeader(OVERHEAD_HEADER, outcome.overheadMs.toFixed(2))
}

/** What went wrong, as the registry's error the client is answered with; the outcome records its status and code. */
function toAppError(deps: ProxyDeps, outcome: ProxyOutcome, err: unknown, refused: boolean): AppError {
  const e = err instanceof AppError ? err : new AppError('internal_error', 'Internal gateway error')
  if (e !== err) deps.logger.error({ err, requestId: outcome.requestId }, 'proxy request failed')
  // A dependency the request cannot be decided without (the database; Redis when limits fail closed): the request
  // fails closed in the client's protocol, with the retry hint, never as an internal error.
  else if (e.code === 'service_unavailable') logDependencyFailure(deps.logger, e, outcome.requestId)
  outcome.status = e.status
  outcome.errorCode = e.code
  if (refused && e.code !== 'internal_error') outcome.rejection = e.code
  return e
}

/** The one answer to a refused or failed request, in the client's protocol; the outcome records what was sent. */
function answerError(
  req: ProxyRequest,
  outcome: ProxyOutcome,
  e: AppError,
  t0: number,
  upstreamMs: number,
): void {
  if (e.status === CLIENT_CLOSED) return
  markOverhead(req.res, outcome, t0, upstreamMs)
  const sent = sendProxyError(req.res, req.surface.protocol, e.status, e.code, e.message, e.headers)
  if (sent) outcome.responseBody = sent
}
