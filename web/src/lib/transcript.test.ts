import { describe, expect, it } from 'vitest'
import { parseRequestBody, parseResponseBody, recordView, responseWarnings } from './transcript.ts'

describe('parseRequestBody', () => {
  it('reads OpenAI chat with tools', () => {
    const r = parseRequestBody(
      JSON.stringify({
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: 'be nice' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'hi' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,AAA' } },
            ],
          },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'ok' },
        ],
      }),
    )
    expect(r.kind).toBe('openai')
    expect(r.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool'])
    expect(r.messages[1].parts[1].kind).toBe('image')
    expect(r.messages[2].parts[0]).toMatchObject({ kind: 'tool_call', name: 'f' })
    expect(r.messages[3].parts[0]).toMatchObject({ kind: 'tool_result', id: 'c1', content: 'ok' })
  })
  it('reads Anthropic with system and blocks', () => {
    const r = parseRequestBody({
      model: 'claude',
      max_tokens: 100,
      system: [{ type: 'text', text: 'sys' }],
      messages: [
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'res' }] }],
        },
      ],
    })
    expect(r.kind).toBe('anthropic')
    expect(r.maxTokens).toBe(100)
    expect(r.messages[0]).toEqual({ role: 'system', parts: [{ kind: 'text', text: 'sys' }] })
    expect(r.messages[1].parts[0]).toMatchObject({ kind: 'tool_result', content: 'res' })
  })
  it('reads Gemini contents', () => {
    const r = parseRequestBody({
      contents: [
        { role: 'user', parts: [{ text: 'q' }] },
        { role: 'model', parts: [{ text: 'a' }] },
      ],
      systemInstruction: { parts: [{ text: 's' }] },
    })
    expect(r.kind).toBe('gemini')
    expect(r.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant'])
  })
})

describe('parseResponseBody', () => {
  it('reassembles an OpenAI stream with tool calls and usage', () => {
    const sse = [
      'data: {"choices":[{"delta":{"content":"Hel"}}]}',
      'data: {"choices":[{"delta":{"content":"lo"}}]}',
      'data: {"choices":[{"delta":{"tool_calls":[{"index":0,"id":"x","function":{"name":"f","arguments":"{\\"a\\""}}]}}]}',
      'data: {"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]},"finish_reason":"length"}]}',
      'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}',
      'data: [DONE]',
      '',
    ].join('\n\n')
    const r = parseResponseBody(sse)
    expect(r.text).toBe('Hello')
    expect(r.toolCalls).toEqual([{ name: 'f', id: 'x', input: '{"a":1}' }])
    expect(r.usage).toEqual({ prompt_tokens: 3, completion_tokens: 2 })
    expect(responseWarnings(parseRequestBody({}), r)).toContain('truncated')
  })
  it('reassembles an Anthropic stream with thinking and tool input', () => {
    const sse = [
      'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":5}}}',
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}}',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hi"}}',
      'event: content_block_start\ndata: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"t1","name":"get"}}',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{}"}}',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":7}}',
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
      '',
    ].join('\n\n')
    const r = parseResponseBody(sse)
    expect(r.text).toBe('Hi')
    expect(r.reasoning).toBe('hmm')
    expect(r.toolCalls).toEqual([{ name: 'get', id: 't1', input: '{}' }])
    expect(r.usage).toEqual({ input_tokens: 5, output_tokens: 7 })
    expect(r.errors).toEqual(['Overloaded'])
  })
  it('reassembles a Gemini stream', () => {
    const sse =
      'data: {"candidates":[{"content":{"parts":[{"text":"A"}]}}]}\r\n\r\ndata: {"candidates":[{"content":{"parts":[{"text":"B"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":1}}\r\n\r\n'
    const r = parseResponseBody(sse)
    expect(r.text).toBe('AB')
    expect(r.finishReason).toBe('STOP')
  })
  it('reads non-streamed answers of each protocol', () => {
    expect(
      parseResponseBody(
        '{"choices":[{"message":{"content":"x","reasoning_content":"r"},"finish_reason":"stop"}]}',
      ),
    ).toMatchObject({ text: 'x', reasoning: 'r' })
    expect(parseResponseBody({ content: [{ type: 'text', text: 'y' }], stop_reason: 'end_turn' }).text).toBe(
      'y',
    )
    expect(parseResponseBody({ candidates: [{ content: { parts: [{ text: 'z' }] } }] }).text).toBe('z')
    expect(parseResponseBody({ error: { message: 'bad' } }).errors).toEqual(['bad'])
    expect(parseResponseBody('Error: boom').raw).toBe('Error: boom')
  })
})

describe('recordView', () => {
  it('accepts flat and nested records', () => {
    expect(
      recordView({ request_body: 'a', response_body: 'b', response_status: 200, request_url: 'u' }),
    ).toMatchObject({ request: 'a', response: 'b', status: 200, upstreamUrl: 'u' })
    expect(recordView({ request: { body: { x: 1 } }, response: { status: 201, body: 'z' } })).toMatchObject({
      request: { x: 1 },
      response: 'z',
      status: 201,
    })
  })
})
