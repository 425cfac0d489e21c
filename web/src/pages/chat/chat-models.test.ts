import { describe, expect, it } from 'vitest'
import { isChatModel, maskedKey } from './chat-models.ts'

describe('playground models and keys', () => {
  it('offers chat models, not embedding, speech, image or moderation ones', () => {
    for (const id of ['gpt-4o-mini', 'claude-sonnet-4-5', 'gemini-2.5-flash', 'o3-mini', 'deepseek-chat'])
      expect(isChatModel(id)).toBe(true)
    for (const id of [
      'text-embedding-3-small',
      'gemini-embedding-001',
      'whisper-1',
      'tts-1',
      'gpt-4o-mini-tts',
      'dall-e-3',
      'omni-moderation-latest',
      'bge-reranker-v2',
    ])
      expect(isChatModel(id)).toBe(false)
  })
  it('shows the start and end of a key, never the key', () => {
    const key = 'sk-abcdefghijklmnopqrstuvwxyz0123456789'
    expect(maskedKey(key)).toBe('sk-ab…6789')
    expect(maskedKey(key)).not.toContain('klmnop')
    expect(maskedKey('')).toBe('sk-...')
  })
})
