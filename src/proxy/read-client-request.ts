import type { IncomingHttpHeaders } from 'node:http'
import { readFormField } from '../protocol/multipart/read-form-field.ts'
import { protocols } from '../protocol/protocols.ts'
import type { RouteCandidate } from '../domain/routing/select-channels.ts'
import { AppError } from '../domain/errors.ts'
import type { ProxyRequest } from './proxy-types.ts'

const MODEL_RE = /^[\p{L}\p{N}._:/@+-]{1,200}$/u

/** The proxy reads only what it needs from a provider body; it never validates the rest (that is the provider's). */
export function parseJsonBody(req: ProxyRequest): Record<string, unknown> | null {
  if (req.surface.body !== 'json') return null
  if (req.body.length === 0) throw new AppError('bad_request', 'Request body is required')
  let parsed: unknown
  try {
    parsed = JSON.parse(req.body.toString('utf8'))
  } catch {
    throw new AppError('invalid_json', 'Request body is not valid JSON')
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AppError('bad_request', 'Request body must be a JSON object')
  }
  return parsed as Record<string, unknown>
}

/** The model, checked before it is used for routing, billing or a URL: the same value serves all three. */
export function readModel(req: ProxyRequest, json: Record<string, unknown> | null): string {
  // Multipart audio uploads: the model is the form field the provider will read, never bytes of a file.
  const model =
    req.surface.body === 'multipart'
      ? (readFormField(req.body, req.headers['content-type'], 'model') ?? '')
      : protocols[req.surface.protocol].readModel(json, req.pathModel)
  if (!model) throw new AppError('bad_request', 'A model is required')
  if (!MODEL_RE.test(model) || model.includes('..') || model.startsWith('/')) {
    throw new AppError('bad_request', 'Invalid model name')
  }
  return model
}

export function isStreaming(req: ProxyRequest, json: Record<string, unknown> | null): boolean {
  return protocols[req.surface.protocol].isStreaming(req.surface, json)
}

/** A session hint keeps a conversation on one channel so the provider's prompt cache keeps hitting. */
export function stickyKeyOf(
  headers: IncomingHttpHeaders,
  json: Record<string, unknown> | null,
): string | undefined {
  if (typeof json?.prompt_cache_key === 'string') return json.prompt_cache_key
  const meta = json?.metadata as Record<string, unknown> | undefined
  if (meta && typeof meta.user_id === 'string') return meta.user_id
  for (const h of ['session-id', 'x-session-id', 'x-session-affinity']) {
    const v = headers[h]
    if (typeof v === 'string' && v) return v
  }
  return undefined
}

/**
 * The body for one candidate: the mapped model name (unless the protocol names it in the path), and the usage
 * request for streams of an upstream protocol that only reports usage when asked (OpenAI's `include_usage`).
 */
export function bodyFor(
  req: ProxyRequest,
  json: Record<string, unknown> | null,
  model: string,
  cand: RouteCandidate,
): { body: Buffer; stripUsage: boolean } {
  const client = protocols[req.surface.protocol]
  if (!json || client.paths.style === 'model-action') return { body: req.body, stripUsage: false }
  let out: Record<string, unknown> | null = null
  let stripUsage = false
  const requestStreamUsage = protocols[cand.channel.provider].requestStreamUsage
  if (req.surface.injectsUsage && requestStreamUsage) {
    const injected = requestStreamUsage(json)
    if (injected) {
      out = injected
      stripUsage = true
    }
  }
  if (cand.upstreamModel !== model) out = { ...(out ?? json), model: cand.upstreamModel }
  return out ? { body: Buffer.from(serialize(out)), stripUsage } : { body: req.body, stripUsage: false }
}

/** JSON.parse reads any depth but JSON.stringify recurses: a body too deep to write again is the client's error. */
export function serialize(body: Record<string, unknown>): string {
  try {
    return JSON.stringify(body)
  } catch (err) {
    if (err instanceof RangeError) throw new AppError('bad_request', 'Request body is nested too deeply')
    throw err
  }
}
