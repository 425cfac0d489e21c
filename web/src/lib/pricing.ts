import type { PublicPrice } from '../api/types.ts'

export interface ModelPriceRow {
  model: string
  vendor: string
  context_length: number | null
  tiers: { above: number; prices: Partial<Record<string, number>> }[]
}

const VENDOR_NAMES: Record<string, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  google: 'Google',
  gemini: 'Google',
  deepseek: 'DeepSeek',
  qwen: 'Qwen',
  zhipu: 'Zhipu',
  doubao: 'Doubao',
  meta: 'Meta',
  mistral: 'Mistral',
  xai: 'xAI',
}

/** A vendor column value as shown (`openai` → `OpenAI`). */
export function displayVendor(v: string): string {
  const key = v.trim().toLowerCase()
  return VENDOR_NAMES[key] ?? v.trim().charAt(0).toUpperCase() + v.trim().slice(1)
}

/** The vendor from the `vendor` column, else guessed from the model name. */
export function guessVendor(model: string, vendor?: string | null): string {
  if (vendor && vendor.trim()) return displayVendor(vendor)
  const m = model.toLowerCase()
  if (m.includes('claude')) return 'Anthropic'
  if (m.includes('gemini') || m.includes('gemma')) return 'Google'
  if (
    /^(gpt|o1|o3|o4|chatgpt|text-embedding|dall-e|whisper|tts|davinci|babbage|omni)/.test(m) ||
    m.includes('gpt')
  )
    return 'OpenAI'
  if (m.includes('deepseek')) return 'DeepSeek'
  if (m.includes('qwen') || m.includes('qwq')) return 'Qwen'
  if (m.includes('glm')) return 'Zhipu'
  if (m.includes('doubao') || m.includes('skylark')) return 'Doubao'
  if (m.includes('llama')) return 'Meta'
  if (m.includes('mistral') || m.includes('mixtral') || m.includes('codestral')) return 'Mistral'
  if (m.includes('grok')) return 'xAI'
  return 'Other'
}

/** One row per model, with a price per unit for each long-context tier. */
export function pivotPrices(list: PublicPrice[]): ModelPriceRow[] {
  const byModel = new Map<string, ModelPriceRow>()
  for (const p of list) {
    let row = byModel.get(p.model_name)
    if (!row) {
      row = {
        model: p.model_name,
        vendor: guessVendor(p.model_name, p.vendor),
        context_length: p.context_length ?? null,
        tiers: [],
      }
      byModel.set(p.model_name, row)
    }
    if (p.vendor) row.vendor = displayVendor(p.vendor)
    if (p.context_length) row.context_length = p.context_length
    const above = p.above_input_tokens ?? 0
    let tier = row.tiers.find((x) => x.above === above)
    if (!tier) {
      tier = { above, prices: {} }
      row.tiers.push(tier)
      row.tiers.sort((a, b) => a.above - b.above)
    }
    tier.prices[p.unit] = p.price_per_unit
  }
  return [...byModel.values()].sort(
    (a, b) => a.vendor.localeCompare(b.vendor) || a.model.localeCompare(b.model),
  )
}
