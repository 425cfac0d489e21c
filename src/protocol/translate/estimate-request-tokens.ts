import type { IPart, IRequest } from './internal-model.ts'

/**
 * A local estimate of a request's prompt tokens, for counting on a channel whose provider has no counting endpoint
 * (docs/translation.md › Token counting): one token per 4 characters of text — instructions, messages, tool
 * definitions, tool calls and results, visible thinking — and a flat MEDIA_PART_TOKENS per image, document or
 * audio part. A rough figure, answered with `x-gateway-token-count: estimate`.
 */
export const CHARS_PER_TOKEN = 4
export const MEDIA_PART_TOKENS = 1_000

export function estimateRequestTokens(req: IRequest): number {
  let chars = 0
  let media = 0
  const part = (p: IPart): void => {
    switch (p.type) {
      case 'text':
      case 'refusal':
      case 'thinking':
        chars += p.text.length
        break
      case 'tool_call':
        chars += p.name.length + p.arguments.length
        break
      case 'tool_result':
        if (typeof p.content === 'string') chars += p.content.length
        else p.content.forEach(part)
        break
      case 'image':
      case 'document':
      case 'audio':
        media++
    }
  }
  for (const s of req.system) chars += s.text.length
  for (const m of req.messages) m.parts.forEach(part)
  for (const t of req.tools ?? [])
    chars += t.name.length + (t.description?.length ?? 0) + JSON.stringify(t.parameters).length
  return Math.ceil(chars / CHARS_PER_TOKEN) + media * MEDIA_PART_TOKENS
}
