import { describe, expect, it } from 'vitest'
import type { IRequest } from '../translate/internal-model.ts'
import { decodeResponsesRequest } from './responses-decode-request.ts'
import { encodeResponsesRequest } from './responses-encode-request.ts'
import { CODEX_BODY, refusalOf } from '../../../test/support/protocol/responses-fixtures.ts'

const CTX = { upstreamModel: 'gpt-5.1', defaultMaxOutputTokens: 128000 }

describe('encodeResponsesRequest', () => {
  const base = (over: Partial<IRequest>): IRequest => ({
    model: 'claude',
    system: [],
    messages: [
      { role: 'user', parts: [{ type: 'text', text: 'hi', path: 'messages[0]' }], path: 'messages[0]' },
    ],
    stream: false,
    paths: {},
    ...over,
  })

  it('round trip: decode then encode gives back the Codex body (model from the channel)', () => {
    const body = encodeResponsesRequest(decodeResponsesRequest(CODEX_BODY), CTX)
    // Dropped on purpose: the verbosity hint and Codex's own session metadata (docs/translation.md).
    const { text: _verbosity, client_metadata: _metadata, ...expected } = CODEX_BODY
    expect(body).toEqual({ ...expected, model: 'gpt-5.1', tool_choice: 'auto' })
  })

  it('never puts a call_ id into an input item`s id (§8 #22)', () => {
    const body = encodeResponsesRequest(
      base({
        messages: [
          {
            role: 'assistant',
            parts: [
              {
                type: 'tool_call',
                id: 'call_abc',
                itemId: 'call_abc',
                name: 'f',
                arguments: '{}',
                path: 'messages[0]',
              },
              { type: 'tool_call', id: 'toolu_1', name: 'g', arguments: '{"a":1}', path: 'messages[0]' },
            ],
            path: 'messages[0]',
          },
        ],
      }),
      CTX,
    )
    expect(body.input).toEqual([
      { type: 'function_call', call_id: 'call_abc', name: 'f', arguments: '{}' },
      { type: 'function_call', call_id: 'toolu_1', name: 'g', arguments: '{"a":1}' },
    ])
  })

  it('drops thinking of another provider (never as text, §8 #2) and replays OpenAI reasoning unchanged', () => {
    const body = encodeResponsesRequest(
      base({
        messages: [
          {
            role: 'assistant',
            parts: [
              {
                type: 'thinking',
                text: 'claude thought',
                signature: 'sig',
                origin: 'anthropic',
                path: 'messages[0].content[0]',
              },
              {
                type: 'thinking',
                text: 'sum',
                signature: 'gAAA',
                origin: 'openai',
                itemId: 'rs_9',
                path: 'input[1]',
              },
              { type: 'text', text: 'answer', path: 'messages[0].content[1]' },
            ],
            path: 'messages[0]',
          },
        ],
      }),
      CTX,
    )
    expect(body.input).toEqual([
      {
        type: 'reasoning',
        id: 'rs_9',
        summary: [{ type: 'summary_text', text: 'sum' }],
        encrypted_content: 'gAAA',
      },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'answer' }] },
    ])
    expect(JSON.stringify(body)).not.toContain('claude thought')
  })

  it('puts the first system text in instructions and the rest as items, images as data URLs (§8 #21)', () => {
    const body = encodeResponsesRequest(
      base({
        system: [
          { role: 'system', text: 'A', path: 'system[0]' },
          { role: 'system', text: 'B', path: 'system[1]' },
        ],
        messages: [
          {
            role: 'user',
            parts: [
              {
                type: 'image',
                source: { kind: 'base64', mediaType: 'image/png', data: 'iVBO' },
                path: 'm[0].c[0]',
              },
              { type: 'text', text: 'what is it', path: 'm[0].c[1]' },
            ],
            path: 'm[0]',
          },
        ],
      }),
      CTX,
    )
    expect(body.instructions).toBe('A')
    expect(body.input).toEqual([
      { type: 'message', role: 'system', content: [{ type: 'input_text', text: 'B' }] },
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_image', image_url: 'data:image/png;base64,iVBO', detail: 'auto' },
          { type: 'input_text', text: 'what is it' },
        ],
      },
    ])
  })

  it('sends function tools non-strict unless the client said strict, and maps tool_choice', () => {
    const body = encodeResponsesRequest(
      base({
        tools: [{ name: 'f', parameters: { type: 'object' }, path: 'tools[0]' }],
        toolChoice: { type: 'tool', name: 'f' },
      }),
      CTX,
    )
    expect(body.tools).toEqual([
      { type: 'function', name: 'f', parameters: { type: 'object' }, strict: false },
    ])
    expect(body.tool_choice).toEqual({ type: 'function', name: 'f' })
  })

  it('turns thinking settings into reasoning effort with summaries and asks for encrypted content', () => {
    const body = encodeResponsesRequest(base({ reasoning: { enabled: true, budgetTokens: 10000 } }), CTX)
    expect(body.reasoning).toEqual({ effort: 'medium', summary: 'auto' })
    expect(body.include).toEqual(['reasoning.encrypted_content'])
    expect(body.store).toBe(false)
    const kept = encodeResponsesRequest(
      base({ reasoning: { enabled: true, effort: 'high', summary: 'detailed' } }),
      CTX,
    )
    expect(kept.reasoning).toEqual({ effort: 'high', summary: 'detailed' })
  })

  describe('refuses what Responses cannot express, naming the client`s field', () => {
    const cases: [string, Partial<IRequest>, string][] = [
      ['top_k', { topK: 5, paths: { topK: 'generationConfig.topK' } }, 'generationConfig.topK'],
      ['stop sequences', { stop: ['x'], paths: { stop: 'stop_sequences' } }, 'stop_sequences'],
      [
        'out-of-range temperature (never clamped)',
        { temperature: 2.5, paths: { temperature: 'temperature' } },
        'temperature',
      ],
      ['seed', { seed: 1, paths: { seed: 'seed' } }, 'seed'],
      ['n > 1', { candidateCount: 2, paths: { candidateCount: 'n' } }, 'n'],
      [
        'another provider`s file id',
        {
          messages: [
            {
              role: 'user',
              parts: [
                {
                  type: 'document',
                  source: { kind: 'file_id', fileId: 'file_ant', origin: 'anthropic' },
                  path: 'messages[0].content[0]',
                },
              ],
              path: 'messages[0]',
            },
          ],
        },
        'messages[0].content[0]',
      ],
      [
        'audio',
        {
          messages: [
            {
              role: 'user',
              parts: [
                { type: 'audio', data: 'AA', format: 'wav', path: 'messages[0].content[0].input_audio' },
              ],
              path: 'messages[0]',
            },
          ],
        },
        'messages[0].content[0].input_audio',
      ],
    ]
    for (const [name, over, field] of cases) {
      it(name, () => {
        expect(refusalOf(() => encodeResponsesRequest(base(over), CTX)).field).toBe(field)
      })
    }
  })
})
