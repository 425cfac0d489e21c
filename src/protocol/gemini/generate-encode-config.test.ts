import { describe, expect, it } from 'vitest'
import type { IRequest, JsonObject } from '../translate/internal-model.ts'
import { geminiGenerateCodec as codec } from './generate-codec.ts'
import { baseRequest, ctx, refusal } from '../../../test/support/protocol/generate-test-support.ts'

describe('gemini-generate encodeRequest: settings', () => {
  describe('refuses settings Gemini cannot express, naming the client field', () => {
    const cases: [string, Partial<IRequest>, string][] = [
      ['six stop sequences', { stop: ['1', '2', '3', '4', '5', '6'], paths: { stop: 'stop' } }, 'stop'],
      ['temperature above 2', { temperature: 2.5, paths: { temperature: 'temperature' } }, 'temperature'],
      ['two answers', { candidateCount: 2, paths: { candidateCount: 'n' } }, 'n'],
      [
        'one call per turn',
        { parallelToolCalls: false, paths: { parallelToolCalls: 'parallel_tool_calls' } },
        'parallel_tool_calls',
      ],
      ['a fractional top_k', { topK: 2.5, paths: { topK: 'top_k' } }, 'top_k'],
    ]
    for (const [what, over, field] of cases) {
      it(what, () => {
        const e = refusal(() => codec.encodeRequest(baseRequest(over), ctx))
        expect(e.field).toBe(field)
      })
    }

    it('a tool name Gemini does not allow', () => {
      const e = refusal(() =>
        codec.encodeRequest(
          baseRequest({ tools: [{ name: '1bad', parameters: {}, path: 'tools[0]' }] }),
          ctx,
        ),
      )
      expect(e.field).toBe('tools[0].name')
    })

    it('tool call arguments that are not JSON', () => {
      const e = refusal(() =>
        codec.encodeRequest(
          baseRequest({
            messages: [
              {
                role: 'assistant',
                parts: [
                  {
                    type: 'tool_call',
                    id: 'c',
                    name: 'f',
                    arguments: '{oops',
                    path: 'messages[0].tool_calls[0]',
                  },
                ],
                path: 'messages[0]',
              },
            ],
          }),
          ctx,
        ),
      )
      expect(e.field).toBe('messages[0].tool_calls[0]')
    })
  })

  it('maps tool choice, JSON schema output and sampling', () => {
    const body = codec.encodeRequest(
      baseRequest({
        tools: [{ name: 'f', parameters: { type: 'object' }, strict: true, path: 't' }],
        toolChoice: { type: 'tool', name: 'f' },
        output: {
          type: 'json_schema',
          name: 'answer',
          schema: { type: 'object', additionalProperties: false },
        },
        temperature: 0,
        maxOutputTokens: 100,
        stop: ['x'],
        presencePenalty: 0.5,
        user: 'u-1',
        cacheKey: 'k',
      }),
      ctx,
    )
    expect(body).toEqual({
      contents: [],
      tools: [{ functionDeclarations: [{ name: 'f', parametersJsonSchema: { type: 'object' } }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] } },
      generationConfig: {
        temperature: 0,
        maxOutputTokens: 100,
        stopSequences: ['x'],
        presencePenalty: 0.5,
        responseMimeType: 'application/json',
        responseJsonSchema: { type: 'object', additionalProperties: false },
      },
    })
  })

  it('maps reasoning: budget, effort by table on 2.5, thinkingLevel on Gemini 3, off, adaptive', () => {
    const thinking = (reasoning: IRequest['reasoning'], model = 'gemini-2.5-pro') =>
      (
        codec.encodeRequest(baseRequest({ reasoning }), { ...ctx, upstreamModel: model }).generationConfig as
          JsonObject | undefined
      )?.thinkingConfig
    expect(thinking({ enabled: true, budgetTokens: 2048, summary: 'auto' })).toEqual({
      thinkingBudget: 2048,
      includeThoughts: true,
    })
    expect(thinking({ enabled: true, effort: 'high' })).toEqual({ thinkingBudget: 24576 })
    expect(thinking({ enabled: true, budgetTokens: 4000 })).toEqual({
      thinkingBudget: 4000,
      includeThoughts: true,
    })
    expect(thinking({ enabled: true, effort: 'low' }, 'gemini-3-pro-preview')).toEqual({
      thinkingLevel: 'low',
    })
    expect(thinking({ enabled: false })).toEqual({ thinkingBudget: 0 })
    expect(thinking({ enabled: true, adaptive: true, summary: 'auto' })).toEqual({
      thinkingBudget: -1,
      includeThoughts: true,
    })
  })

  it("§8 #19: JSON Schema keywords Gemini's OpenAPI subset rejects go unchanged as parametersJsonSchema", () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        mode: { const: 'fast' },
        tags: { type: 'array', items: { type: 'string' }, uniqueItems: true },
        when: { type: ['string', 'null'] },
        where: { $ref: '#/$defs/place' },
      },
      $defs: {
        place: { type: 'object', additionalProperties: false, propertyNames: { pattern: '^[a-z]+$' } },
      },
      additionalProperties: false,
    }
    const body = codec.encodeRequest(
      baseRequest({ tools: [{ name: 'search', parameters: schema, path: 'tools[0]' }] }),
      ctx,
    )
    expect(body.tools).toEqual([{ functionDeclarations: [{ name: 'search', parametersJsonSchema: schema }] }])
    expect(JSON.stringify(body)).not.toContain('"parameters"')
  })

  it('§8 #25: an empty assistant text next to tool calls becomes no part at all', () => {
    const body = codec.encodeRequest(
      baseRequest({
        messages: [
          {
            role: 'assistant',
            parts: [
              { type: 'text', text: '', path: 'messages[0].content' },
              {
                type: 'tool_call',
                id: 'call_1',
                name: 'f',
                arguments: '{}',
                path: 'messages[0].tool_calls[0]',
              },
            ],
            path: 'messages[0]',
          },
        ],
      }),
      ctx,
    )
    const parts = (body.contents as { parts: JsonObject[] }[])[0].parts
    expect(parts).toHaveLength(1)
    expect(parts[0].functionCall).toEqual({ name: 'f', args: {} })
  })
})
