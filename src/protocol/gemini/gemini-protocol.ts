import { idsFrom, joinUrl, type ProviderAdapter } from '../provider-adapter.ts'

interface GeminiModel {
  name?: string
  supportedGenerationMethods?: string[]
}

export const geminiAdapter: ProviderAdapter = {
  id: 'gemini',
  authHeaders: (apiKey) => ({ 'x-goog-api-key': apiKey }),
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
}
