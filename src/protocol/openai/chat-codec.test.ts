import { describe, expect, it } from 'vitest'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import { openaiChatCodec } from './chat-codec.ts'

describe('openaiChatCodec', () => {
  it('is the openai-chat dialect and translates a request end to end through its own encoder', () => {
    expect(openaiChatCodec.dialect).toBe('openai-chat')
    const req = openaiChatCodec.decodeRequest({
      model: 'a',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 5,
    })
    expect(openaiChatCodec.encodeRequest(req, { upstreamModel: 'b', defaultMaxOutputTokens: 100 })).toEqual({
      model: 'b',
      messages: [{ role: 'user', content: 'hi' }],
      max_completion_tokens: 5,
      stream: false,
    })
  })

  it('refuses through TranslationRefusal naming the field', () => {
    expect(() => openaiChatCodec.decodeRequest({ model: 'a', messages: [], logprobs: true })).toThrow(
      TranslationRefusal,
    )
  })
})
