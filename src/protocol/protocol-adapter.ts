export type ProviderId = 'openai' | 'anthropic' | 'gemini'

/** The only place that knows a provider's URLs and auth. Adapters are data in, data out: no IO. */
export interface ProviderAdapter {
  id: ProviderId
  /** Headers carrying the channel's key (and any header the provider requires). */
  authHeaders(apiKey: string): Record<string, string>
  modelsUrl(baseUrl: string): string
  parseModelList(json: unknown): string[]
  /** A minimal, cheap request used by "test channel". */
  probeRequest(baseUrl: string, model: string): { url: string; body: unknown }
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
