import { idsFrom, joinUrl, jsonBodyRequest } from '../protocol-adapter.ts'
import type { ListedModel, ProtocolAdapter } from '../protocol-adapter.ts'
import { defineSurface, type Surface } from '../surface.ts'
import { extractAnthropicUsage } from './extract-anthropic-usage.ts'
import { formatAnthropicError, formatAnthropicStreamError } from './format-anthropic-error.ts'

export const ANTHROPIC_DEFAULT_VERSION = '2023-06-01'

export const ANTHROPIC_SURFACES: Readonly<Record<string, Surface>> = {
  messages: defineSurface('anthropic', 'messages', {
    streamKind: 'anthropic',
    extractUsage: extractAnthropicUsage,
  }),
  'messages/count_tokens': defineSurface('anthropic', 'messages/count_tokens', { free: true }),
}

/**
 * The Anthropic list, in its paginated shape: every reachable model, whichever protocol its channel speaks, since
 * a Messages request reaches them all through translation (docs/translation.md).
 */
export function listAnthropicModels(models: readonly ListedModel[]) {
  const data = models.map((m) => ({
    type: 'model',
    id: m.id,
    display_name: m.id,
    created_at: '1970-01-01T00:00:00Z',
  }))
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null }
}

export const anthropicProtocol: ProtocolAdapter = {
  id: 'anthropic',
  displayName: 'Anthropic',
  surfaces: ANTHROPIC_SURFACES,
  paths: { prefix: '/v1/', style: 'exact' },
  defaultSurface: ANTHROPIC_SURFACES.messages,
  ...jsonBodyRequest,
  outputLimitFields: { maxTokens: [['max_tokens']], choices: [] },
  overloadedStatus: 529,
  upstreamPath: (s) => s.endpoint,
  streamQuery: {},
  authHeaders: (apiKey) => ({ 'x-api-key': apiKey, 'anthropic-version': ANTHROPIC_DEFAULT_VERSION }),
  // The client's anthropic-version wins over the default; its credentials never do.
  clientOverridable: ['anthropic-version'],
  modelsUrl: (base) => joinUrl(base, 'models'),
  parseModelList: (json) => idsFrom((json as { data?: unknown })?.data),
  probeRequest: (base, model) => ({
    url: joinUrl(base, 'messages'),
    body: { model, max_tokens: 1, messages: [{ role: 'user', content: 'ping' }] },
  }),
  listModels: listAnthropicModels,
  errorBody: formatAnthropicError,
  streamError: formatAnthropicStreamError,
}
