import { describe, expect, it } from 'vitest'
import type { Json, JsonObject } from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import { decodeChatRequest } from './chat-decode-request.ts'

const base = (extra: JsonObject = {}): JsonObject => ({
  model: 'gpt-4.1',
  messages: [{ role: 'user', content: 'Hi' }],
  ...extra,
})

/** The refusal's field, or a failure when the call did not refuse. */
function refusedField(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    if (err instanceof TranslationRefusal) return err.field
    throw err
  }
  throw new Error('expected a TranslationRefusal')
}

describe('decodeChatRequest', () => {
  it('reads system and developer messages in order, with their roles and paths', () => {
    const req = decodeChatRequest({
      model: 'gpt-4.1',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use tools.' }] },
        { role: 'user', content: 'Hi' },
      ],
    })
    expect(req.system).toEqual([
      { role: 'system', text: 'Be brief.', path: 'messages[0].content' },
      { role: 'developer', text: 'Use tools.', path: 'messages[1].content[0]' },
    ])
    expect(req.messages).toEqual([
      {
        role: 'user',
        parts: [{ type: 'text', text: 'Hi', path: 'messages[2].content' }],
        path: 'messages[2]',
      },
    ])
  })

  it('refuses a system message after the conversation started, naming messages[i]', () => {
    const body = {
      model: 'm',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'system', content: 'Now be rude.' },
      ],
    }
    expect(refusedField(() => decodeChatRequest(body))).toBe('messages[1]')
  })

  it('§8 #25: content "" or null next to tool_calls becomes no text part', () => {
    for (const content of ['', null]) {
      const req = decodeChatRequest({
        model: 'm',
        messages: [
          { role: 'user', content: 'list files' },
          {
            role: 'assistant',
            content,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'ls', arguments: '{"dir":"."}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: 'a.txt' },
        ],
      })
      expect(req.messages[1]?.parts).toEqual([
        {
          type: 'tool_call',
          id: 'call_1',
          name: 'ls',
          arguments: '{"dir":"."}',
          path: 'messages[1].tool_calls[0]',
        },
      ])
    }
  })

  it('§8 #15: consecutive tool messages and the user message after them are one user turn, results first', () => {
    const req = decodeChatRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_b', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: 'sunny' },
        { role: 'tool', tool_call_id: 'call_b', content: [{ type: 'text', text: 'rain' }] },
        { role: 'user', content: 'and tomorrow?' },
      ],
    })
    expect(req.messages).toHaveLength(3)
    expect(req.messages[2]).toEqual({
      role: 'user',
      path: 'messages[2]',
      parts: [
        { type: 'tool_result', callId: 'call_a', content: 'sunny', path: 'messages[2]' },
        {
          type: 'tool_result',
          callId: 'call_b',
          content: [{ type: 'text', text: 'rain', path: 'messages[3].content[0]' }],
          path: 'messages[3]',
        },
        { type: 'text', text: 'and tomorrow?', path: 'messages[4].content' },
      ],
    })
  })

  it('§8 #18: max_completion_tokens is read before max_tokens', () => {
    const both = decodeChatRequest(base({ max_completion_tokens: 2000, max_tokens: 100 }))
    expect(both.maxOutputTokens).toBe(2000)
    expect(both.paths.maxOutputTokens).toBe('max_completion_tokens')
    const legacy = decodeChatRequest(base({ max_tokens: 100 }))
    expect(legacy.maxOutputTokens).toBe(100)
    expect(legacy.paths.maxOutputTokens).toBe('max_tokens')
  })

  it('reads sampling, stop, seed, penalties, n, reasoning_effort, response_format, stream_options and hints', () => {
    const req = decodeChatRequest(
      base({
        temperature: 0.3,
        top_p: 0.9,
        stop: 'END',
        seed: 7,
        presence_penalty: 0.5,
        frequency_penalty: -0.5,
        n: 1,
        reasoning_effort: 'high',
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'answer', schema: { type: 'object' }, strict: true },
        },
        stream: true,
        stream_options: { include_usage: true },
        user: 'u-1',
        prompt_cache_key: 'session-9',
        parallel_tool_calls: false,
        store: false,
        metadata: { a: 'b' },
        service_tier: 'auto',
        logprobs: false,
        modalities: ['text'],
      }),
    )
    expect(req).toMatchObject({
      temperature: 0.3,
      topP: 0.9,
      stop: ['END'],
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
      candidateCount: 1,
      reasoning: { enabled: true, effort: 'high' },
      output: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true },
      stream: true,
      includeUsage: true,
      user: 'u-1',
      cacheKey: 'session-9',
      parallelToolCalls: false,
    })
    expect(req.paths).toMatchObject({
      temperature: 'temperature',
      topP: 'top_p',
      candidateCount: 'n',
      reasoning: 'reasoning_effort',
      output: 'response_format',
      user: 'user',
    })
    expect(decodeChatRequest(base({ reasoning_effort: 'none' })).reasoning).toEqual({
      enabled: false,
      effort: 'none',
    })
  })

  it('reads function tools and each tool_choice form', () => {
    const tools: Json = [
      {
        type: 'function',
        function: { name: 'ls', description: 'List', parameters: { type: 'object' }, strict: false },
      },
      { type: 'function', function: { name: 'now' } },
    ]
    const req = decodeChatRequest(
      base({ tools, tool_choice: { type: 'function', function: { name: 'ls' } } }),
    )
    expect(req.tools).toEqual([
      { name: 'ls', description: 'List', parameters: { type: 'object' }, strict: false, path: 'tools[0]' },
      { name: 'now', parameters: { type: 'object', properties: {} }, path: 'tools[1]' },
    ])
    expect(req.toolChoice).toEqual({ type: 'tool', name: 'ls' })
    expect(decodeChatRequest(base({ tool_choice: 'required' })).toolChoice).toEqual({ type: 'required' })
  })

  it('reads images (URL and data URL, image/jpg normalised, §8 #21), files and audio', () => {
    const req = decodeChatRequest({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: 'https://x.test/a.png', detail: 'high' } },
            { type: 'image_url', image_url: { url: 'data:image/jpg;base64,AAAA' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBER', filename: 'a.pdf' } },
            { type: 'file', file: { file_id: 'file-123' } },
            { type: 'input_audio', input_audio: { data: 'UklG', format: 'wav' } },
          ],
        },
      ],
    })
    const p = 'messages[0].content'
    expect(req.messages[0]?.parts).toEqual([
      { type: 'text', text: 'look', path: `${p}[0]` },
      {
        type: 'image',
        source: { kind: 'url', url: 'https://x.test/a.png' },
        detail: 'high',
        path: `${p}[1]`,
      },
      { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: 'AAAA' }, path: `${p}[2]` },
      {
        type: 'document',
        source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBER' },
        filename: 'a.pdf',
        path: `${p}[3]`,
      },
      {
        type: 'document',
        source: { kind: 'file_id', fileId: 'file-123', origin: 'openai' },
        path: `${p}[4]`,
      },
      { type: 'audio', data: 'UklG', format: 'wav', path: `${p}[5]` },
    ])
  })

  it('keeps an assistant refusal and DeepSeek-style reasoning_content as parts', () => {
    const req = decodeChatRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: null, refusal: 'I cannot.', reasoning_content: 'thinking…' },
        { role: 'user', content: 'y' },
      ],
    })
    expect(req.messages[1]?.parts).toEqual([
      { type: 'thinking', text: 'thinking…', origin: 'openai', path: 'messages[1].reasoning_content' },
      { type: 'refusal', text: 'I cannot.', path: 'messages[1].refusal' },
    ])
  })

  it.each([
    ['n is kept for the encoder to judge', base({ n: 3 }), null],
    ['logprobs', base({ logprobs: true }), 'logprobs'],
    ['top_logprobs', base({ top_logprobs: 5 }), 'top_logprobs'],
    ['logit_bias', base({ logit_bias: { '50256': -100 } }), 'logit_bias'],
    ['audio output', base({ audio: { voice: 'alloy', format: 'mp3' } }), 'audio'],
    ['audio modality', base({ modalities: ['text', 'audio'] }), 'modalities'],
    ['prediction', base({ prediction: { type: 'content', content: 'x' } }), 'prediction'],
    ['web_search_options', base({ web_search_options: {} }), 'web_search_options'],
    ['deprecated functions', base({ functions: [{ name: 'f' }] }), 'functions'],
    ['verbosity', base({ verbosity: 'low' }), 'verbosity'],
    ['an unknown field', base({ top_k: 40 }), 'top_k'],
    ['an unknown effort', base({ reasoning_effort: 'max' }), 'reasoning_effort'],
    ['a custom tool', base({ tools: [{ type: 'custom', custom: { name: 'grammar' } }] }), 'tools[0].type'],
    [
      'an allowed_tools choice',
      base({ tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [] } } }),
      'tool_choice',
    ],
    [
      'a message name',
      { model: 'm', messages: [{ role: 'user', content: 'x', name: 'bob' }] },
      'messages[0].name',
    ],
    [
      'a function message',
      { model: 'm', messages: [{ role: 'function', name: 'f', content: 'x' }] },
      'messages[0].role',
    ],
    [
      'an unknown content part',
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'video', video: {} }] }] },
      'messages[0].content[0].type',
    ],
    [
      'a non-base64 data URL',
      {
        model: 'm',
        messages: [
          { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png,xyz' } }] },
        ],
      },
      'messages[0].content[0].image_url.url',
    ],
    ['a wrongly typed temperature', base({ temperature: 'hot' }), 'temperature'],
  ])('refuses %s naming the field', (_name, body, field) => {
    if (field === null) {
      expect(decodeChatRequest(body).candidateCount).toBe(3)
      return
    }
    expect(refusedField(() => decodeChatRequest(body))).toBe(field)
  })
})
