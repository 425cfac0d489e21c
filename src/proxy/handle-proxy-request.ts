import { newTimeOrderedId } from '../infra/ids.ts'
import { ClientGoneSignal } from './client-gone-signal.ts'
import type { Dispatcher } from 'undici'
import { createEmptyUsage } from '../protocol/usage/usage.ts'
import { selectChannels, type Provider, type RouteCandidate } from '../domain/routing/select-channels.ts'
import { AppError, type ErrorCode } from '../domain/errors.ts'
import { looksLikeApiKey } from '../infra/crypto/api-key.ts'
import { extractClientKey, KEY_CONFLICT } from './extract-client-key.ts'
import type { KeyPrincipal } from './token-cache.ts'
import type { ChannelRuntime, RateRule } from './routing-snapshot.ts'
import { buildUpstreamHeaders, buildUpstreamPath } from './build-upstream-request.ts'
import { isFreeEndpoint } from '../protocol/surface.ts'
import { relayResponse } from './relay-response.ts'
import { admitRequest, type Admission } from './admit-request.ts'
import { bodyFor, isStreaming, parseJsonBody, readModel, stickyKeyOf } from './read-client-request.ts'
import { sendProxyError, sendUpstreamClientError, upstreamMessage } from './send-proxy-error.ts'
import { meteredUsage, promptOnlyUsage, settleProxiedRequest } from './settle-proxied-request.ts'
import { whenBodySent } from './track-upstream-sent.ts'
import { channelSecrets } from './sanitize-upstream-error.ts'
import { logDependencyFailure } from './log-dependency-failure.ts'
import {
  ProxyError,
  type ProxyDeps,
  type ProxyOutcome,
  type ProxyRequest,
  type UpstreamErrorKind,
} from './proxy-types.ts'
import { isRateLimiterUnavailable } from '../infra/rate-limit/rate-limiter-unavailable-error.ts'

export type { ProxyDeps, ProxyOutcome, ProxyRequest } from './proxy-types.ts'

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

async function authenticate(
  deps: ProxyDeps,
  req: ProxyRequest,
  now: number,
): Promise<{ principal: KeyPrincipal; key: string }> {
  const key = extractClientKey(req.headers, req.query)
  if (key === KEY_CONFLICT) throw new ProxyError('invalid_api_key', 'Conflicting API keys were sent')
  if (!key) throw new ProxyError('invalid_api_key', 'An API key is required (Authorization: Bearer sk-…)')
  if (!looksLikeApiKey(key)) throw new ProxyError('invalid_api_key', 'Invalid API key')
  const principal = await deps.tokens.lookup(key, now)
  if (!principal) throw new ProxyError('invalid_api_key', 'Invalid API key')
  if (principal.frozen) throw new ProxyError('key_frozen', 'This API key is frozen')
  if (principal.expiresAt !== null && principal.expiresAt < now)
    throw new ProxyError('token_expired', 'This API key has expired')
  if (principal.userDisabled) throw new ProxyError('forbidden', 'The owner of this API key is disabled')
  return { principal, key }
}

async function route(
  deps: ProxyDeps,
  p: KeyPrincipal,
  model: string,
  protocol: Provider,
  sticky: string | undefined,
  now: number,
) {
  const snap = await deps.snapshot.get(now)
  const groups = await deps.snapshot.groupsFor(snap, p, now)
  const candidates = selectChannels({
    model,
    protocols: new Set([protocol]),
    groups,
    channels: snap.channels,
    allowGlobalFallback: p.role === 'superadmin' && !p.groupId,
    stickyKey: sticky,
    now,
    random: deps.random ?? Math.random,
  })
  return { candidates, snap }
}

function newOutcome(req: ProxyRequest, requestId: string, startedAt: number): ProxyOutcome {
  return {
    requestId,
    surface: req.surface,
    clientPath: req.url,
    method: req.method,
    ip: req.ip,
    requestHeaders: req.headers,
    requestBody: req.body,
    requestJson: undefined,
    principal: null,
    clientKey: null,
    model: null,
    channel: null,
    upstreamUrl: null,
    status: 0,
    errorCode: null,
    rejection: null,
    responseHeaders: {},
    responseBody: '',
    responseJson: undefined,
    reassembledText: null,
    settlement: null,
    startedAt,
    durationMs: 0,
    overheadMs: null,
    upstreamErrors: null,
    rateLimit: null,
    reservation: null,
  }
}

function upstreamFailed(outcome: ProxyOutcome, channel: ChannelRuntime, kind: UpstreamErrorKind): void {
  ;(outcome.upstreamErrors ??= []).push({ channel, kind })
}

async function admit(
  deps: ProxyDeps,
  outcome: ProxyOutcome,
  p: KeyPrincipal,
  first: RouteCandidate,
  model: string,
  json: Record<string, unknown> | null,
  body: Buffer,
  rules: readonly RateRule[] | undefined,
) {
  const now = deps.clock.now()
  const prices = (await deps.prices.get(now)).lookup(model, first.group?.id ?? null)
  if (!prices && deps.unpricedPolicy === 'reject' && !isFreeEndpoint(outcome.surface)) {
    throw new ProxyError(
      'forbidden',
      `Model ${model} has no price; unpriced models are refused on this gateway`,
    )
  }
  let r: Awaited<ReturnType<typeof admitRequest>>
  try {
    r = await admitRequest(deps.db, deps.limiter, {
      requestId: outcome.requestId,
      principal: p,
      groupId: first.group?.id ?? null,
      multiplier: first.group?.multiplier ?? 1,
      groupRules: rules ?? [],
      prices,
      json,
      promptBytes: body.length,
      reserveOutputTokens: deps.reserveOutputTokens,
      now,
    })
  } catch (err) {
    // The limiter failing closed, else the database refusing the reservation.
    if (isRateLimiterUnavailable(err)) outcome.rateLimit = 'unavailable'
    else outcome.reservation = 'failed'
    throw err
  }
  if (r.ok) {
    const a = r.admission
    outcome.rateLimit = a.rateLimit
    outcome.reservation = a.reserved ? 'reserved' : a.covered ? 'covered' : 'not_needed'
    return a
  }
  outcome.rateLimit = r.rateLimit
  const f = r.refusal
  if (f.kind === 'insufficient_quota') outcome.reservation = 'refused'
  if (f.kind === 'rate_limited') {
    const what = f.rule.limitType.replace('_limit', '')
    throw new ProxyError(
      'rate_limited',
      `Rate limit exceeded (${what} limit of ${f.rule.limit} per ${f.rule.windowSec}s); retry after ${f.retryAfterSec}s`,
      429,
      f.headers,
    )
  }
  if (f.kind === 'concurrency')
    throw new ProxyError('rate_limited', 'Too many concurrent requests for this API key', 429)
  throw new ProxyError(
    'insufficient_quota',
    f.reason === 'balance'
      ? 'Insufficient balance; redeem a voucher or ask an administrator'
      : 'This API key has reached its spending cap',
    402,
  )
}

/** Response header with the gateway's own share of a request's time, in milliseconds (SPEC §11). */
export const OVERHEAD_HEADER = 'x-gateway-overhead-ms'

/** The status recorded for a request its client abandoned (nginx's convention); never sent. */
export const CLIENT_CLOSED = 499

/**
 * A request refused before it reaches the proxy (body too large, undecodable): answered in the client's error
 * shape with a request id, and audited like any rejection — metadata only, as nobody was authenticated. An upload
 * its client abandoned (CLIENT_CLOSED) is only audited. `arrivedAt` (`performance.now()` when the request's
 * headers arrived) dates the record from the request's arrival, so an upload refused or abandoned after a while
 * shows how long it ran.
 */
export function rejectBeforeProxy(
  deps: ProxyDeps,
  req: Pick<ProxyRequest, 'surface' | 'method' | 'url' | 'headers' | 'ip' | 'res'> & { arrivedAt?: number },
  status: number,
  code: ErrorCode,
  message: string,
): void {
  // Someone else already answered (and audited) this request.
  if (req.res.headersSent) return
  const requestId = newTimeOrderedId()
  const elapsed = req.arrivedAt === undefined ? 0 : Math.max(0, performance.now() - req.arrivedAt)
  const outcome = newOutcome(
    { ...req, query: new URLSearchParams(), body: Buffer.alloc(0) },
    requestId,
    deps.clock.now() - Math.round(elapsed),
  )
  outcome.durationMs = elapsed
  outcome.status = status
  outcome.errorCode = code
  outcome.rejection = code
  if (status === CLIENT_CLOSED) {
    // The client left during its upload: nobody to answer, only the record.
    req.res.destroy()
  } else {
    req.res.setHeader('x-request-id', requestId)
    sendProxyError(req.res, req.surface.protocol, status, code, message)
  }
  deps.onFinished?.(outcome)
}

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

async function proxyOne(deps: ProxyDeps, req: ProxyRequest): Promise<void> {
  const requestId = newTimeOrderedId()
  const startedAt = deps.clock.now()
  const t0 = performance.now()
  const res = req.res
  /** Time spent waiting for providers (every attempt's wait for its answer), which is not the gateway's own. */
  let upstreamMs = 0
  /**
   * `x-gateway-overhead-ms` (SPEC §11): the gateway's own time before the answer's headers, that is everything but
   * the providers' time — admission, routing, building the upstream request, failover bookkeeping.
   */
  const markOverhead = (): void => {
    if (res.headersSent) return
    outcome.overheadMs = performance.now() - t0 - upstreamMs
    res.setHeader(OVERHEAD_HEADER, outcome.overheadMs.toFixed(2))
  }
  res.setHeader('x-request-id', requestId)
  const outcome = newOutcome(req, requestId, startedAt)
  const protocol = req.surface.protocol
  const clientCloseHandlers: (() => void)[] = []
  const abort = new ClientGoneSignal()
  res.on('close', () => {
    if (!res.writableFinished) {
      abort.abort()
      for (const fn of clientCloseHandlers) fn()
    }
  })

  let admission: Admission | null = null
  // What settlement needs once an admission holds money; set as the request progresses.
  let settleWith: { cand: RouteCandidate | null; model: string; stream: boolean } | null = null
  /**
   * The client left after its request reached the provider but before the answer: the provider has the prompt
   * (and may be generating), so the prompt is billed, estimated, as partial (SPEC §5.3). Null: nothing to bill.
   */
  let abandonedAfterSend: { promptBytes: number } | null = null
  let settled = false
  const settleNow = async (
    args: Omit<Parameters<typeof settleProxiedRequest>[1], 'outcome' | 'admission' | 't0'>,
  ) => {
    if (!admission || settled) return
    settled = true
    await settleProxiedRequest(deps, { ...args, outcome, admission, t0 })
  }

  try {
    const { principal, key } = await authenticate(deps, req, startedAt)
    outcome.principal = principal
    outcome.clientKey = key
    const json = parseJsonBody(req)
    outcome.requestJson = json ?? undefined
    const model = readModel(req, json)
    outcome.model = model
    if (principal.allowedModels && !principal.allowedModels.has(model)) {
      throw new ProxyError('model_not_allowed', `This API key may not use model ${model}`)
    }
    const stream = isStreaming(req, json)
    const { candidates, snap } = await route(
      deps,
      principal,
      model,
      protocol,
      stickyKeyOf(req.headers, json),
      startedAt,
    )
    if (candidates.length === 0)
      throw new ProxyError('model_not_found', `No channel available for model ${model}`)
    const first = candidates[0]
    admission = await admit(
      deps,
      outcome,
      principal,
      first,
      model,
      json,
      req.body,
      first.group ? snap.rulesByGroup.get(first.group.id) : undefined,
    )
    for (const [k, v] of Object.entries(admission.headers)) res.setHeader(k, v)
    settleWith = { cand: first, model, stream }

    const attempts = candidates.slice(0, Math.max(1, deps.maxAttempts))
    for (let i = 0; i < attempts.length; i++) {
      const cand = attempts[i]
      const ch = cand.channel as ChannelRuntime
      const isLast = i === attempts.length - 1
      const { body, stripUsage } = bodyFor(req, json, model, cand)
      const path = buildUpstreamPath(ch, req.surface, cand.upstreamModel, req.query, stream)
      const origin = ch.origin
      outcome.channel = ch
      outcome.upstreamUrl = origin + path.split('?')[0]
      settleWith = { cand, model, stream }
      let upstream: Dispatcher.ResponseData
      const sentAt = performance.now()
      let reachedProvider = false
      const stopWatching = whenBodySent(body, () => {
        reachedProvider = true
      })
      try {
        upstream = await deps.dispatchers.get(ch).request({
          origin,
          path,
          method: 'POST',
          headers: buildUpstreamHeaders(req.headers, ch, body.length),
          body,
          signal: abort,
          headersTimeout: ch.firstByteTimeoutMs ?? 600_000,
          bodyTimeout: ch.idleTimeoutMs ?? 300_000,
        })
      } catch (err) {
        upstreamMs += performance.now() - sentAt
        if (abort.aborted) {
          if (reachedProvider) abandonedAfterSend = { promptBytes: req.body.length }
          throw new ProxyError('bad_request', 'Client closed the request', CLIENT_CLOSED)
        }
        const code = (err as { code?: string }).code ?? ''
        if (code === 'UND_ERR_HEADERS_TIMEOUT') {
          // The provider may already be generating (and billing): never retried (SPEC §5.1).
          upstreamFailed(outcome, ch, 'timeout')
          deps.health.failure(ch, deps.clock.now(), 'first byte timeout')
          throw new ProxyError('upstream_timeout', 'The upstream did not answer in time')
        }
        upstreamFailed(outcome, ch, 'connect')
        deps.health.failure(ch, deps.clock.now(), `connection error ${code}`)
        if (RETRYABLE_CONNECT.has(code) && !isLast) continue
        throw new ProxyError('upstream_error', 'Could not reach the upstream provider')
      } finally {
        stopWatching()
      }

      const status = upstream.statusCode
      upstreamMs += performance.now() - sentAt
      if (
        status === 401 ||
        status === 403 ||
        status === 429 ||
        status >= 500 ||
        (status >= 300 && status < 400)
      ) {
        const readAt = performance.now()
        const text = await upstream.body.text().catch(() => '')
        upstreamMs += performance.now() - readAt
        upstreamFailed(
          outcome,
          ch,
          status >= 500 ? 'status_5xx' : status === 429 ? 'status_429' : status < 400 ? 'redirect' : 'auth',
        )
        deps.health.failure(ch, deps.clock.now(), `upstream ${status}`)
        if (!isLast) continue
        if (status === 401 || status === 403 || status < 400) {
          // The channel's key or address is at fault, never the client's (SPEC §5.1).
          throw new ProxyError(
            'upstream_error',
            'The upstream provider rejected the gateway; the channel needs attention',
            502,
          )
        }
        const retryAfter = upstream.headers['retry-after']
        const code: ErrorCode = status === 429 ? 'rate_limited' : 'upstream_error'
        const headers: Record<string, string> =
          status === 429 && typeof retryAfter === 'string' ? { 'retry-after': retryAfter } : {}
        throw new ProxyError(
          code,
          upstreamMessage(text, channelSecrets(ch)) ?? `The upstream provider answered ${status}`,
          status,
          headers,
        )
      }
      if (status >= 400) {
        const readAt = performance.now()
        const text = await upstream.body.text().catch(() => '')
        upstreamMs += performance.now() - readAt
        outcome.status = status
        outcome.errorCode = 'upstream_client_error'
        markOverhead()
        // Recorded as sent: the audit record, and so every log view, holds the sanitised answer.
        outcome.responseBody = sendUpstreamClientError(res, protocol, status, text, channelSecrets(ch)).slice(
          0,
          64 * 1024,
        )
        await settleNow({ cand, model, stream, usage: createEmptyUsage(), source: 'none', ttftMs: null })
        return
      }

      deps.health.success(ch)
      markOverhead()
      const relayed = await relayResponse({
        upstream,
        res,
        surface: req.surface,
        stripUsageChunk: stripUsage,
        secrets: channelSecrets(ch),
        startedAt: t0,
        now: () => performance.now(),
        keepAuditText: deps.keepAuditBodies,
        onClientClose: (fn) => clientCloseHandlers.push(fn),
      })
      // The relay may have turned a body that failed before its first byte into a 502/504.
      outcome.status = relayed.clientAborted ? CLIENT_CLOSED : res.statusCode
      outcome.responseBody = relayed.bodyText
      outcome.responseJson = relayed.bodyJson
      outcome.reassembledText = relayed.stream?.text ?? null
      outcome.responseHeaders = { 'content-type': String(upstream.headers['content-type'] ?? '') }
      outcome.errorCode = relayed.clientAborted ? 'client_closed' : relayed.upstreamFailed
      if (relayed.upstreamFailed) upstreamFailed(outcome, ch, 'stream')
      const { usage, source } = meteredUsage(relayed, req.body.length)
      await settleNow({ cand, model, stream, usage, source, ttftMs: relayed.ttftMs })
      return
    }
  } catch (err) {
    if (err instanceof ProxyError) {
      outcome.status = err.status
      outcome.errorCode = err.code
      if (!admission) outcome.rejection = err.code
      if (err.status !== CLIENT_CLOSED) {
        markOverhead()
        const sent = sendProxyError(res, protocol, err.status, err.code, err.message, err.headers)
        if (sent) outcome.responseBody = sent
      }
    } else if (err instanceof AppError && err.status === 503) {
      // A dependency the request cannot be decided without (the database; Redis when limits fail closed): the
      // request fails closed in the client's protocol, with the retry hint, never as an internal error.
      logDependencyFailure(deps.logger, err, requestId)
      outcome.status = 503
      outcome.errorCode = err.code
      if (!admission) outcome.rejection = err.code
      markOverhead()
      outcome.responseBody = sendProxyError(res, protocol, 503, err.code, err.message, err.headers)
    } else {
      deps.logger.error({ err, requestId }, 'proxy request failed')
      outcome.status = 500
      outcome.errorCode = 'internal_error'
      markOverhead()
      outcome.responseBody = sendProxyError(res, protocol, 500, 'internal_error', 'Internal gateway error')
    }
    // Admitted but not answered (every channel failed, timeout, client gone before the request left): the
    // provider billed nothing, so the reservation is released and a zero-cost row records the failure. A client
    // gone after its request reached the provider pays for the prompt it sent.
    if (settleWith) {
      const usage = abandonedAfterSend ? promptOnlyUsage(abandonedAfterSend.promptBytes) : createEmptyUsage()
      await settleNow({ ...settleWith, usage, source: abandonedAfterSend ? 'partial' : 'none', ttftMs: null })
    }
  } finally {
    outcome.durationMs = performance.now() - t0
    deps.onFinished?.(outcome)
  }
}
