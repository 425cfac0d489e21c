import type { ThinkingOrigin } from '../translate/internal-model.ts'

/**
 * A Responses client carries another provider's thinking replay token (an Anthropic signature or
 * `redacted_thinking` data, a Gemini thought signature) in a reasoning item's `encrypted_content`, tagged with its
 * origin so the next turn gives it back to that provider unchanged (translation-map §2.2). OpenAI's own
 * encrypted content is never tagged.
 */
const PREFIX = 'anygw:v1:'

export interface TaggedReplay {
  origin: ThinkingOrigin
  signature?: string
  redacted?: string
}

export function tagEncryptedContent(r: TaggedReplay): string | undefined {
  if (r.origin === 'openai') return r.signature
  if (r.redacted !== undefined) return `${PREFIX}${r.origin}-redacted:${r.redacted}`
  if (r.signature !== undefined) return `${PREFIX}${r.origin}:${r.signature}`
  return undefined
}

export function untagEncryptedContent(content: string | undefined): TaggedReplay {
  if (content === undefined || !content.startsWith(PREFIX)) return { origin: 'openai', signature: content }
  const rest = content.slice(PREFIX.length)
  const colon = rest.indexOf(':')
  const tag = rest.slice(0, colon)
  const value = rest.slice(colon + 1)
  const redacted = tag.endsWith('-redacted')
  const origin = (redacted ? tag.slice(0, -'-redacted'.length) : tag) as ThinkingOrigin
  if (colon < 0 || (origin !== 'anthropic' && origin !== 'gemini'))
    return { origin: 'openai', signature: content }
  return redacted ? { origin, redacted: value } : { origin, signature: value }
}
