import { describe, expect, it } from 'vitest'
import type { IResponse, JsonObject } from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import { anthropicMessagesCodec as codec } from './messages-codec.ts'

const ctx = { model: 'claude-sonnet-4-5', requestId: 'req_1', created: 1_700_000_000, includeUsage: false }

const answer: JsonObject = {
  id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5',
  content: [
    { type: 'thinking', thinking: 'Check the weather.', signature: 'EqQBCgIYAh' },
    { type: 'redacted_thinking', data: 'EmwKAhgB' },
    { type: 'text', text: 'I will look it up.' },
    {
      type: 'tool_use',
      id: 'toolu_01A09q90qw90lq917835lq9',
      name: 'get_weather',
      input: { location: 'Paris' },
    },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: {
    input_tokens: 20,
    cache_creation_input_tokens: 100,
    cache_read_input_tokens: 3000,
    output_tokens: 80,
  },
}

describe('Anthropic answers', () => {
  it('decodes content, tool calls with ids, thinking with signature, finish and usage (input = all prompt tokens)', () => {
    const res = codec.decodeResponse(answer)
    expect(res).toEqual({
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      model: 'claude-sonnet-4-5',
      parts: [
        {
          type: 'thinking',
          text: 'Check the weather.',
          signature: 'EqQBCgIYAh',
          origin: 'anthropic',
          path: 'content[0]',
        },
        { type: 'thinking', text: '', redacted: 'EmwKAhgB', origin: 'anthropic', path: 'content[1]' },
        { type: 'text', text: 'I will look it up.', path: 'content[2]' },
        {
          type: 'tool_call',
          id: 'toolu_01A09q90qw90lq917835lq9',
          name: 'get_weather',
          arguments: '{"location":"Paris"}',
          path: 'content[3]',
        },
      ],
      finish: 'tool_calls',
      usage: { input: 3120, cacheRead: 3000, cacheWrite: 100, output: 80 },
    })
  })

  it('round trip: decode then encode gives the same answer', () => {
    expect(codec.encodeResponse(codec.decodeResponse(answer), ctx)).toEqual(answer)
  })

  it.each([
    ['end_turn', 'stop'],
    ['max_tokens', 'length'],
    ['stop_sequence', 'stop_sequence'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'refusal'],
    ['pause_turn', 'pause'],
  ])('stop_reason %s ↔ %s', (wire, internal) => {
    const res = codec.decodeResponse({ ...answer, stop_reason: wire })
    expect(res.finish).toBe(internal)
    expect(codec.encodeResponse(res, ctx).stop_reason).toBe(wire)
  })

  it('keeps the stop sequence that ended the answer', () => {
    const res = codec.decodeResponse({ ...answer, stop_reason: 'stop_sequence', stop_sequence: '###' })
    expect(res.stopSequence).toBe('###')
    expect(codec.encodeResponse(res, ctx)).toMatchObject({
      stop_reason: 'stop_sequence',
      stop_sequence: '###',
    })
  })

  it('encodes an OpenAI answer: usage split into disjoint fields, id kept, content filter as refusal, no empty text', () => {
    const res: IResponse = {
      id: 'chatcmpl-abc',
      model: 'gpt-5',
      parts: [
        { type: 'text', text: '', path: 'choices[0].message.content' },
        {
          type: 'tool_call',
          id: 'call_X1',
          name: 'f',
          arguments: '',
          path: 'choices[0].message.tool_calls[0]',
        },
        { type: 'thinking', text: 'summary', signature: 'gAAAA', origin: 'openai', path: 'output[0]' },
      ],
      finish: 'content_filter',
      usage: { input: 1500, cacheRead: 1024, cacheWrite: 0, output: 300, reasoning: 200 },
    }
    expect(codec.encodeResponse(res, ctx)).toEqual({
      id: 'chatcmpl-abc',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [
        { type: 'tool_use', id: 'call_X1', name: 'f', input: {} },
        { type: 'thinking', thinking: 'summary', signature: '' },
      ],
      stop_reason: 'refusal',
      stop_sequence: null,
      usage: {
        input_tokens: 476,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 1024,
        output_tokens: 300,
      },
    })
  })

  it('§8 #8: a malformed call (finish error) is end_turn, never refusal; a missing id takes the request id', () => {
    const out = codec.encodeResponse({ id: '', model: 'gemini', parts: [], finish: 'error' }, ctx)
    expect(out).toMatchObject({ id: 'msg_req_1', stop_reason: 'end_turn', content: [] })
  })

  it('refuses server-tool blocks in an answer and unparsable tool arguments towards the client', () => {
    const refused = (fn: () => unknown): string | undefined => {
      try {
        fn()
        return undefined
      } catch (err) {
        return err instanceof TranslationRefusal ? err.field : 'other'
      }
    }
    expect(
      refused(() =>
        codec.decodeResponse({
          ...answer,
          content: [{ type: 'server_tool_use', id: 's', name: 'web_search', input: {} }],
        }),
      ),
    ).toBe('content[0]')
    const bad: IResponse = {
      id: 'x',
      model: 'm',
      parts: [
        {
          type: 'tool_call',
          id: 'c',
          name: 'f',
          arguments: '{"a":',
          path: 'choices[0].message.tool_calls[0]',
        },
      ],
      finish: 'tool_calls',
    }
    expect(refused(() => codec.encodeResponse(bad, ctx))).toBe('choices[0].message.tool_calls[0]')
  })
})

describe('Anthropic errors', () => {
  it.each([
    [400, 'invalid_request_error', 'invalid_request'],
    [401, 'authentication_error', 'authentication'],
    [403, 'permission_error', 'permission'],
    [404, 'not_found_error', 'not_found'],
    [413, 'request_too_large', 'request_too_large'],
    [429, 'rate_limit_error', 'rate_limit'],
    [500, 'api_error', 'server'],
    [529, 'overloaded_error', 'overloaded'],
  ] as const)('%i %s ↔ %s', (status, type, kind) => {
    const body = JSON.stringify({ type: 'error', error: { type, message: 'm' }, request_id: 'req_x' })
    const error = codec.decodeError(status, body)
    expect(error).toEqual({ status, kind, message: 'm' })
    expect(codec.encodeError(error)).toEqual({
      status,
      body: { type: 'error', error: { type, message: 'm' } },
    })
  })

  it('a spend limit is a quota (not retryable): 402 billing_error to an Anthropic client', () => {
    const body = JSON.stringify({
      type: 'error',
      error: {
        type: 'rate_limit_error',
        message: 'limit',
        details: { error_code: 'enforced_spend_limit_reached' },
      },
    })
    const error = codec.decodeError(429, body)
    expect(error.kind).toBe('quota')
    expect(codec.encodeError(error).status).toBe(402)
    expect(codec.encodeError(error).body).toEqual({
      type: 'error',
      error: { type: 'billing_error', message: 'limit' },
    })
  })

  it('another provider overloaded (Gemini 503 UNAVAILABLE) becomes 529 overloaded_error', () => {
    expect(codec.encodeError({ status: 503, kind: 'overloaded', message: 'busy' })).toEqual({
      status: 529,
      body: { type: 'error', error: { type: 'overloaded_error', message: 'busy' } },
    })
  })

  it('a refusal names its field in the message (Anthropic has no param)', () => {
    const out = codec.encodeError({
      status: 400,
      kind: 'invalid_request',
      message: 'not supported',
      param: 'messages[3].content[1].input_audio',
    })
    expect(out).toEqual({
      status: 400,
      body: {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: 'messages[3].content[1].input_audio: not supported',
        },
      },
    })
  })

  it('reads a non-JSON body and falls back on the status', () => {
    expect(codec.decodeError(502, '<html>Bad gateway</html>')).toEqual({
      status: 502,
      kind: 'server',
      message: '<html>Bad gateway</html>',
    })
    expect(codec.decodeError(503, '')).toMatchObject({ kind: 'overloaded' })
  })

  it('encodes the mid-stream error event', () => {
    expect(codec.encodeStreamError({ status: 529, kind: 'overloaded', message: 'Overloaded' })).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    )
  })
})
