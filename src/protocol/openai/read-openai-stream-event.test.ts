import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fuzzRuns } from '../../../test/support/hostile-json.ts'
import { plainContentDelta, readOpenAiChatStreamEvent } from './read-openai-stream-event.ts'
import { createStreamUsageState } from '../usage/stream-usage-state.ts'

const chunk = (choices: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices,
    ...extra,
  })

/** What the reader makes of one event, through the JSON parse (the text in `{"x":…}` is never the usual shape). */
function readFully(data: string) {
  const state = createStreamUsageState(1 << 20)
  readOpenAiChatStreamEvent(state, { event: 'x', data })
  return state
}

describe('plainContentDelta (the usual content chunk read without a JSON parse)', () => {
  it('reads the text of the usual chunk, with or without logprobs, usage null and other fields', () => {
    expect(plainContentDelta(chunk([{ index: 0, delta: { content: 'Hello' }, finish_reason: null }]))).toBe(
      'Hello',
    )
    const openAi = chunk(
      [{ index: 0, delta: { content: ' wörld 🙂' }, logprobs: null, finish_reason: null }],
      {
        usage: null,
        obfuscation: 'a"b',
      },
    )
    expect(plainContentDelta(openAi)).toBe(' wörld 🙂')
    expect(plainContentDelta(chunk([{ index: 0, delta: { content: '' }, finish_reason: null }]))).toBe('')
  })

  it('leaves every other chunk to the parser', () => {
    const others = [
      chunk([{ index: 0, delta: { content: 'a\nb' }, finish_reason: null }]),
      chunk([{ index: 0, delta: { content: 'say "hi"' }, finish_reason: null }]),
      chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
      chunk([{ index: 0, delta: { content: 'a', refusal: null }, finish_reason: null }]),
      chunk([{ index: 0, delta: { content: 'a' }, finish_reason: 'stop' }]),
      chunk([{ index: 1, delta: { content: 'a' }, finish_reason: null }]),
      chunk([
        { index: 0, delta: { content: 'a' }, finish_reason: null },
        { index: 1, delta: { content: 'b' }, finish_reason: null },
      ]),
      chunk([{ index: 0, delta: { content: 'a' }, finish_reason: null }], {
        usage: { prompt_tokens: 1, completion_tokens: 2 },
      }),
      chunk([{ index: 0, delta: { content: 'a' }, finish_reason: null }], { error: { message: 'x' } }),
      chunk([{ index: 0, delta: { content: 'a' }, finish_reason: null }], { choices: [] }),
      `{"error":null,${chunk([{ index: 0, delta: { content: 'a' }, finish_reason: null }]).slice(1)}`,
      '{"choices": [{"index": 0, "delta": {"content": "a"}, "finish_reason": null}]}',
      `${chunk([{ index: 0, delta: { content: 'a' }, finish_reason: null }])} `,
      '[DONE]',
    ]
    for (const data of others) expect(plainContentDelta(data), data).toBeUndefined()
  })

  it('whenever it reads a chunk, the parser reads the same text and nothing else', () => {
    const value = fc.oneof(
      fc.constant(null),
      fc.string({ maxLength: 6 }),
      fc.integer(),
      fc.constantFrom({ message: 'boom' }, [], { prompt_tokens: 3, completion_tokens: 4 }),
    )
    const key = fc.constantFrom('id', 'model', 'usage', 'error', 'choices', 'obfuscation', 'created')
    const text = fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 }))
    const choice = fc.record(
      {
        index: fc.constantFrom(0, 1),
        delta: fc.oneof(
          fc.record({ content: text }),
          fc.record({ content: text, role: fc.constant('assistant') }),
          fc.record({
            content: text,
            tool_calls: fc.constant([{ function: { name: 'f', arguments: '{}' } }]),
          }),
        ),
        logprobs: fc.constant(null),
        finish_reason: fc.constantFrom(null, 'stop'),
      },
      { requiredKeys: ['index', 'delta', 'finish_reason'] },
    )
    const event = fc
      .tuple(
        fc.array(fc.tuple(key, value), { maxLength: 3 }),
        fc.array(choice, { minLength: 1, maxLength: 2 }),
        fc.array(fc.tuple(key, value), { maxLength: 3 }),
      )
      .map(([before, choices, after]) => {
        const parts = [
          ...before.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`),
          `"choices":${JSON.stringify(choices)}`,
          ...after.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`),
        ]
        return `{${parts.join(',')}}`
      })
    let fastReads = 0
    fc.assert(
      fc.property(event, (data) => {
        const fast = plainContentDelta(data)
        if (fast === undefined) return
        fastReads++
        const full = readFully(data)
        expect(full.texts).toEqual([fast].filter(() => fast.length > 0))
        expect(full.outputChars).toBe(fast.length)
        expect(full.usage.reported).toBe(false)
        expect(full.finishReason).toBeNull()
        expect(full.sawError).toBe(false)
        expect(full.completed).toBe(false)
      }),
      { numRuns: fuzzRuns(2000) },
    )
    expect(fastReads).toBeGreaterThan(0)
  })
})
