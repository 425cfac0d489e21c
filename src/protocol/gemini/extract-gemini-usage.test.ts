import { describe, expect, it } from 'vitest'
import { extractGeminiUsage } from './extract-gemini-usage.ts'

describe('extractGeminiUsage', () => {
  it('subtracts cached tokens from the prompt and adds thoughts to candidates', () => {
    const body = {
      candidates: [],
      usageMetadata: {
        promptTokenCount: 1500,
        candidatesTokenCount: 220,
        totalTokenCount: 2120,
        cachedContentTokenCount: 1024,
        thoughtsTokenCount: 400,
      },
    }
    // uncached = 1500 - 1024 = 476; output = 220 + 400 = 620.
    expect(extractGeminiUsage(body)).toEqual({
      inputTokens: 476,
      cacheReadTokens: 1024,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      outputTokens: 620,
      reasoningTokens: 400,
      reported: true,
    })
  })

  it('bills tool-use prompt tokens as input', () => {
    const body = {
      usageMetadata: {
        promptTokenCount: 10,
        candidatesTokenCount: 5,
        toolUsePromptTokenCount: 90,
        totalTokenCount: 105,
      },
    }
    expect(extractGeminiUsage(body)).toMatchObject({ inputTokens: 100, outputTokens: 5 })
  })

  it('reports nothing without usageMetadata', () => {
    expect(extractGeminiUsage({ embedding: { values: [] } }).reported).toBe(false)
  })
})
