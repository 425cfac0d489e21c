import { describe, expect, it } from 'vitest'
import type { IMessage, IRequest, ITool } from '../translate/internal-model.ts'
import { encodeAnthropicRequest } from './messages-encode-request.ts'
import {
  ctx,
  parallelHistory,
  refusedField,
  request,
} from '../../../test/support/protocol/messages-request-fixtures.ts'

describe('encodeAnthropicRequest thinking', () => {
  const thinkingPaths = {
    reasoning: 'thinking',
    temperature: 'temperature',
    topK: 'top_k',
    topP: 'top_p',
    toolChoice: 'tool_choice',
  }
  const tools: ITool[] = [{ name: 'f', parameters: { type: 'object' }, path: 'tools[0]' }]

  it('encodes enabled with budget, adaptive with effort, disabled, and effort alone', () => {
    const enc = (reasoning: IRequest['reasoning']) => {
      const body = encodeAnthropicRequest(request({ reasoning, maxOutputTokens: 4000 }), ctx)
      return { thinking: body.thinking, output_config: body.output_config }
    }
    expect(enc({ enabled: true, budgetTokens: 2048 })).toEqual({
      thinking: { type: 'enabled', budget_tokens: 2048 },
      output_config: undefined,
    })
    expect(enc({ enabled: true, adaptive: true, effort: 'high' })).toEqual({
      thinking: { type: 'adaptive' },
      output_config: { effort: 'high' },
    })
    expect(enc({ enabled: false })).toEqual({ thinking: { type: 'disabled' }, output_config: undefined })
    expect(enc({ enabled: false, effort: 'low' })).toEqual({
      thinking: undefined,
      output_config: { effort: 'low' },
    })
    expect(enc({ enabled: true, effort: 'none' })).toEqual({
      thinking: { type: 'disabled' },
      output_config: undefined,
    })
  })

  it('derives a budget from an OpenAI effort (the documented table, at most half of max_tokens)', () => {
    const body = encodeAnthropicRequest(request({ reasoning: { enabled: true, effort: 'high' } }), ctx)
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 16384 })
    expect(body.output_config).toBeUndefined()
    const small = encodeAnthropicRequest(
      request({ reasoning: { enabled: true, effort: 'high' }, maxOutputTokens: 4000 }),
      ctx,
    )
    expect(small.thinking).toEqual({ type: 'enabled', budget_tokens: 2000 })
  })

  it.each([
    ['budget below 1024', { reasoning: { enabled: true, budgetTokens: 512 } }, 'thinking'],
    [
      'budget not below max_tokens',
      { reasoning: { enabled: true, budgetTokens: 4000 }, maxOutputTokens: 4000 },
      'thinking',
    ],
    [
      'temperature with thinking',
      { reasoning: { enabled: true, budgetTokens: 2048 }, temperature: 0.3 },
      'temperature',
    ],
    ['top_k with thinking', { reasoning: { enabled: true, adaptive: true }, topK: 5 }, 'top_k'],
    ['top_p below 0.95 with thinking', { reasoning: { enabled: true, adaptive: true }, topP: 0.5 }, 'top_p'],
    [
      'forced tool with thinking',
      { reasoning: { enabled: true, adaptive: true }, tools, toolChoice: { type: 'required' } },
      'tool_choice',
    ],
  ] as const)('refuses %s naming the field', (_name, over, field) => {
    expect(refusedField(request({ ...(over as Partial<IRequest>), paths: thinkingPaths }))).toBe(field)
  })

  it('accepts temperature 1 and top_p 0.95 with thinking', () => {
    const body = encodeAnthropicRequest(
      request({
        reasoning: { enabled: true, budgetTokens: 2048 },
        temperature: 1,
        topP: 0.95,
        maxOutputTokens: 8000,
      }),
      ctx,
    )
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 })
  })

  it("§8 #3: another provider's open tool loop is sent without thinking (documented policy)", () => {
    const messages: IMessage[] = [
      ...parallelHistory.slice(0, 4).map((m, i) =>
        i === 1
          ? {
              ...m,
              parts: [
                { type: 'thinking' as const, text: 'gpt thought', origin: 'openai' as const, path: 'r' },
                ...m.parts,
              ],
            }
          : m,
      ),
    ]
    const body = encodeAnthropicRequest(
      request({
        messages,
        reasoning: { enabled: true, adaptive: true, effort: 'high' },
        temperature: 0.2,
        paths: thinkingPaths,
      }),
      ctx,
    )
    expect(body.thinking).toBeUndefined()
    expect(JSON.stringify(body.messages)).not.toContain('gpt thought')
    // The same history with Anthropic's signed thinking in the calling turn keeps thinking on.
    const signed = messages.map((m, i) =>
      i === 1
        ? {
            ...m,
            parts: [
              {
                type: 'thinking' as const,
                text: 't',
                signature: 's',
                origin: 'anthropic' as const,
                path: 'r',
              },
              ...m.parts,
            ],
          }
        : m,
    )
    const kept = encodeAnthropicRequest(
      request({ messages: signed, reasoning: { enabled: true, adaptive: true } }),
      ctx,
    )
    expect(kept.thinking).toEqual({ type: 'adaptive' })
  })
})
