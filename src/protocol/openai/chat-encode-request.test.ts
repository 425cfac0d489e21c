import { describe, expect, it } from 'vitest'
import type { IRequest, JsonObject } from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import { decodeChatRequest } from './chat-decode-request.ts'
import { encodeChatRequest } from './chat-encode-request.ts'

const ctx = { upstreamModel: 'gpt-4.1-2025', defaultMaxOutputTokens: 32768 }

const req = (extra: Partial<IRequest> = {}): IRequest => ({
  model: 'claude-x',
  system: [],
  messages: [
    { role: 'user', parts: [{ type: 'text', text: 'Hi', path: 'messages[0].content' }], path: 'messages[0]' },
  ],
  stream: false,
  paths: {},
  ...extra,
})

function refusal(fn: () => unknown): TranslationRefusal {
  try {
    fn()
  } catch (err) {
    if (err instanceof TranslationRefusal) return err
    throw err
  }
  throw new Error('expected a TranslationRefusal')
}

describe('encodeChatRequest', () => {
  it('round trip: a realistic chat request decodes and encodes back to an equivalent body', () => {
    const body: JsonObject = {
      model: 'gpt-4.1-2025',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: 'Prefer tools.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this image, and the weather?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        { role: 'tool', tool_call_id: 'call_2', content: 'rain' },
        { role: 'assistant', content: 'Paris sunny, Rome rain.' },
        { role: 'user', content: 'Thanks' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'weather',
            description: 'Weather by city',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
            strict: true,
          },
        },
      ],
      parallel_tool_calls: true,
      tool_choice: 'auto',
      response_format: { type: 'json_object' },
      max_completion_tokens: 1000,
      temperature: 0.2,
      top_p: 0.8,
      stop: ['END'],
      seed: 42,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      n: 1,
      reasoning_effort: 'low',
      stream: true,
      stream_options: { include_usage: true },
      user: 'user-7',
      prompt_cache_key: 'k1',
    }
    expect(encodeChatRequest(decodeChatRequest(body), ctx)).toEqual(body)
  })

  it('§8 #25: an assistant turn with only tool calls has content null and arguments as a string', () => {
    const out = encodeChatRequest(
      req({
        messages: [
          { role: 'user', parts: [{ type: 'text', text: 'go', path: 'p' }], path: 'messages[0]' },
          {
            role: 'assistant',
            path: 'messages[1]',
            parts: [
              {
                type: 'thinking',
                text: 'secret',
                signature: 'sig',
                origin: 'anthropic',
                path: 'messages[1].content[0]',
              },
              {
                type: 'tool_call',
                id: 'toolu_1',
                name: 'Bash',
                arguments: '{"cmd":"ls"}',
                path: 'messages[1].content[1]',
              },
            ],
          },
          {
            role: 'user',
            path: 'messages[2]',
            parts: [
              {
                type: 'tool_result',
                callId: 'toolu_1',
                content: 'a.txt',
                isError: true,
                path: 'messages[2].content[0]',
              },
              { type: 'text', text: 'continue', path: 'messages[2].content[1]' },
            ],
          },
        ],
      }),
      ctx,
    )
    expect(out.messages).toEqual([
      { role: 'user', content: 'go' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'Bash', arguments: '{"cmd":"ls"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'a.txt' },
      { role: 'user', content: 'continue' },
    ])
  })

  it('§8 #2: thinking from another provider is dropped, never sent as text', () => {
    const out = encodeChatRequest(
      req({
        messages: [
          { role: 'user', parts: [{ type: 'text', text: 'q', path: 'p' }], path: 'messages[0]' },
          {
            role: 'assistant',
            path: 'messages[1]',
            parts: [
              { type: 'thinking', text: 'hidden reasoning', signature: 's', origin: 'anthropic', path: 'a' },
              { type: 'text', text: 'Answer', path: 'b' },
            ],
          },
          { role: 'user', parts: [{ type: 'text', text: 'more', path: 'p' }], path: 'messages[2]' },
        ],
      }),
      ctx,
    )
    expect(JSON.stringify(out)).not.toContain('hidden reasoning')
    expect((out.messages as JsonObject[])[1]).toEqual({ role: 'assistant', content: 'Answer' })
  })

  it('sends base64 images and documents as full data URLs (§8 #21), URLs as they are', () => {
    const out = encodeChatRequest(
      req({
        messages: [
          {
            role: 'user',
            path: 'messages[0]',
            parts: [
              { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: 'AAAA' }, path: 'a' },
              { type: 'image', source: { kind: 'url', url: 'https://x.test/i.png' }, path: 'b' },
              {
                type: 'document',
                source: { kind: 'base64', mediaType: 'application/pdf', data: 'JV' },
                title: 'Spec',
                path: 'c',
              },
            ],
          },
        ],
      }),
      ctx,
    )
    expect((out.messages as JsonObject[])[0]).toEqual({
      role: 'user',
      content: [
        { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AAAA' } },
        { type: 'image_url', image_url: { url: 'https://x.test/i.png' } },
        { type: 'file', file: { file_data: 'data:application/pdf;base64,JV', filename: 'Spec' } },
      ],
    })
  })

  it('always asks for the usage chunk when streaming; effort from a budget by the table; no effort when thinking is off', () => {
    const out = encodeChatRequest(
      req({ stream: true, reasoning: { enabled: true, budgetTokens: 10000 } }),
      ctx,
    )
    expect(out.stream_options).toEqual({ include_usage: true })
    expect(out.reasoning_effort).toBe('medium')
    expect(out.model).toBe('gpt-4.1-2025')
    expect(encodeChatRequest(req({ reasoning: { enabled: false } }), ctx).reasoning_effort).toBeUndefined()
    expect(
      encodeChatRequest(req({ reasoning: { enabled: true, budgetTokens: 1024 } }), ctx).reasoning_effort,
    ).toBe('low')
    expect(
      encodeChatRequest(req({ reasoning: { enabled: true, budgetTokens: 32000 } }), ctx).reasoning_effort,
    ).toBe('high')
  })

  it('does not send a user id OpenAI would reject for its length (Claude Code metadata.user_id)', () => {
    const long = 'user_' + 'a'.repeat(64) + '_account__session_x'
    expect(
      encodeChatRequest(req({ user: long, paths: { user: 'metadata.user_id' } }), ctx).user,
    ).toBeUndefined()
    expect(encodeChatRequest(req({ user: 'short', paths: { user: 'metadata.user_id' } }), ctx).user).toBe(
      'short',
    )
  })

  it.each<[string, Partial<IRequest>, string]>([
    ['top_k', { topK: 40, paths: { topK: 'generationConfig.topK' } }, 'generationConfig.topK'],
    [
      'n > 1',
      { candidateCount: 2, paths: { candidateCount: 'generationConfig.candidateCount' } },
      'generationConfig.candidateCount',
    ],
    ['temperature out of range', { temperature: 2.5, paths: { temperature: 'temperature' } }, 'temperature'],
    ['top_p out of range', { topP: 1.5, paths: { topP: 'top_p' } }, 'top_p'],
    [
      '5 stop sequences',
      { stop: ['a', 'b', 'c', 'd', 'e'], paths: { stop: 'stopSequences' } },
      'stopSequences',
    ],
    [
      'a Gemini-only tool name',
      { tools: [{ name: 'ns.tool', parameters: {}, path: 'tools[0].functionDeclarations[0]' }] },
      'tools[0].functionDeclarations[0]',
    ],
    [
      'an assistant prefill',
      {
        messages: [
          { role: 'user', parts: [{ type: 'text', text: 'q', path: 'p' }], path: 'messages[0]' },
          { role: 'assistant', parts: [{ type: 'text', text: '{', path: 'x' }], path: 'messages[1]' },
        ],
      },
      'messages[1]',
    ],
    [
      'an image in a tool result',
      {
        messages: [
          {
            role: 'user',
            path: 'messages[0]',
            parts: [
              {
                type: 'tool_result',
                callId: 'c',
                content: [
                  {
                    type: 'image',
                    source: { kind: 'url', url: 'u' },
                    path: 'messages[0].content[0].content[0]',
                  },
                ],
                path: 'messages[0].content[0]',
              },
            ],
          },
        ],
      },
      'messages[0].content[0].content[0]',
    ],
    [
      'another provider’s file id',
      {
        messages: [
          {
            role: 'user',
            path: 'messages[0]',
            parts: [
              {
                type: 'document',
                source: { kind: 'file_id', fileId: 'f', origin: 'anthropic' },
                path: 'messages[0].content[0]',
              },
            ],
          },
        ],
      },
      'messages[0].content[0]',
    ],
    [
      'flac audio',
      {
        messages: [
          {
            role: 'user',
            path: 'messages[0]',
            parts: [{ type: 'audio', data: 'x', format: 'flac', path: 'contents[0].parts[0]' }],
          },
        ],
      },
      'contents[0].parts[0]',
    ],
  ])('refuses %s naming the client field', (_name, extra, field) => {
    const r = refusal(() => encodeChatRequest(req(extra), ctx))
    expect(r.field).toBe(field)
    expect(r.message).toContain(field)
  })
})
