import { describe, expect, it } from 'vitest'
import { defineSurface } from '../surface.ts'
import { OPENAI_SURFACES } from '../openai/openai-protocol.ts'
import { ANTHROPIC_SURFACES } from '../anthropic/anthropic-protocol.ts'
import { GEMINI_SURFACES } from '../gemini/gemini-protocol.ts'
import { CODECS } from './codecs.ts'
import { countDialectOfSurface, dialectOfSurface, upstreamEndpointOf } from './surface-dialect.ts'
import { servingProtocols, upstreamDialectFor } from './upstream-dialect.ts'

describe('the dialect of a client surface', () => {
  it('names the four translatable surfaces and leaves every other one own-protocol', () => {
    expect(dialectOfSurface(OPENAI_SURFACES['chat/completions'])).toBe('openai-chat')
    expect(dialectOfSurface(OPENAI_SURFACES.responses)).toBe('openai-responses')
    expect(dialectOfSurface(ANTHROPIC_SURFACES.messages)).toBe('anthropic-messages')
    expect(dialectOfSurface(GEMINI_SURFACES.generateContent)).toBe('gemini-generate')
    expect(dialectOfSurface(GEMINI_SURFACES.streamGenerateContent)).toBe('gemini-generate')
    for (const s of [
      OPENAI_SURFACES.embeddings,
      OPENAI_SURFACES['images/generations'],
      GEMINI_SURFACES.embedContent,
    ])
      expect(dialectOfSurface(s)).toBeNull()
    expect(dialectOfSurface(defineSurface('openai', 'moderations'))).toBeNull()
  })

  it('reads token counts separately', () => {
    expect(dialectOfSurface(ANTHROPIC_SURFACES['messages/count_tokens'])).toBeNull()
    expect(countDialectOfSurface(ANTHROPIC_SURFACES['messages/count_tokens'])).toBe('anthropic-messages')
    expect(countDialectOfSurface(GEMINI_SURFACES.countTokens)).toBe('gemini-generate')
    expect(countDialectOfSurface(OPENAI_SURFACES['chat/completions'])).toBeNull()
  })

  it('sends a Gemini stream to streamGenerateContent and a plain call to generateContent', () => {
    expect(upstreamEndpointOf('gemini-generate', true)).toBe('streamGenerateContent')
    expect(upstreamEndpointOf('gemini-generate', false)).toBe('generateContent')
    expect(upstreamEndpointOf('openai-chat', true)).toBe('chat/completions')
    expect(upstreamEndpointOf('anthropic-messages', false)).toBe('messages')
  })
})

describe('upstreamDialectFor', () => {
  const openai = { provider: 'openai' as const, responsesApi: true }
  const chatOnly = { provider: 'openai' as const, responsesApi: false }
  const anthropic = { provider: 'anthropic' as const, responsesApi: true }
  const gemini = { provider: 'gemini' as const, responsesApi: true }

  it('passes the same protocol through (null)', () => {
    expect(upstreamDialectFor('openai-chat', openai)).toBeNull()
    expect(upstreamDialectFor('openai-chat', chatOnly)).toBeNull()
    expect(upstreamDialectFor('openai-responses', openai)).toBeNull()
    expect(upstreamDialectFor('anthropic-messages', anthropic)).toBeNull()
    expect(upstreamDialectFor('gemini-generate', gemini)).toBeNull()
  })

  it('translates Responses to chat for a server without /v1/responses, and other clients to the channel dialect', () => {
    expect(upstreamDialectFor('openai-responses', chatOnly)).toBe('openai-chat')
    expect(upstreamDialectFor('anthropic-messages', openai)).toBe('openai-chat')
    expect(upstreamDialectFor('gemini-generate', chatOnly)).toBe('openai-chat')
    expect(upstreamDialectFor('openai-chat', anthropic)).toBe('anthropic-messages')
    expect(upstreamDialectFor('openai-responses', anthropic)).toBe('anthropic-messages')
    expect(upstreamDialectFor('openai-chat', gemini)).toBe('gemini-generate')
    // The flag means nothing on other protocols' channels.
    expect(upstreamDialectFor('anthropic-messages', { ...anthropic, responsesApi: false })).toBeNull()
  })

  it('offers a client the protocols whose codecs exist at both ends, always its own', () => {
    const has = (d: string) => d in CODECS
    expect(servingProtocols('gemini-generate')).toContain('gemini')
    expect(servingProtocols('openai-chat').includes('anthropic')).toBe(
      has('openai-chat') && has('anthropic-messages'),
    )
    expect(servingProtocols('anthropic-messages').includes('gemini')).toBe(
      has('anthropic-messages') && has('gemini-generate'),
    )
  })
})
