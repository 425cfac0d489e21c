import { describe, expect, it } from 'vitest'
import type { IMessage, IRequest, ITool, JsonObject } from '../translate/internal-model.ts'
import { encodeAnthropicRequest } from './messages-encode-request.ts'
import { hashFnv1a, sanitiseToolId } from './messages-tool-id.ts'
import {
  ctx,
  parallelHistory,
  refusedField,
  request,
} from '../../../test/support/protocol/messages-request-fixtures.ts'

describe('encodeAnthropicRequest', () => {
  it('encodes model, system blocks in order, messages, sampling, stop and user', () => {
    const body = encodeAnthropicRequest(
      request({
        system: [
          { role: 'system', text: 'One.', path: 'messages[0]' },
          { role: 'developer', text: 'Two.', path: 'messages[1]' },
        ],
        temperature: 0.5,
        topP: 0.9,
        topK: 10,
        stop: ['END'],
        user: 'u-1',
        maxOutputTokens: 500,
        stream: true,
      }),
      ctx,
    )
    expect(body).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 500,
      system: [
        { type: 'text', text: 'One.' },
        { type: 'text', text: 'Two.' },
      ],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      stop_sequences: ['END'],
      temperature: 0.5,
      top_p: 0.9,
      top_k: 10,
      metadata: { user_id: 'u-1' },
      stream: true,
    })
  })

  it('§8 #18: max_tokens is the model maximum from the context when the client gave none, never 4096', () => {
    expect(encodeAnthropicRequest(request(), ctx).max_tokens).toBe(64000)
    expect(encodeAnthropicRequest(request(), { ...ctx, defaultMaxOutputTokens: 8192 }).max_tokens).toBe(8192)
  })

  it('§8 #15: parallel tool results go in ONE user message, before the text that followed them', () => {
    const body = encodeAnthropicRequest(request({ messages: parallelHistory }), ctx)
    const messages = body.messages as JsonObject[]
    expect(messages).toHaveLength(3)
    expect(messages[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'call_A', content: '18C' },
        { type: 'tool_result', tool_use_id: 'call_B', content: '24C' },
        { type: 'text', text: 'Thanks, which is warmer?' },
      ],
    })
  })

  it('§8 #25: an empty content next to tool calls becomes no text block at all', () => {
    const body = encodeAnthropicRequest(request({ messages: parallelHistory }), ctx)
    const assistant = (body.messages as JsonObject[])[1]
    expect(assistant.content).toEqual([
      { type: 'tool_use', id: 'call_A', name: 'weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_B', name: 'weather', input: { city: 'Rome' } },
    ])
    const onlyEmpty = request({
      system: [{ role: 'system', text: '', path: 'messages[0]' }],
      messages: [
        { role: 'user', parts: [{ type: 'text', text: 'Hi', path: 'a' }], path: 'a' },
        { role: 'assistant', parts: [{ type: 'text', text: '', path: 'b' }], path: 'b' },
      ],
    })
    const encoded = encodeAnthropicRequest(onlyEmpty, ctx)
    expect(encoded.system).toBeUndefined()
    expect(encoded.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }])
  })

  it('§8 #17: foreign tool ids are sanitised identically on tool_use and tool_result', () => {
    const messages: IMessage[] = [
      { role: 'user', parts: [{ type: 'text', text: 'ls', path: 'a' }], path: 'a' },
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 'functions.Bash:0', name: 'Bash', arguments: '{}', path: 'b' }],
        path: 'b',
      },
      {
        role: 'user',
        parts: [{ type: 'tool_result', callId: 'functions.Bash:0', content: 'ok', path: 'c' }],
        path: 'c',
      },
    ]
    const out = encodeAnthropicRequest(request({ messages }), ctx).messages as JsonObject[]
    const useId = ((out[1].content as JsonObject[])[0] as JsonObject).id as string
    const resultId = ((out[2].content as JsonObject[])[0] as JsonObject).tool_use_id as string
    expect(useId).toMatch(/^[a-zA-Z0-9_-]{1,64}$/)
    expect(useId).toMatch(/^functions_Bash_0_[0-9a-f]{8}$/)
    expect(resultId).toBe(useId)
  })

  it('§8 #17: long ids are cut to 64 with a hash suffix; legal ids pass unchanged; distinct ids stay distinct', () => {
    const long = 'fc_' + 'x'.repeat(100) + '/1'
    const cut = sanitiseToolId(long)
    expect(cut).toHaveLength(64)
    expect(cut.endsWith('_' + hashFnv1a(long).toString(16).padStart(8, '0'))).toBe(true)
    expect(sanitiseToolId(long)).toBe(cut)
    expect(sanitiseToolId('toolu_01ABCdef-9')).toBe('toolu_01ABCdef-9')
    expect(sanitiseToolId('a.b')).not.toBe(sanitiseToolId('a:b'))
    expect(sanitiseToolId('x'.repeat(65))).toHaveLength(64)
    // FNV-1a 32-bit reference values.
    expect(hashFnv1a('')).toBe(0x811c9dc5)
    expect(hashFnv1a('a')).toBe(0xe40c292c)
  })

  it('§8 #21: data URLs are split, image/jpg becomes image/jpeg; other types are refused', () => {
    const image = (url: string): IRequest =>
      request({
        messages: [
          {
            role: 'user',
            parts: [
              {
                type: 'image',
                source: { kind: 'url', url },
                detail: 'high',
                path: 'messages[0].content[0].image_url',
              },
            ],
            path: 'messages[0]',
          },
        ],
      })
    const body = encodeAnthropicRequest(image('data:image/jpg;base64,/9j/4AAQ'), ctx)
    expect((body.messages as JsonObject[])[0].content).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
    ])
    const remote = encodeAnthropicRequest(image('https://example.com/cat.png'), ctx)
    expect((remote.messages as JsonObject[])[0].content).toEqual([
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
    ])
    expect(refusedField(image('data:image/bmp;base64,Qk0='))).toBe('messages[0].content[0].image_url')
    expect(refusedField(image('data:image/png,rawbytes'))).toBe('messages[0].content[0].image_url')
  })

  it('encodes base64 image parts, PDFs, text documents and refuses another provider file id and audio', () => {
    const parts = (p: IMessage['parts']): IRequest =>
      request({ messages: [{ role: 'user', parts: p, path: 'messages[0]' }] })
    const body = encodeAnthropicRequest(
      parts([
        { type: 'image', source: { kind: 'base64', mediaType: 'image/webp', data: 'UklG' }, path: 'p0' },
        {
          type: 'document',
          source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBER' },
          filename: 'a.pdf',
          path: 'p1',
        },
        {
          type: 'document',
          source: { kind: 'base64', mediaType: 'text/plain', data: 'aMOpbGxv' },
          path: 'p2',
        },
        { type: 'document', source: { kind: 'text', text: 'notes' }, title: 'N', path: 'p3' },
      ]),
      ctx,
    )
    expect((body.messages as JsonObject[])[0].content).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'UklG' } },
      {
        type: 'document',
        source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' },
        title: 'a.pdf',
      },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'héllo' } },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'notes' }, title: 'N' },
    ])
    expect(
      refusedField(
        parts([
          {
            type: 'image',
            source: { kind: 'file_id', fileId: 'file-1', origin: 'openai' },
            path: 'messages[0].content[0]',
          },
        ]),
      ),
    ).toBe('messages[0].content[0]')
    expect(
      refusedField(
        parts([{ type: 'audio', data: 'UklG', format: 'wav', path: 'messages[0].content[0].input_audio' }]),
      ),
    ).toBe('messages[0].content[0].input_audio')
  })

  it('encodes tool results with images, is_error, and an empty result without content', () => {
    const body = encodeAnthropicRequest(
      request({
        messages: [
          {
            role: 'user',
            parts: [
              {
                type: 'tool_result',
                callId: 'toolu_1',
                isError: true,
                content: [
                  { type: 'text', text: 'boom', path: 'a' },
                  { type: 'text', text: '', path: 'b' },
                  {
                    type: 'image',
                    source: { kind: 'base64', mediaType: 'image/png', data: 'iVBOR' },
                    path: 'c',
                  },
                ],
                path: 'x',
              },
              { type: 'tool_result', callId: 'toolu_2', content: '', path: 'y' },
            ],
            path: 'messages[0]',
          },
        ],
      }),
      ctx,
    )
    expect((body.messages as JsonObject[])[0].content).toEqual([
      {
        type: 'tool_result',
        tool_use_id: 'toolu_1',
        is_error: true,
        content: [
          { type: 'text', text: 'boom' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
        ],
      },
      { type: 'tool_result', tool_use_id: 'toolu_2' },
    ])
  })

  it('refuses unparsable or non-object tool arguments naming the call; "" is {}', () => {
    const call = (args: string): IRequest =>
      request({
        messages: [
          { role: 'user', parts: [{ type: 'text', text: 'x', path: 'a' }], path: 'a' },
          {
            role: 'assistant',
            parts: [
              {
                type: 'tool_call',
                id: 'call_1',
                name: 'f',
                arguments: args,
                path: 'messages[1].tool_calls[0]',
              },
            ],
            path: 'messages[1]',
          },
        ],
      })
    expect(refusedField(call('{"a":'))).toBe('messages[1].tool_calls[0]')
    expect(refusedField(call('[1]'))).toBe('messages[1].tool_calls[0]')
    const body = encodeAnthropicRequest(call(''), ctx)
    expect(((body.messages as JsonObject[])[1].content as JsonObject[])[0].input).toEqual({})
  })

  it('§8 #2: thinking of another provider is dropped, never sent as text; Anthropic thinking is replayed unchanged', () => {
    const messages: IMessage[] = [
      { role: 'user', parts: [{ type: 'text', text: 'q', path: 'a' }], path: 'a' },
      {
        role: 'assistant',
        parts: [
          { type: 'thinking', text: 'gpt reasoning', signature: 'enc', origin: 'openai', path: 'b0' },
          { type: 'thinking', text: '', signature: 'sig-empty', origin: 'anthropic', path: 'b1' },
          { type: 'thinking', text: '', redacted: 'REDACTED', origin: 'anthropic', path: 'b2' },
          { type: 'text', text: 'answer', path: 'b3' },
        ],
        path: 'b',
      },
    ]
    const body = encodeAnthropicRequest(request({ messages }), ctx)
    expect((body.messages as JsonObject[])[1].content).toEqual([
      { type: 'thinking', thinking: '', signature: 'sig-empty' },
      { type: 'redacted_thinking', data: 'REDACTED' },
      { type: 'text', text: 'answer' },
    ])
  })

  it('encodes tools (object schema, type added when missing, strict) and every tool choice', () => {
    const tools: ITool[] = [
      {
        name: 'a',
        description: 'A',
        parameters: { type: 'object', properties: {} },
        strict: true,
        path: 'tools[0]',
      },
      { name: 'b', parameters: {}, path: 'tools[1]' },
    ]
    const body = encodeAnthropicRequest(
      request({ tools, toolChoice: { type: 'required' }, parallelToolCalls: false }),
      ctx,
    )
    expect(body.tools).toEqual([
      { name: 'a', description: 'A', input_schema: { type: 'object', properties: {} }, strict: true },
      { name: 'b', input_schema: { type: 'object' } },
    ])
    expect(body.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true })
    const choice = (toolChoice: IRequest['toolChoice']) =>
      encodeAnthropicRequest(request({ tools, toolChoice }), ctx).tool_choice
    expect(choice({ type: 'auto' })).toEqual({ type: 'auto' })
    expect(choice({ type: 'none' })).toEqual({ type: 'none' })
    expect(choice({ type: 'tool', name: 'a' })).toEqual({ type: 'tool', name: 'a' })
    expect(choice(undefined)).toBeUndefined()
    expect(encodeAnthropicRequest(request({ tools, parallelToolCalls: false }), ctx).tool_choice).toEqual({
      type: 'auto',
      disable_parallel_tool_use: true,
    })
    expect(refusedField(request({ tools: [{ name: 'bad.name', parameters: {}, path: 'tools[0]' }] }))).toBe(
      'tools[0].name',
    )
    expect(
      refusedField(request({ tools: [{ name: 'a', parameters: { type: 'array' }, path: 'tools[0]' }] })),
    ).toBe('tools[0]')
  })

  it('encodes JSON schema output and, by policy, JSON mode without a schema as an object schema', () => {
    const schema = { type: 'object', properties: { n: { type: 'integer' } } }
    const a = encodeAnthropicRequest(
      request({ output: { type: 'json_schema', name: 'r', schema, strict: true } }),
      ctx,
    )
    expect(a.output_config).toEqual({ format: { type: 'json_schema', schema } })
    const b = encodeAnthropicRequest(request({ output: { type: 'json_object' } }), ctx)
    expect(b.output_config).toEqual({ format: { type: 'json_schema', schema: { type: 'object' } } })
    expect(encodeAnthropicRequest(request({ output: { type: 'text' } }), ctx).output_config).toBeUndefined()
  })

  describe('refusals name the client field (never clamp)', () => {
    it.each([
      ['temperature above 1', { temperature: 1.5, paths: { temperature: 'temperature' } }, 'temperature'],
      ['seed', { seed: 7, paths: { seed: 'seed' } }, 'seed'],
      [
        'presence penalty',
        { presencePenalty: 0.5, paths: { presencePenalty: 'presence_penalty' } },
        'presence_penalty',
      ],
      [
        'frequency penalty',
        { frequencyPenalty: 0.5, paths: { frequencyPenalty: 'frequency_penalty' } },
        'frequency_penalty',
      ],
      ['n > 1', { candidateCount: 2, paths: { candidateCount: 'n' } }, 'n'],
      ['top_p above 1', { topP: 1.2, paths: { topP: 'top_p' } }, 'top_p'],
      [
        'max tokens 0',
        { maxOutputTokens: 0, paths: { maxOutputTokens: 'max_completion_tokens' } },
        'max_completion_tokens',
      ],
      [
        'required tool without tools',
        { toolChoice: { type: 'required' }, paths: { toolChoice: 'tool_choice' } },
        'tool_choice',
      ],
    ] as const)('%s', (_name, over, field) => {
      expect(refusedField(request(over as Partial<IRequest>))).toBe(field)
    })

    it('accepts n = 1', () => {
      expect(refusedField(request({ candidateCount: 1 }))).toBeUndefined()
    })
  })
})
