import { describe, expect, it } from 'vitest'
import type { IRequest } from './internal-model.ts'
import { estimateRequestTokens, MEDIA_PART_TOKENS } from './estimate-request-tokens.ts'

const base: IRequest = { model: 'm', system: [], messages: [], stream: false, paths: {} }

describe('estimateRequestTokens', () => {
  it('counts a token per 4 characters of instructions, messages, tools and calls, rounded up', () => {
    const req: IRequest = {
      ...base,
      system: [{ role: 'system', text: 'abcd', path: 'system' }],
      messages: [
        { role: 'user', path: 'messages[0]', parts: [{ type: 'text', text: 'hello', path: 'p' }] },
        {
          role: 'assistant',
          path: 'messages[1]',
          parts: [{ type: 'tool_call', id: 'c1', name: 'ls', arguments: '{}', path: 'p' }],
        },
        {
          role: 'user',
          path: 'messages[2]',
          parts: [{ type: 'tool_result', callId: 'c1', content: 'a.txt', path: 'p' }],
        },
      ],
      tools: [{ name: 'ls', parameters: { type: 'object' }, path: 'tools[0]' }],
    }
    // 4 + 5 + (2 + 2) + 5 + (2 + 17) = 37 characters
    expect(estimateRequestTokens(req)).toBe(Math.ceil(37 / 4))
  })

  it('counts each image or document a flat amount, whatever its size', () => {
    const img = (data: string): IRequest => ({
      ...base,
      messages: [
        {
          role: 'user',
          path: 'messages[0]',
          parts: [{ type: 'image', source: { kind: 'base64', mediaType: 'image/png', data }, path: 'p' }],
        },
      ],
    })
    expect(estimateRequestTokens(img('AAAA'))).toBe(MEDIA_PART_TOKENS)
    expect(estimateRequestTokens(img('A'.repeat(100_000)))).toBe(MEDIA_PART_TOKENS)
  })
})
