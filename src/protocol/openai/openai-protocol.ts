import { idsFrom, joinUrl, type ProviderAdapter } from '../provider-adapter.ts'

export const openaiAdapter: ProviderAdapter = {
  id: 'openai',
  authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
  modelsUrl: (base) => joinUrl(base, 'models'),
  parseModelList: (json) => idsFrom((json as { data?: unknown })?.data),
  probeRequest: (base, model) => ({
    url: joinUrl(base, 'chat/completions'),
    body: { model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 },
  }),
}
