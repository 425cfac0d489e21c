import { randomUUID } from 'node:crypto'
import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Dispatcher } from 'undici'
import type { Database } from '../infra/db/database-types.ts'
import type { Clock } from '../infra/clock.ts'
import { formatClientError } from '../protocol/errors/format-client-error.ts'
import { ensureIncludeUsage } from '../protocol/openai/ensure-include-usage.ts'
import { createEmptyUsage, type Usage } from '../protocol/usage/usage.ts'
import { selectChannels, type Provider, type RouteCandidate } from '../domain/routing/select-channels.ts'
import type { ErrorCode } from '../domain/errors.ts'
import { ERROR_CODES } from '../domain/errors.ts'
import { looksLikeApiKey } from '../infra/crypto/api-key.ts'
import { extractClientKey, KEY_CONFLICT } from './extract-client-key.ts'
import type { KeyPrincipal, TokenCache } from './token-cache.ts'
import type { ChannelRuntime, RoutingSnapshot } from './routing-snapshot.ts'
import type { UpstreamDispatchers } from './upstream-dispatchers.ts'
import type { ChannelHealth } from './channel-health.ts'
import { buildUpstreamHeaders, buildUpstreamPath } from './build-upstream-request.ts'
import { isFreeEndpoint, type Surface } from './surfaces.ts'
import { relayResponse, type RelayOutcome } from './relay-response.ts'
import { scrubJson, scrubText } from './sanitize-upstream-error.ts'
import { settleUsage, type Settlement } from './settle-usage.ts'

export interface PricingPort {
  cost(
    model: string,
    groupId: string | null,
    usage: Usage,
    multiplier: number,
  ): { costNano: bigint; priced: boolean }
}

/** What happened to one proxied request, for the audit log and metrics. */
export interface ProxyOutcome {
  requestId: string
  surface: Surface
  clientPath: string
  method: string
  requestHeaders: IncomingHttpHeaders
  requestBody: Buffer
  principal: KeyPrincipal | null
  clientKey: string | null
  channel: ChannelRuntime | null
  upstreamUrl: string | null
  status: number
  errorCode: string | null
  responseBody: string
  settlement: Settlement | null
  startedAt: number
  durationMs: number
}

export interface ProxyDeps {
  db: Kysely<Database>
  clock: Clock
  logger: Logger
  snapshot: RoutingSnapshot
  tokens: TokenCache
  dispatchers: UpstreamDispatchers
  health: ChannelHealth
  pricing: PricingPort
  maxAttempts: number
  keepAuditBodies: boolean
  onFinished?: (outcome: ProxyOutcome) => void
  random?: () => number
}

export interface ProxyRequest {
  surface: Surface
  method: string
  /** Raw request-target, for the audit record (the key query parameter is redacted there). */
  url: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: Buffer
  /** Gemini: the model comes from the path. */
  pathModel?: string
  res: ServerResponse
}

class ProxyError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number = ERROR_CODES[code],
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

const MODEL_RE = /^[\p{L}\p{N}._:/@+-]{1,200}$/u

const RETRYABLE_CONNECT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ECONNRESET_BEFORE_SEND',
])

function sendError(
  res: ServerResponse,
  protocol: Provider,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end()
    return
  }
  const body = JSON.stringify(formatClientError(protocol, status, code, message))
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  })
  res.end(body)
}

function readModel(req: ProxyRequest, json: Record<string, unknown> | null): string {
  if (req.surface.protocol === 'gemini') return req.pathModel ?? ''
  if (req.surface.body === 'multipart') {
    // Multipart audio uploads: the model is a form field; look for it near the start without parsing files.
    const head = req.body.subarray(0, 64 * 1024).toString('latin1')
    const m = /name="model"\r\n\r\n([^\r\n]{1,200})\r\n/.exec(head)
    return m ? m[1] : ''
  }
  return typeof json?.model === 'string' ? json.model : ''
}

function parseJsonBody(req: ProxyRequest): Record<string, unknown> | null {
  if (req.surface.body !== 'json') return null
  if (req.body.length === 0) throw new ProxyError('bad_request', 'Request body is required')
  let parsed: unknown
  try {
    parsed = JSON.parse(req.body.toString('utf8'))
  } catch {
    throw new ProxyError('invalid_json', 'Request body is not valid JSON')
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ProxyError('bad_request', 'Request body must be a JSON object')
  return parsed as Record<string, unknown>
}

function isStreaming(req: ProxyRequest, json: Record<string, unknown> | null): boolean {
  if (req.surface.protocol === 'gemini') return req.surface.endpoint === 'streamGenerateContent'
  return json?.stream === true
}

function stickyKeyOf(headers: IncomingHttpHeaders, json: Record<string, unknown> | null): string | undefined {
  if (typeof json?.prompt_cache_key === 'string') return json.prompt_cache_key
  const meta = json?.metadata as Record<string, unknown> | undefined
  if (meta && typeof meta.user_id === 'string') return meta.user_id
  for (const h of ['session-id', 'x-session-id', 'x-session-affinity']) {
    const v = headers[h]
    if (typeof v === 'string' && v) return v
  }
  return undefined
}

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

async function routeFor(
  deps: ProxyDeps,
  principal: KeyPrincipal,
  model: string,
  protocol: Provider,
  sticky: string | undefined,
  now: number,
) {
  const snap = await deps.snapshot.get(now)
  let groups
  if (principal.groupId) {
    const g = snap.groups.get(principal.groupId)
    groups = g ? [g] : []
  } else {
    const member = principal.username
      ? await deps.snapshot.memberGroups(principal.username, now)
      : new Set<string>()
    groups = snap.groupOrder.filter((g) => g.allVisible || member.has(g.id))
  }
  const candidates = selectChannels({
    model,
    protocols: new Set([protocol]),
    groups,
    channels: snap.channels,
    allowGlobalFallback: principal.role === 'superadmin' && !principal.groupId,
    stickyKey: sticky,
    now,
    random: deps.random ?? Math.random,
  })
  return candidates
}

/** The body for one candidate: the mapped model name, and the usage request for OpenAI streams. */
function bodyFor(
  req: ProxyRequest,
  json: Record<string, unknown> | null,
  model: string,
  cand: RouteCandidate,
): { body: Buffer; stripUsage: boolean } {
  if (!json || req.surface.protocol === 'gemini') return { body: req.body, stripUsage: false }
  let out: Record<string, unknown> | null = null
  let stripUsage = false
  if (req.surface.injectsUsage && cand.channel.provider === 'openai') {
    const injected = ensureIncludeUsage(json)
    if (injected) {
      out = injected
      stripUsage = true
    }
  }
  if (cand.upstreamModel !== model) out = { ...(out ?? json), model: cand.upstreamModel }
  return out ? { body: Buffer.from(JSON.stringify(out)), stripUsage } : { body: req.body, stripUsage: false }
}

function estimateUsage(promptBytes: number, outputChars: number): Usage {
  return {
    ...createEmptyUsage(),
    inputTokens: Math.ceil(promptBytes / 4),
    outputTokens: Math.ceil(outputChars / 4),
    reported: false,
  }
}

export async function handleProxyRequest(deps: ProxyDeps, req: ProxyRequest): Promise<void> {
  const requestId = randomUUID()
  const startedAt = deps.clock.now()
  const t0 = performance.now()
  const res = req.res
  res.setHeader('x-request-id', requestId)
  const outcome: ProxyOutcome = {
    requestId,
    surface: req.surface,
    clientPath: req.url,
    method: req.method,
    requestHeaders: req.headers,
    requestBody: req.body,
    principal: null,
    clientKey: null,
    channel: null,
    upstreamUrl: null,
    status: 0,
    errorCode: null,
    responseBody: '',
    settlement: null,
    startedAt,
    durationMs: 0,
  }
  const protocol = req.surface.protocol
  const clientCloseHandlers: (() => void)[] = []
  const abort = new AbortController()
  res.on('close', () => {
    if (!res.writableFinished) {
      abort.abort()
      for (const fn of clientCloseHandlers) fn()
    }
  })

  try {
    const { principal, key } = await authenticate(deps, req, startedAt)
    outcome.principal = principal
    outcome.clientKey = key
    const json = parseJsonBody(req)
    const model = readModel(req, json)
    if (!model) throw new ProxyError('bad_request', 'A model is required')
    if (!MODEL_RE.test(model) || model.includes('..') || model.startsWith('/'))
      throw new ProxyError('bad_request', 'Invalid model name')
    if (principal.allowedModels && !principal.allowedModels.has(model)) {
      throw new ProxyError('model_not_allowed', `This API key may not use model ${model}`)
    }
    const stream = isStreaming(req, json)
    const candidates = await routeFor(
      deps,
      principal,
      model,
      protocol,
      stickyKeyOf(req.headers, json),
      startedAt,
    )
    if (candidates.length === 0)
      throw new ProxyError('model_not_found', `No channel available for model ${model}`)

    const attempts = candidates.slice(0, Math.max(1, deps.maxAttempts))
    let lastFailure: {
      status: number
      code: ErrorCode
      message: string
      headers: Record<string, string>
    } | null = null
    for (let i = 0; i < attempts.length; i++) {
      const cand = attempts[i]
      const ch = cand.channel as ChannelRuntime
      const isLast = i === attempts.length - 1
      const { body, stripUsage } = bodyFor(req, json, model, cand)
      const path = buildUpstreamPath(ch, req.surface, cand.upstreamModel, req.query, stream)
      outcome.channel = ch
      outcome.upstreamUrl = new URL(ch.baseUrl).origin + path.split('?')[0]
      let upstream: Dispatcher.ResponseData
      try {
        upstream = await deps.dispatchers.get(ch).request({
          origin: new URL(ch.baseUrl).origin,
          path,
          method: 'POST',
          headers: buildUpstreamHeaders(req.headers, ch, body.length),
          body,
          signal: abort.signal,
          headersTimeout: ch.firstByteTimeoutMs ?? 600_000,
          bodyTimeout: ch.idleTimeoutMs ?? 300_000,
        })
      } catch (err) {
        if (abort.signal.aborted) {
          outcome.status = 499
          outcome.errorCode = 'client_closed'
          return
        }
        const code = (err as { code?: string }).code ?? ''
        if (code === 'UND_ERR_HEADERS_TIMEOUT') {
          // The provider may already be generating (and billing): never retried (SPEC §5.1).
          deps.health.failure(ch, deps.clock.now(), 'first byte timeout')
          throw new ProxyError('upstream_timeout', 'The upstream did not answer in time')
        }
        deps.health.failure(ch, deps.clock.now(), `connection error ${code}`)
        if (RETRYABLE_CONNECT.has(code) && !isLast) continue
        throw new ProxyError('upstream_error', 'Could not reach the upstream provider')
      }

      const status = upstream.statusCode
      if (
        status === 401 ||
        status === 403 ||
        status === 429 ||
        status >= 500 ||
        (status >= 300 && status < 400)
      ) {
        const text = await upstream.body.text().catch(() => '')
        deps.health.failure(ch, deps.clock.now(), `upstream ${status}`)
        if (status === 401 || status === 403 || (status >= 300 && status < 400)) {
          // The channel's key or address is at fault, never the client's (SPEC §5.1).
          lastFailure = {
            status: 502,
            code: 'upstream_error',
            message: 'The upstream provider rejected the gateway; the channel needs attention',
            headers: {},
          }
        } else {
          const retryAfter = upstream.headers['retry-after']
          lastFailure = {
            status,
            code: status === 429 ? 'rate_limited' : 'upstream_error',
            message: upstreamMessage(text, ch.apiKey) ?? `The upstream provider answered ${status}`,
            headers: status === 429 && typeof retryAfter === 'string' ? { 'retry-after': retryAfter } : {},
          }
        }
        if (!isLast) continue
        throw new ProxyError(lastFailure.code, lastFailure.message, lastFailure.status, lastFailure.headers)
      }
      if (status >= 400) {
        // The client's own mistake (400, 404, 413, 422): the provider's answer, scrubbed, with its real status.
        const text = await upstream.body.text().catch(() => '')
        outcome.status = status
        outcome.errorCode = 'upstream_client_error'
        outcome.responseBody = text.slice(0, 64 * 1024)
        sendUpstreamClientError(res, protocol, status, text, ch.apiKey)
        await settle(
          deps,
          outcome,
          cand,
          model,
          stream,
          createEmptyUsage(),
          'none',
          null,
          'upstream_client_error',
          t0,
          req.body.length,
        )
        return
      }

      deps.health.success(ch)
      const relayed = await relayResponse({
        upstream,
        res,
        surface: req.surface,
        stripUsageChunk: stripUsage,
        startedAt: t0,
        now: () => performance.now(),
        keepAuditText: deps.keepAuditBodies,
        onClientClose: (fn) => clientCloseHandlers.push(fn),
      })
      outcome.status = relayed.clientAborted ? 499 : status
      outcome.responseBody = relayed.bodyText
      outcome.errorCode = relayed.clientAborted ? 'client_closed' : relayed.upstreamFailed
      const { usage, source } = meteredUsage(relayed, req.body.length)
      await settle(
        deps,
        outcome,
        cand,
        model,
        stream,
        usage,
        source,
        relayed.ttftMs,
        outcome.errorCode,
        t0,
        req.body.length,
      )
      return
    }
  } catch (err) {
    if (err instanceof ProxyError) {
      outcome.status = err.status
      outcome.errorCode = err.code
      sendError(res, protocol, err.status, err.code, err.message, err.headers)
    } else {
      deps.logger.error({ err, requestId }, 'proxy request failed')
      outcome.status = 500
      outcome.errorCode = 'internal_error'
      sendError(res, protocol, 500, 'internal_error', 'Internal gateway error')
    }
  } finally {
    outcome.durationMs = performance.now() - t0
    deps.onFinished?.(outcome)
  }
}

function meteredUsage(
  r: RelayOutcome,
  promptBytes: number,
): { usage: Usage; source: Settlement['usageSource'] } {
  const partial = r.clientAborted || r.upstreamFailed !== null
  if (r.usage?.reported) {
    // A cut stream may carry only message_start usage: never bill less output than was seen.
    if (partial && r.stream) {
      const seen = Math.ceil(r.stream.outputChars / 4)
      return { usage: { ...r.usage, outputTokens: Math.max(r.usage.outputTokens, seen) }, source: 'partial' }
    }
    return { usage: r.usage, source: 'reported' }
  }
  const est = estimateUsage(promptBytes, r.stream?.outputChars ?? 0)
  return { usage: est, source: partial ? 'partial' : 'estimated' }
}

function upstreamMessage(text: string, channelKey: string): string | null {
  try {
    const j = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown }
    const m =
      typeof j.error === 'object' ? j.error?.message : typeof j.error === 'string' ? j.error : j.message
    return typeof m === 'string' ? scrubText(m, [channelKey]).slice(0, 500) : null
  } catch {
    return null
  }
}

function sendUpstreamClientError(
  res: ServerResponse,
  protocol: Provider,
  status: number,
  text: string,
  channelKey: string,
): void {
  let body: string
  try {
    body = JSON.stringify(scrubJson(JSON.parse(text), [channelKey]))
  } catch {
    body = JSON.stringify(
      formatClientError(protocol, status, 'upstream_error', `The upstream provider answered ${status}`),
    )
  }
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

async function settle(
  deps: ProxyDeps,
  outcome: ProxyOutcome,
  cand: RouteCandidate,
  model: string,
  stream: boolean,
  usage: Usage,
  source: Settlement['usageSource'],
  ttftMs: number | null,
  errorCode: string | null,
  t0: number,
  _promptBytes: number,
): Promise<void> {
  const p = outcome.principal!
  const multiplier = cand.group?.multiplier ?? 1
  const free = isFreeEndpoint(outcome.surface)
  const priced = free
    ? { costNano: 0n, priced: true }
    : deps.pricing.cost(model, cand.group?.id ?? null, usage, multiplier)
  const s: Settlement = {
    requestId: outcome.requestId,
    tokenId: p.tokenId,
    username: p.username,
    channelId: cand.channel.id,
    groupId: cand.group?.id ?? null,
    protocol: outcome.surface.protocol,
    endpoint: outcome.surface.endpoint,
    model,
    upstreamModel: cand.upstreamModel,
    usage,
    usageSource: source,
    status: outcome.status,
    errorCode,
    isStream: stream,
    durationMs: performance.now() - t0,
    ttftMs,
    costNano: priced.costNano,
    coveredByPackage: false,
    createdAt: outcome.startedAt,
  }
  outcome.settlement = s
  try {
    await settleUsage(deps.db, s)
  } catch (err) {
    deps.logger.error({ err, requestId: outcome.requestId }, 'settlement failed')
  }
}
