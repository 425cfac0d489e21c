import type { ProviderAdapter, ProviderId } from './provider-adapter.ts'
import { openaiAdapter } from './openai/openai-adapter.ts'
import { anthropicAdapter } from './anthropic/anthropic-adapter.ts'
import { geminiAdapter } from './gemini/gemini-adapter.ts'

const adapters: Record<ProviderId, ProviderAdapter> = {
  openai: openaiAdapter,
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
}

export function adapterFor(provider: ProviderId): ProviderAdapter {
  return adapters[provider]
}
