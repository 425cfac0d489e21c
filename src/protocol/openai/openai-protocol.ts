import { idsFrom, joinUrl, jsonBodyRequest } from '../protocol-adapter.ts'
import type { ListedModel, ProtocolAdapter } from '../protocol-adapter.ts'
import { defineSurface, type Surface } from '../surface.ts'
import { ensureIncludeUsage } from './ensure-include-usage.ts'
import { extractOpenAiUsage } from './extract-openai-usage.ts'
import { extractOpenAiResponsesUsage } from './extract-openai-responses-usage.ts'
import { formatOpenAiError, formatOpenAiStreamError } from './format-openai-error.ts'

const surface = (endpoint: string, over: Partial<Surface> = {}): Surface =>
  defineSurface('openai', endpoint, { extractUsage: extractOpenAiUsage, ...over })

export const OPENAI_SURFACES: Readonly<Record<string, Surface>> = {
  'chat/completions': surface('chat/completions', { streamKind: 'openai-chat', injectsUsage: true }),
  completions: surface('completions', { streamKind: 'openai-completions', injectsUsage: true }),
  embeddings: surface('embeddings'),
  responses: surface('responses', {
    streamKind: 'openai-responses',
    extractUsage: extractOpenAiResponsesUsage,
  }),
  'images/generations': surface('images/generations'),
  'audio/transcriptions': surface('audio/transcriptions', { body: 'multipart' }),
  'audio/translations': surface('audio/translations', { body: 'multipart' }),
  'audio/speech': surface('audio/speech', { extractUsage: null }),
  moderations: surface('moderations', { extractUsage: null, free: true }),
}

/** The OpenAI list: every reachable model, whichever provider serves it (`owned_by` names it). */
export function listOpenAiModels(models: readonly ListedModel[]) {
  return {
    object: 'list',
    data: models.map((m) => ({ id: m.id, object: 'model', created: 0, owned_by: m.provider })),
  }
}

export const openaiProtocol: ProtocolAdapter = {
  id: 'openai',
  displayName: 'OpenAI',
  surfaces: OPENAI_SURFACES,
  paths: { prefix: '/v1/', style: 'exact' },
  defaultSurface: OPENAI_SURFACES['chat/completions'],
  ...jsonBodyRequest,
  outputLimitFields: {
    maxTokens: [['max_tokens'], ['max_completion_tokens'], ['max_output_tokens']],
    choices: [['n']],
  },
  requestStreamUsage: ensureIncludeUsage,
  upstreamPath: (s) => s.endpoint,
  streamQuery: {},
  authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
  clientOverridable: [],
  modelsUrl: (base) => joinUrl(base, 'models'),
  parseModelList: (json) => idsFrom((json as { data?: unknown })?.data),
  probeRequest: (base, model) => ({
    url: joinUrl(base, 'chat/completions'),
    body: { model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 },
  }),
  listModels: listOpenAiModels,
  errorBody: formatOpenAiError,
  streamError: formatOpenAiStreamError,
}
