import { describe, expect, it } from 'vitest'
import { buildChatRequest, errorFromBody, guessProtocol, readStreamEvent, snippet } from './chat.ts'

const opts = {
  model: 'm',
  messages: [{ role: 'user' as const, content: 'hi' }],
  system: 'sys',
  maxTokens: 10,
}

describe('buildChatRequest', () => {
  it('builds an OpenAI streaming request that asks for usage', () => {
    const r = buildChatRequest('openai', 'sk-1', opts)
    expect(r.url).toBe('/v1/chat/completions')
    expect(r.headers.Authorization).toBe('Bearer sk-1')
    expect(r.body).toMatchObject({ stream: true, stream_options: { include_usage: true }, max_tokens: 10 })
    expect(r.body.messages).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'hi' },
    ])
  })
  it('builds an Anthropic request with the system prompt apart', () => {
    const r = buildChatRequest('anthropic', 'sk-1', opts)
    expect(r.url).toBe('/v1/messages')
    expect(r.headers['x-api-key']).toBe('sk-1')
    expect(r.headers['anthropic-version']).toBe('2023-06-01')
    expect(r.body).toMatchObject({ system: 'sys', max_tokens: 10, stream: true })
  })
  it('builds a Gemini SSE request', () => {
    const r = buildChatRequest('gemini', 'sk-1', {
      ...opts,
      messages: [...opts.messages, { role: 'assistant', content: 'yo' }],
    })
    expect(r.url).toBe('/v1beta/models/m:streamGenerateContent?alt=sse')
    expect(r.headers['x-goog-api-key']).toBe('sk-1')
    expect(r.body.contents).toEqual([
      { role: 'user', parts: [{ text: 'hi' }] },
      { role: 'model', parts: [{ text: 'yo' }] },
    ])
    expect(r.body.systemInstruction).toEqual({ parts: [{ text: 'sys' }] })
  })
})

describe('readStreamEvent', () => {
  it('reads deltas and errors of each protocol', () => {
    expect(readStreamEvent('openai', { data: '{"choices":[{"delta":{"content":"a"}}]}' })).toEqual({
      text: 'a',
    })
    expect(readStreamEvent('openai', { data: '[DONE]' })).toEqual({ done: true })
    expect(readStreamEvent('openai', { data: '{"error":{"message":"boom"}}' })).toEqual({ error: 'boom' })
    expect(
      readStreamEvent('anthropic', {
        event: 'content_block_delta',
        data: '{"type":"content_block_delta","delta":{"type":"text_delta","text":"b"}}',
      }),
    ).toEqual({ text: 'b' })
    expect(
      readStreamEvent('anthropic', {
        event: 'error',
        data: '{"type":"error","error":{"type":"overloaded_error","message":"busy"}}',
      }),
    ).toEqual({ error: 'busy' })
    expect(
      readStreamEvent('gemini', {
        data: '{"candidates":[{"content":{"parts":[{"text":"t","thought":true},{"text":"c"}]}}]}',
      }),
    ).toEqual({ text: 'c', reasoning: 't' })
    expect(
      readStreamEvent('gemini', {
        data: '{"error":{"code":429,"message":"slow down","status":"RESOURCE_EXHAUSTED"}}',
      }),
    ).toEqual({ error: 'slow down' })
  })
})

describe('helpers', () => {
  it('extracts error messages from any protocol body', () => {
    expect(errorFromBody('{"error":{"message":"API key is frozen"}}', 401)).toBe('API key is frozen')
    expect(errorFromBody('{"type":"error","error":{"type":"x","message":"m"}}', 400)).toBe('m')
    expect(errorFromBody('<html>bad gateway</html>', 502)).toBe('HTTP 502')
  })
  it('guesses the protocol from owner or name', () => {
    expect(guessProtocol('anthropic', 'x')).toBe('anthropic')
    expect(guessProtocol(undefined, 'gemini-2.5-pro')).toBe('gemini')
    expect(guessProtocol('openai', 'claude')).toBe('openai')
  })
  it('renders snippets with the origin and model', () => {
    expect(snippet('curl', 'openai', 'https://gw', 'sk-k', 'm', "it's")).toContain(
      'https://gw/v1/chat/completions',
    )
    expect(snippet('python', 'anthropic', 'https://gw', 'sk-k', 'm', 'p')).toContain('base_url="https://gw"')
    expect(snippet('node', 'gemini', 'https://gw', 'sk-k', 'm', 'p')).toContain('baseUrl: "https://gw"')
  })
})
