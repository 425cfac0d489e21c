import { idsFrom, joinUrl, type ListedModel, type ProtocolAdapter } from '../protocol-adapter.ts'
import { defineSurface, type Surface } from '../surface.ts'
import { extractGeminiUsage } from './extract-gemini-usage.ts'
import { formatGeminiError, formatGeminiStreamError } from './format-gemini-error.ts'

const surface = (endpoint: string, over: Partial<Surface> = {}): Surface =>
  defineSurface('gemini', endpoint, { extractUsage: extractGeminiUsage, ...over })

/** Gemini names the model and the action in the path (`models/{model}:{action}`), never in the body. */
export const GEMINI_SURFACES: Readonly<Record<string, Surface>> = {
  generateContent: surface('generateContent'),
  streamGenerateContent: surface('streamGenerateContent', { streamKind: 'gemini' }),
  countTokens: surface('countTokens', { extractUsage: null, free: true }),
  embedContent: surface('embedContent'),
  batchEmbedContents: surface('batchEmbedContents'),
}

interface GeminiModel {
  name?: string
  supportedGenerationMethods?: string[]
}

/**
 * The Gemini list: every reachable model, whichever protocol its channel speaks (generateContent reaches them all
 * through translation, docs/translation.md), with the methods each kind supports. Another protocol's embedding
 * models are left out: embeddings are never translated.
 */
export function listGeminiModels(models: readonly ListedModel[]) {
  const reachable = models.filter((m) => m.provider === 'gemini' || !m.id.includes('embed'))
  return {
    models: reachable.map((m) => ({
      name: `models/${m.id}`,
      displayName: m.id,
      supportedGenerationMethods: m.id.includes('embed')
        ? ['embedContent', 'batchEmbedContents']
        : ['generateContent', 'countTokens'],
    })),
  }
}

export const geminiProtocol: ProtocolAdapter = {
  id: 'gemini',
  displayName: 'Gemini',
  surfaces: GEMINI_SURFACES,
  paths: { prefix: '/v1beta/models/', style: 'model-action' },
  defaultSurface: GEMINI_SURFACES.generateContent,
  readModel: (_json, pathModel) => pathModel ?? '',
  isStreaming: (s) => s.endpoint === 'streamGenerateContent',
  outputLimitFields: {
    maxTokens: [['generationConfig', 'maxOutputTokens']],
    choices: [['generationConfig', 'candidateCount']],
  },
  rejectsChannelKey: (status, body) => status === 400 && body.includes('API_KEY_INVALID'),
  upstreamPath: (s, model) => `models/${encodeURIComponent(model)}:${s.endpoint}`,
  streamQuery: { alt: 'sse' },
  authHeaders: (apiKey) => ({ 'x-goog-api-key': apiKey }),
  clientOverridable: [],
  modelsUrl: (base) => joinUrl(base, 'models?pageSize=1000'),
  parseModelList: (json) => {
    const models = (json as { models?: GeminiModel[] })?.models
    if (!Array.isArray(models)) return []
    // Only models that can generate (embedding-only models have their own methods and are kept too).
    return idsFrom(
      models.filter(
        (m) =>
          !m.supportedGenerationMethods ||
          m.supportedGenerationMethods.some((x) => x === 'generateContent' || x.startsWith('embed')),
      ),
    )
  },
  probeRequest: (base, model) => ({
    url: joinUrl(base, `models/${encodeURIComponent(model)}:generateContent`),
    body: {
      contents: [{ role: 'user', parts: [{ text: 'ping' }] }],
      generationConfig: { maxOutputTokens: 1 },
    },
  }),
  listModels: listGeminiModels,
  errorBody: formatGeminiError,
  streamError: formatGeminiStreamError,
}
