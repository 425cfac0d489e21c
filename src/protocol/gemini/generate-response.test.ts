import { describe, expect, it } from 'vitest'
import type { IResponse, JsonObject } from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import { geminiGenerateCodec as codec } from './generate-codec.ts'
import { decodeGeminiCallId } from './generate-ids.ts'

const ctx = { model: 'gemini-2.5-pro', requestId: 'req-9', created: 1_700_000_000, includeUsage: false }

const answer = (parts: JsonObject[], finishReason: string, usage?: JsonObject): JsonObject => ({
  candidates: [{ content: { parts, role: 'model' }, finishReason, index: 0 }],
  ...(usage ? { usageMetadata: usage } : {}),
  modelVersion: 'gemini-2.5-pro',
  responseId: 'resp-abc',
})

describe('gemini-generate decodeResponse', () => {
  it('text with thoughts: usage output = candidates + thoughts, input = prompt + tool-use prompt (§8 #10)', () => {
    const res = codec.decodeResponse(
      answer([{ text: 'hmm', thought: true }, { text: 'Hello' }], 'STOP', {
        promptTokenCount: 100,
        cachedContentTokenCount: 60,
        candidatesTokenCount: 20,
        thoughtsTokenCount: 300,
        toolUsePromptTokenCount: 7,
        totalTokenCount: 427,
      }),
    )
    expect(res).toEqual({
      id: 'resp-abc',
      model: 'gemini-2.5-pro',
      parts: [
        { type: 'thinking', text: 'hmm', origin: 'gemini', path: 'candidates[0].content.parts[0]' },
        { type: 'text', text: 'Hello', path: 'candidates[0].content.parts[1]' },
      ],
      finish: 'stop',
      usage: { input: 107, cacheRead: 60, cacheWrite: 0, output: 320, reasoning: 300 },
    })
  })

  it('STOP with functionCall parts is tool_calls (§8 #6); two calls of one function get distinct ids (§8 #4)', () => {
    const res = codec.decodeResponse(
      answer(
        [
          { functionCall: { name: 'read', args: { p: 'a' } }, thoughtSignature: 'c2ln' },
          { functionCall: { name: 'read', args: { p: 'b' } } },
        ],
        'STOP',
      ),
    )
    expect(res.finish).toBe('tool_calls')
    const [a, b] = res.parts
    if (a.type !== 'tool_call' || b.type !== 'tool_call') throw new Error('expected tool calls')
    expect(a.id).not.toBe(b.id)
    expect(a).toMatchObject({ name: 'read', arguments: '{"p":"a"}', thoughtSignature: 'c2ln' })
    expect(decodeGeminiCallId(a.id)?.thoughtSignature).toBe('c2ln')
  })

  it('ids are deterministic: the same answer decodes to the same ids', () => {
    const body = answer([{ functionCall: { name: 'f', args: {} } }], 'STOP')
    expect(codec.decodeResponse(body)).toEqual(codec.decodeResponse(structuredClone(body)))
  })

  it('MAX_TOKENS is length (§8 #7)', () => {
    expect(codec.decodeResponse(answer([{ text: '' }], 'MAX_TOKENS')).finish).toBe('length')
  })

  it('MALFORMED_FUNCTION_CALL is error, never content_filter (§8 #8)', () => {
    expect(codec.decodeResponse(answer([], 'MALFORMED_FUNCTION_CALL')).finish).toBe('error')
  })

  for (const reason of ['SAFETY', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'RECITATION', 'IMAGE_SAFETY'])
    it(`${reason} is content_filter`, () => {
      expect(codec.decodeResponse(answer([], reason)).finish).toBe('content_filter')
    })

  it('a blocked prompt with no candidate is content_filter', () => {
    const res = codec.decodeResponse({
      promptFeedback: { blockReason: 'SAFETY' },
      usageMetadata: { promptTokenCount: 4, totalTokenCount: 4 },
    })
    expect(res).toMatchObject({ parts: [], finish: 'content_filter', usage: { input: 4, output: 0 } })
  })

  it('refuses code-execution parts and several candidates, naming them', () => {
    const e1 = (() => {
      try {
        codec.decodeResponse(answer([{ executableCode: { language: 'PYTHON', code: '1' } }], 'STOP'))
      } catch (e) {
        return e as TranslationRefusal
      }
    })()
    expect(e1?.field).toBe('candidates[0].content.parts[0].executableCode')
    expect(() => codec.decodeResponse({ candidates: [{}, {}] })).toThrow(TranslationRefusal)
  })
})

describe('gemini-generate encodeResponse', () => {
  it('round trip: a Gemini answer decodes and encodes back to itself', () => {
    const bodies = [
      answer(
        [
          { text: 'thinking', thought: true },
          { text: 'Hi', thoughtSignature: 'c2ln' },
        ],
        'STOP',
        {
          promptTokenCount: 10,
          candidatesTokenCount: 2,
          thoughtsTokenCount: 5,
          totalTokenCount: 17,
        },
      ),
      answer(
        [
          { text: 'Calling.' },
          { functionCall: { name: 'a', args: { x: [1, { y: null }] } }, thoughtSignature: 'QUJD+/==' },
          { functionCall: { id: 'gem-id-2', name: 'b', args: {} } },
        ],
        'STOP',
        { promptTokenCount: 10, cachedContentTokenCount: 3, candidatesTokenCount: 9, totalTokenCount: 19 },
      ),
      answer([{ text: 'cut' }], 'MAX_TOKENS'),
      answer([], 'SAFETY'),
      answer([], 'MALFORMED_FUNCTION_CALL'),
    ]
    for (const body of bodies) expect(codec.encodeResponse(codec.decodeResponse(body), ctx)).toEqual(body)
  })

  it('an Anthropic answer for a Gemini client: ids kept, usage with cache in the prompt and no thoughts count', () => {
    const res: IResponse = {
      id: 'msg_1',
      model: 'claude-sonnet',
      parts: [
        { type: 'thinking', text: 'plan', signature: 'EqQB', origin: 'anthropic', path: 'content[0]' },
        { type: 'text', text: 'Let me look.', path: 'content[1]' },
        { type: 'tool_call', id: 'toolu_01', name: 'Read', arguments: '{"file":"a"}', path: 'content[2]' },
      ],
      finish: 'tool_calls',
      usage: { input: 1200, cacheRead: 1000, cacheWrite: 100, output: 50 },
    }
    expect(codec.encodeResponse(res, ctx)).toEqual({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'plan', thought: true },
              { text: 'Let me look.' },
              { functionCall: { id: 'toolu_01', name: 'Read', args: { file: 'a' } } },
            ],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: 1200,
        candidatesTokenCount: 50,
        cachedContentTokenCount: 1000,
        totalTokenCount: 1250,
      },
      modelVersion: 'gemini-2.5-pro',
      responseId: 'msg_1',
    })
  })

  it('an OpenAI answer: reasoning tokens become thoughtsTokenCount, outside candidates', () => {
    const body = codec.encodeResponse(
      {
        id: '',
        model: 'o3',
        parts: [{ type: 'text', text: 'x', path: 'p' }],
        finish: 'length',
        usage: { input: 10, cacheRead: 0, cacheWrite: 0, output: 40, reasoning: 30 },
      },
      ctx,
    )
    expect(body).toMatchObject({
      candidates: [{ finishReason: 'MAX_TOKENS' }],
      usageMetadata: {
        promptTokenCount: 10,
        candidatesTokenCount: 10,
        thoughtsTokenCount: 30,
        totalTokenCount: 50,
      },
      responseId: 'req-9',
    })
  })

  it('a refusal is a SAFETY finish with its text', () => {
    const body = codec.encodeResponse(
      {
        id: 'r',
        model: 'm',
        parts: [{ type: 'refusal', text: 'I cannot help.', path: 'p' }],
        finish: 'refusal',
      },
      ctx,
    )
    expect(body.candidates).toEqual([
      { content: { role: 'model', parts: [{ text: 'I cannot help.' }] }, finishReason: 'SAFETY', index: 0 },
    ])
  })
})
