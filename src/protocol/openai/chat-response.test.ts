import { describe, expect, it } from 'vitest'
import type { IResponse, JsonObject } from '../translate/internal-model.ts'
import { decodeChatResponse } from './chat-decode-response.ts'
import { encodeChatResponse } from './chat-encode-response.ts'

const ctx = { model: 'gpt-4.1', requestId: 'req-1', created: 1741569952, includeUsage: false }

const completion: JsonObject = {
  id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
  object: 'chat.completion',
  created: 1741569952,
  model: 'gpt-4.1',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: 'Checking the weather.',
        refusal: null,
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_b', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    },
  ],
  usage: {
    prompt_tokens: 120,
    completion_tokens: 40,
    total_tokens: 160,
    prompt_tokens_details: { cached_tokens: 100 },
    completion_tokens_details: { reasoning_tokens: 12 },
  },
}

const res = (extra: Partial<IResponse>): IResponse => ({
  id: 'msg_1',
  model: 'claude-x',
  parts: [],
  finish: 'stop',
  ...extra,
})

describe('chat responses', () => {
  it('decodes text, parallel tool calls with ids and argument strings, finish and usage', () => {
    expect(decodeChatResponse(completion)).toEqual({
      id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
      model: 'gpt-4.1',
      parts: [
        { type: 'text', text: 'Checking the weather.', path: 'choices[0].message.content' },
        {
          type: 'tool_call',
          id: 'call_a',
          name: 'weather',
          arguments: '{"city":"Paris"}',
          path: 'choices[0].message.tool_calls[0]',
        },
        {
          type: 'tool_call',
          id: 'call_b',
          name: 'weather',
          arguments: '{"city":"Rome"}',
          path: 'choices[0].message.tool_calls[1]',
        },
      ],
      finish: 'tool_calls',
      usage: { input: 120, cacheRead: 100, cacheWrite: 0, output: 40, reasoning: 12 },
    })
  })

  it('round trip: decode then encode gives the same completion', () => {
    expect(encodeChatResponse(decodeChatResponse(completion), ctx)).toEqual(completion)
  })

  it('round trip of a refusal and of a length-truncated answer', () => {
    const refusal = {
      ...completion,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: null, refusal: "I can't help with that." },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
    }
    expect(encodeChatResponse(decodeChatResponse(refusal), ctx)).toEqual(refusal)
    const length = {
      ...refusal,
      choices: [
        {
          ...refusal.choices[0],
          message: { role: 'assistant', content: 'Par', refusal: null },
          finish_reason: 'length',
        },
      ],
    }
    expect(encodeChatResponse(decodeChatResponse(length), ctx)).toEqual(length)
  })

  it('§8 #9: Anthropic usage reaches the chat client with cache reads and writes inside prompt_tokens, no reasoning', () => {
    // Anthropic input 10 + cache_read 900 + cache_creation 90, as its decoder builds IUsage.
    const out = encodeChatResponse(
      res({ usage: { input: 1000, cacheRead: 900, cacheWrite: 90, output: 25 } }),
      ctx,
    )
    expect(out.usage).toEqual({
      prompt_tokens: 1000,
      completion_tokens: 25,
      total_tokens: 1025,
      prompt_tokens_details: { cached_tokens: 900 },
    })
  })

  it('§8 #10: Gemini thoughts are in completion_tokens and reported as reasoning_tokens', () => {
    const out = encodeChatResponse(
      res({ usage: { input: 10, cacheRead: 0, cacheWrite: 0, output: 70, reasoning: 50 } }),
      ctx,
    )
    expect(out.usage).toMatchObject({
      completion_tokens: 70,
      completion_tokens_details: { reasoning_tokens: 50 },
    })
  })

  it('§8 #2: Anthropic thinking is dropped from the answer, never shown as content', () => {
    const out = encodeChatResponse(
      res({
        parts: [
          {
            type: 'thinking',
            text: 'private chain',
            signature: 'sig',
            origin: 'anthropic',
            path: 'content[0]',
          },
          { type: 'text', text: 'Answer.', path: 'content[1]' },
        ],
      }),
      ctx,
    )
    expect(JSON.stringify(out)).not.toContain('private chain')
    expect(out.choices).toEqual([
      {
        index: 0,
        message: { role: 'assistant', content: 'Answer.', refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ])
    expect(out).toMatchObject({
      id: 'msg_1',
      object: 'chat.completion',
      created: 1741569952,
      model: 'gpt-4.1',
    })
  })

  it('DeepSeek-style reasoning_content decodes as openai-origin thinking and is kept for chat clients', () => {
    const body = {
      ...completion,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hi', refusal: null, reasoning_content: 'greeting' },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
    }
    const decoded = decodeChatResponse(body)
    expect(decoded.parts[0]).toEqual({
      type: 'thinking',
      text: 'greeting',
      origin: 'openai',
      path: 'choices[0].message.reasoning_content',
    })
    expect(encodeChatResponse(decoded, ctx)).toEqual(body)
  })

  it.each<[IResponse['finish'], string]>([
    ['stop', 'stop'],
    ['stop_sequence', 'stop'],
    ['length', 'length'],
    ['tool_calls', 'tool_calls'],
    ['content_filter', 'content_filter'],
    ['refusal', 'content_filter'],
    // §8 #8: a malformed call (Gemini MALFORMED_FUNCTION_CALL) is a model failure, never content_filter.
    ['error', 'stop'],
    ['pause', 'stop'],
    ['other', 'stop'],
  ])('finish %s is finish_reason %s', (finish, reason) => {
    const out = encodeChatResponse(res({ finish }), ctx)
    expect((out.choices as JsonObject[])[0]?.finish_reason).toBe(reason)
  })

  it('an answer without an upstream id gets one from the request id', () => {
    expect(encodeChatResponse(res({ id: '' }), ctx).id).toBe('chatcmpl-req-1')
  })
})
