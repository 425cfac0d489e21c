import { describe, expect, it } from 'vitest'
import type { JsonObject } from '../translate/internal-model.ts'
import { openaiChatCodec } from '../openai/chat-codec.ts'
import { geminiGenerateCodec as gemini } from './generate-codec.ts'
import { ctx } from '../../../test/support/protocol/generate-test-support.ts'

const chatCtx = { model: 'gemini-3-pro', requestId: 'req-x', created: 1_700_000_000, includeUsage: false }

/**
 * A Chat Completions client on a Gemini 3 channel (translation-map §8 #4, #5): Gemini's thought signature rides in
 * the tool-call id the client sees and comes back onto the functionCall part when the client returns the call.
 */
describe('a Chat Completions client on a Gemini channel', () => {
  it('returns the thought signature to Gemini through the tool-call id, and names the function responses', () => {
    const upstream: JsonObject = {
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              {
                functionCall: { name: 'get_weather', args: { city: 'Paris' } },
                thoughtSignature: 'CiQB0e2Kb+/9=',
              },
              { functionCall: { name: 'get_weather', args: { city: 'Rome' } } },
            ],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: 10,
        candidatesTokenCount: 5,
        thoughtsTokenCount: 7,
        totalTokenCount: 22,
      },
      modelVersion: 'gemini-3-pro-preview',
      responseId: 'resp-77',
    }
    const chatAnswer = openaiChatCodec.encodeResponse(gemini.decodeResponse(upstream), chatCtx) as {
      choices: {
        message: { tool_calls: { id: string; function: { name: string; arguments: string } }[] }
        finish_reason: string
      }[]
      usage: { completion_tokens: number }
    }
    const message = chatAnswer.choices[0].message
    expect(chatAnswer.choices[0].finish_reason).toBe('tool_calls')
    expect(chatAnswer.usage.completion_tokens).toBe(12)
    const [a, b] = message.tool_calls
    expect(a.id).not.toBe(b.id)

    const nextTurn = openaiChatCodec.decodeRequest({
      model: 'gemini-3-pro',
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        { role: 'assistant', content: null, tool_calls: message.tool_calls },
        { role: 'tool', tool_call_id: b.id, content: 'sunny' },
        { role: 'tool', tool_call_id: a.id, content: 'rain' },
      ],
    })
    const body = gemini.encodeRequest(nextTurn, { ...ctx, upstreamModel: 'gemini-3-pro-preview' })
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
      {
        role: 'model',
        parts: [
          {
            functionCall: { name: 'get_weather', args: { city: 'Paris' } },
            thoughtSignature: 'CiQB0e2Kb+/9=',
          },
          { functionCall: { name: 'get_weather', args: { city: 'Rome' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { output: 'rain' } } },
          { functionResponse: { name: 'get_weather', response: { output: 'sunny' } } },
        ],
      },
    ])
  })
})
