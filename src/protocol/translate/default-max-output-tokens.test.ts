import { describe, expect, it } from 'vitest'
import { defaultMaxOutputTokens, UNKNOWN_MODEL_MAX_OUTPUT } from './default-max-output-tokens.ts'

describe('defaultMaxOutputTokens', () => {
  it('takes the longest matching family, so a point release is not read as its parent', () => {
    expect(defaultMaxOutputTokens('claude-opus-4-20250514')).toBe(32_000)
    expect(defaultMaxOutputTokens('claude-opus-4-5-20251101')).toBe(64_000)
    expect(defaultMaxOutputTokens('claude-3-5-haiku-latest')).toBe(8_192)
    expect(defaultMaxOutputTokens('claude-3-haiku-20240307')).toBe(4_096)
    expect(defaultMaxOutputTokens('models/gemini-2.5-pro')).toBe(65_536)
    expect(defaultMaxOutputTokens('GPT-4o-mini')).toBe(16_384)
  })

  it('gives a model of no listed family the documented default, not one figure for every model', () => {
    expect(defaultMaxOutputTokens('llama-3.3-70b')).toBe(UNKNOWN_MODEL_MAX_OUTPUT)
    expect(
      new Set(['claude-sonnet-4-5', 'claude-3-opus', 'gemini-2.0-flash'].map(defaultMaxOutputTokens)).size,
    ).toBe(3)
  })
})
