import { describe, expect, it } from 'vitest'
import { extractAnthropicUsage } from './extract-anthropic-usage.ts'
import { countPromptTokens } from '../usage/usage.ts'

describe('extractAnthropicUsage', () => {
  it('keeps input, cache reads and cache writes disjoint and splits out 1h writes', () => {
    const body = {
      type: 'message',
      usage: {
        input_tokens: 12,
        cache_creation_input_tokens: 4500,
        cache_read_input_tokens: 20000,
        cache_creation: { ephemeral_5m_input_tokens: 500, ephemeral_1h_input_tokens: 4000 },
        output_tokens: 812,
        service_tier: 'standard',
      },
    }
    const usage = extractAnthropicUsage(body)
    expect(usage).toEqual({
      inputTokens: 12,
      cacheReadTokens: 20000,
      cacheWriteTokens: 500,
      cacheWrite1hTokens: 4000,
      outputTokens: 812,
      reasoningTokens: 0,
      reported: true,
    })
    // prompt = 12 + 20000 + 4500
    expect(countPromptTokens(usage)).toBe(24512)
  })

  it('treats cache writes without a TTL breakdown as 5-minute writes', () => {
    const body = {
      usage: {
        input_tokens: 3,
        cache_creation_input_tokens: 100,
        cache_read_input_tokens: 0,
        output_tokens: 9,
      },
    }
    expect(extractAnthropicUsage(body)).toMatchObject({
      inputTokens: 3,
      cacheWriteTokens: 100,
      cacheWrite1hTokens: 0,
    })
  })

  it('reads count-less bodies as unreported', () => {
    expect(extractAnthropicUsage({ input_tokens: 5 }).reported).toBe(false)
  })
})
