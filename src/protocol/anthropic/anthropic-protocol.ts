import { idsFrom, joinUrl, type ProviderAdapter } from '../provider-adapter.ts'

export const ANTHROPIC_DEFAULT_VERSION = '2023-06-01'

export const anthropicAdapter: ProviderAdapter = {
  id: 'anthropic',
  authHeaders: (apiKey) => ({ 'x-api-key': apiKey, 'anthropic-version': ANTHROPIC_DEFAULT_VERSION }),
  modelsUrl: (base) => joinUrl(base, 'models'),
  parseModelList: (json) => idsFrom((json as { data?: unknown })?.data),
  probeRequest: (base, model) => ({
    url: joinUrl(base, 'messages'),
    body: { model, max_tokens: 1, messages: [{ role: 'user', content: 'ping' }] },
  }),
}
