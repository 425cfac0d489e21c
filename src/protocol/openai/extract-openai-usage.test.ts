import { describe, expect, it } from 'vitest'
import { extractAnthropicUsage } from './extract-anthropic-usage.ts'
import { extractGeminiUsage } from './extract-gemini-usage.ts'
import { extractOpenAiResponsesUsage } from './extract-openai-responses-usage.ts'
import { extractOpenAiUsage } from './extract-openai-usage.ts'
import { countPromptTokens, createEmptyUsage, MAX_TOKEN_COUNT } from './usage.ts'

describe('extractOpenAiUsage', () => {
  it('subtracts cached tokens from prompt tokens and keeps reasoning inside output', () => {
    const body = {
      object: 'chat.completion',
      usage: {
        prompt_tokens: 2006,
        completion_tokens: 300,
        total_tokens: 2306,
        prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 256, audio_tokens: 0 },
      },
    }
    // uncached = 2006 - 1920 = 86; output = 300 (reasoning 256 already inside).
    expect(extractOpenAiUsage(body)).toEqual({
      inputTokens: 86,
      cacheReadTokens: 1920,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      outputTokens: 300,
      reasoningTokens: 256,
      reported: true,
    })
  })

  it('reads embeddings usage (no completion tokens)', () => {
    expect(
      extractOpenAiUsage({ object: 'list', usage: { prompt_tokens: 8, total_tokens: 8 } }),
    ).toMatchObject({
      inputTokens: 8,
      outputTokens: 0,
      reported: true,
    })
  })

  it('reads DeepSeek prompt_cache_hit_tokens as cached', () => {
    const usage = {
      prompt_tokens: 100,
      completion_tokens: 10,
      prompt_cache_hit_tokens: 64,
      prompt_cache_miss_tokens: 36,
    }
    expect(extractOpenAiUsage({ usage })).toMatchObject({
      inputTokens: 36,
      cacheReadTokens: 64,
      outputTokens: 10,
    })
  })

  it('reads token-billed image/transcription usage in Responses field names', () => {
    const usage = {
      input_tokens: 50,
      output_tokens: 4160,
      total_tokens: 4210,
      input_tokens_details: { text_tokens: 50, image_tokens: 0 },
    }
    expect(extractOpenAiUsage({ created: 1, data: [], usage })).toMatchObject({
      inputTokens: 50,
      outputTokens: 4160,
    })
  })

  it('reports nothing when the body has no usage', () => {
    expect(extractOpenAiUsage({ choices: [] })).toEqual(createEmptyUsage())
    expect(extractOpenAiUsage(null)).toEqual(createEmptyUsage())
    expect(extractOpenAiUsage({ usage: { total_tokens: 'x' } })).toEqual(createEmptyUsage())
  })

  it('never lets cached exceed prompt', () => {
    expect(
      extractOpenAiUsage({
        usage: { prompt_tokens: 5, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 9 } },
      }),
    ).toMatchObject({
      inputTokens: 0,
      cacheReadTokens: 5,
    })
  })
})

describe('extractOpenAiResponsesUsage', () => {
  it('subtracts cached input tokens', () => {
    const body = {
      object: 'response',
      status: 'completed',
      usage: {
        input_tokens: 3000,
        input_tokens_details: { cached_tokens: 2816 },
        output_tokens: 900,
        output_tokens_details: { reasoning_tokens: 640 },
        total_tokens: 3900,
      },
    }
    // uncached = 3000 - 2816 = 184.
    expect(extractOpenAiResponsesUsage(body)).toEqual({
      inputTokens: 184,
      cacheReadTokens: 2816,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      outputTokens: 900,
      reasoningTokens: 640,
      reported: true,
    })
  })

  it('reads the usage of a terminal stream event', () => {
    const event = { type: 'response.completed', response: { usage: { input_tokens: 7, output_tokens: 2 } } }
    expect(extractOpenAiResponsesUsage(event)).toMatchObject({
      inputTokens: 7,
      outputTokens: 2,
      reported: true,
    })
  })
})

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

/**
 * Counterexamples found by extract-usage.fuzz.test.ts. A count no real request reaches (JSON such as `1e400`
 * reads as Infinity; a sum of two huge fields overflows to Infinity; anything above MAX_TOKEN_COUNT) used to
 * come out as an unsafe or infinite token count, which the cost computation then refuses (the request went
 * free) and no bigint column can store. Such usage is not usage: it is read as unreported, so the gateway
 * estimates the request instead of billing garbage.
 */
describe('issue 15 fuzz finding F2: implausible token counts are never returned', () => {
  const unreported = createEmptyUsage()

  it('Gemini: candidates + thoughts overflowing to Infinity is unreported, not Infinity', () => {
    const body = JSON.parse('{"usageMetadata":{"candidatesTokenCount":1.7e308,"thoughtsTokenCount":1.7e308}}')
    expect(extractGeminiUsage(body)).toEqual(unreported)
  })

  it('Gemini: a prompt of 1e400 (Infinity once parsed) is unreported', () => {
    expect(extractGeminiUsage(JSON.parse('{"usageMetadata":{"promptTokenCount":1e400}}'))).toEqual(unreported)
  })

  it('Anthropic, OpenAI and Responses: a count beyond MAX_TOKEN_COUNT is unreported', () => {
    expect(extractAnthropicUsage({ usage: { input_tokens: 1e20, output_tokens: 5 } })).toEqual(unreported)
    expect(
      extractAnthropicUsage({
        usage: { cache_creation: { ephemeral_5m_input_tokens: 1e308, ephemeral_1h_input_tokens: 1e308 } },
      }),
    ).toEqual(unreported)
    expect(extractOpenAiUsage({ usage: { prompt_tokens: 2 ** 53, completion_tokens: 1 } })).toEqual(
      unreported,
    )
    expect(
      extractOpenAiResponsesUsage({ usage: { input_tokens: 1, output_tokens: MAX_TOKEN_COUNT + 1 } }),
    ).toEqual(unreported)
  })

  it('keeps a count of exactly MAX_TOKEN_COUNT', () => {
    expect(
      extractOpenAiUsage({ usage: { prompt_tokens: 0, completion_tokens: MAX_TOKEN_COUNT } }),
    ).toMatchObject({
      outputTokens: MAX_TOKEN_COUNT,
      reported: true,
    })
  })
})
