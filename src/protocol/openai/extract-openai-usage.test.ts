import { describe, expect, it } from 'vitest'
import { extractOpenAiResponsesUsage } from './extract-openai-responses-usage.ts'
import { extractOpenAiUsage } from './extract-openai-usage.ts'
import { createEmptyUsage } from '../usage/usage.ts'

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
