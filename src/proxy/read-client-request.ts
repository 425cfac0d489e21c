import type { IncomingHttpHeaders } from 'node:http'
import { ensureIncludeUsage } from '../protocol/openai/ensure-include-usage.ts'
import { readFormField } from '../protocol/multipart/read-form-field.ts'
import type { RouteCandidate } from '../domain/routing/select-channels.ts'
import { ProxyError, type ProxyRequest } from './proxy-types.ts'

const MODEL_RE = /^[\p{L}\p{N}._:/@+-]{1,200}$/u

/** The proxy reads only what it needs from a provider body; it never validates the rest (that is the provider's). */
export function parseJsonBody(req: ProxyRequest): Record<string, unknown> | null {
  if (req.surface.body !== 'json') return null
  if (req.body.length === 0) throw new ProxyError('bad_request', 'Request body is required')
  let parsed: unknown
  try {
    parsed = JSON.parse(req.body.toString('utf8'))
  } catch {
    throw new ProxyError('invalid_json', 'Request body is not valid JSON')
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ProxyError('bad_request', 'Request body must be a JSON object')
  }
  return parsed as Record<string, unknown>
}

/** The model, checked before it is used for routing, billing or a URL: the same value serves all three. */
export function readModel(req: ProxyRequest, json: Record<string, unknown> | null): string {
  let model = ''
  if (req.surface.protocol === 'gemini') model = req.pathModel ?? ''
  else if (req.surface.body === 'multipart') {
    // Multipart audio uploads: the model is the form field the provider will read, never bytes of a file.
    model = readFormField(req.body, req.headers['content-type'], 'model') ?? ''
  } else if (typeof json?.model === 'string') model = json.model
  if (!model) throw new ProxyError('bad_request', 'A model is required')
  if (!MODEL_RE.test(model) || model.includes('..') || model.startsWith('/')) {
    throw new ProxyError('bad_request', 'Invalid model name')
  }
  return model
}

export function isStreaming(req: ProxyRequest, json: Record<string, unknown> | null): boolean {
  if (req.surface.protocol === 'gemini') return req.surface.endpoint === 'streamGenerateContent'
  return json?.stream === true
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

/** The body for one candidate: the mapped model name, and the usage request for OpenAI streams. */
export function bodyFor(
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
  return out ? { body: Buffer.from(serialize(out)), stripUsage } : { body: req.body, stripUsage: false }
}

/** JSON.parse reads any depth but JSON.stringify recurses: a body too deep to write again is the client's error. */
function serialize(body: Record<string, unknown>): string {
  try {
    return JSON.stringify(body)
  } catch (err) {
    if (err instanceof RangeError) throw new ProxyError('bad_request', 'Request body is nested too deeply')
    throw err
  }
}
