import { describe, expect, it } from 'vitest'
import { isUsageOnlyChunk } from './is-usage-only-chunk.ts'

describe('isUsageOnlyChunk', () => {
  it('recognises the final include_usage chunk, raw or parsed', () => {
    const raw =
      '{"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}'
    expect(isUsageOnlyChunk(raw)).toBe(true)
    expect(isUsageOnlyChunk(JSON.parse(raw))).toBe(true)
  })

  it('keeps content chunks, including compat chunks that carry usage', () => {
    expect(isUsageOnlyChunk('{"choices":[{"index":0,"delta":{"content":"hi"}}],"usage":null}')).toBe(false)
    expect(
      isUsageOnlyChunk(
        '{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":1}}',
      ),
    ).toBe(false)
    expect(isUsageOnlyChunk('{"choices":[],"usage":null}')).toBe(false)
  })

  it('recognises it with whitespace, and never takes a content chunk for it however its text reads', () => {
    expect(isUsageOnlyChunk('{ "choices" : [ ], "usage" : { "prompt_tokens" : 1 } }')).toBe(true)
    expect(isUsageOnlyChunk('{\n  "choices": [\n  ],\n  "usage": {"total_tokens": 3}\n}')).toBe(true)
    expect(
      isUsageOnlyChunk(
        JSON.stringify({
          choices: [{ index: 0, delta: { content: '"choices":[],"usage":{}' } }],
          usage: null,
        }),
      ),
    ).toBe(false)
  })

  it('keeps [DONE], errors and broken JSON', () => {
    expect(isUsageOnlyChunk('[DONE]')).toBe(false)
    expect(isUsageOnlyChunk('{"error":{"message":"x"}}')).toBe(false)
    expect(isUsageOnlyChunk('{"choices":[],"usage":{')).toBe(false)
    expect(isUsageOnlyChunk(null)).toBe(false)
  })
})
