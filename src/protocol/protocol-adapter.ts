import type { Surface } from './surface.ts'
import type { ProtocolId } from './protocol-id.ts'

export { PROTOCOL_IDS, type ProtocolId } from './protocol-id.ts'

/** A model as a protocol's model list names it, with the protocol of the channel that serves it. */
export interface ListedModel {
  id: string
  provider: ProtocolId
}

/** Where a protocol's output limits sit in a request body: each a path of keys, the first usable one wins. */
export interface OutputLimitFields {
  maxTokens: readonly (readonly string[])[]
  choices: readonly (readonly string[])[]
}

/**
 * Everything the gateway knows about one wire protocol, as pure data and functions: its client-facing surfaces,
 * how a request names its model and asks to stream, the upstream path and auth headers, the error envelope and
 * the model-list shape. One object per protocol (`protocols[id]`), so the proxy, the services and the HTTP edge
 * never branch on a protocol's name. No IO: probes and model-list fetches live in services/channels and call
 * these builders. Translation between protocols (a decoder and an encoder per protocol) belongs beside these
 * objects, in the same folders.
 */
export interface ProtocolAdapter {
  id: ProtocolId
  /** The protocol's name in messages to clients, e.g. `Unknown Gemini method`. */
  displayName: string
  /** Client-facing endpoints by their name, e.g. `chat/completions`, `messages`, `generateContent`. */
  surfaces: Readonly<Record<string, Surface>>
  /**
   * Where the surfaces are served: `exact` paths `prefix + endpoint`, or `model-action` paths
   * `prefix + model:endpoint` (the model is in the path, not the body).
   */
  paths: { prefix: string; style: 'exact' | 'model-action' }
  /** The surface whose error envelope answers a request no surface matched (an unknown action, a model list). */
  defaultSurface: Surface
  /** The model a request names: a body field, or the path's model for `model-action` protocols. */
  readModel(json: Record<string, unknown> | null, pathModel: string | undefined): string
  isStreaming(surface: Surface, json: Record<string, unknown> | null): boolean
  outputLimitFields: OutputLimitFields
  /**
   * As an upstream: rewrites a streamed request so the answer carries its usage; undefined when it already does (or
   * the request does not stream). Absent when the protocol always reports usage.
   */
  requestStreamUsage?: (json: Record<string, unknown>) => Record<string, unknown> | undefined
  /** The upstream path below the channel's base path, and the query a streamed answer needs. */
  upstreamPath(surface: Surface, upstreamModel: string): string
  streamQuery: Readonly<Record<string, string>>
  /** Headers carrying the channel's key (and any header the provider requires). */
  authHeaders(apiKey: string): Record<string, string>
  /** Of `authHeaders`, those a client's own value replaces (a version header, never a credential). */
  clientOverridable: readonly string[]
  modelsUrl(baseUrl: string): string
  parseModelList(json: unknown): string[]
  /**
   * An error answer that says the channel's own key is bad although its status is not 401/403 (Gemini answers a
   * bad key with 400 `API_KEY_INVALID`): a channel fault to fail over from, never the client's mistake.
   */
  rejectsChannelKey?: (status: number, body: string) => boolean
  /** The status this protocol's clients know as "overloaded, retry later" (Anthropic 529); 503 when absent. */
  overloadedStatus?: number
  /** A minimal, cheap request used by "test channel". */
  probeRequest(baseUrl: string, model: string): { url: string; body: unknown }
  /** The gateway's model list in this protocol's shape (a protocol may list only its own providers' models). */
  listModels(models: readonly ListedModel[]): unknown
  /** The JSON error body; `code` is the gateway's stable error code where the envelope has room for it. */
  errorBody(status: number, code: string, message: string): unknown
  /** The terminal SSE event that reports a mid-stream failure. */
  streamError(status: number, code: string, message: string): string
}

export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '')
}

export function idsFrom(list: unknown): string[] {
  if (!Array.isArray(list)) return []
  const out: string[] = []
  for (const item of list) {
    const id =
      typeof item === 'string'
        ? item
        : item && typeof item === 'object'
          ? ((item as { id?: unknown; name?: unknown }).id ?? (item as { name?: unknown }).name)
          : undefined
    if (typeof id === 'string' && id) out.push(id.replace(/^models\//, ''))
  }
  return out
}

/** OpenAI and Anthropic requests name their model in the body's `model` and ask to stream with `stream: true`. */
export const jsonBodyRequest: Pick<ProtocolAdapter, 'readModel' | 'isStreaming'> = {
  readModel: (json) => (typeof json?.model === 'string' ? json.model : ''),
  isStreaming: (_surface, json) => json?.stream === true,
}
