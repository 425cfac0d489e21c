import { describe, expect, it } from 'vitest'
import { extractAnthropicUsage } from '../anthropic/extract-anthropic-usage.ts'
import { extractGeminiUsage } from '../gemini/extract-gemini-usage.ts'
import { extractOpenAiResponsesUsage } from '../openai/extract-openai-responses-usage.ts'
import { extractOpenAiUsage } from '../openai/extract-openai-usage.ts'
import { createEmptyUsage, MAX_TOKEN_COUNT } from './usage.ts'

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
    const body: unknown = JSON.parse(
      '{"usageMetadata":{"candidatesTokenCount":1.7e308,"thoughtsTokenCount":1.7e308}}',
    )
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
