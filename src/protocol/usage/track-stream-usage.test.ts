import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { recordedStreams, type RecordedStream } from '../../../test/support/recorded-streams.ts'
import type { SseEvent } from '../sse/parse-sse-stream.ts'
import { parseSse, splitAt } from '../../../test/support/split-and-parse-sse.ts'
import { createStreamUsageTracker, type StreamUsageResult } from './track-stream-usage.ts'
import { createEmptyUsage } from './usage.ts'

const encoder = new TextEncoder()

interface Outcome {
  events: SseEvent[]
  result: StreamUsageResult
}

function run(stream: RecordedStream, chunks: Uint8Array[]): Outcome {
  const tracker = createStreamUsageTracker(stream.kind)
  const { events } = parseSse(chunks, (ev) => tracker.push(ev))
  return { events, result: tracker.result() }
}

describe.each(recordedStreams.map((s) => [s.name, s] as const))('recorded stream: %s', (_name, stream) => {
  const bytes = encoder.encode(stream.wire)
  const reference = run(stream, [bytes])

  it('yields the hand-computed usage, text and outcome', () => {
    const { result, events } = reference
    expect(events).toHaveLength(stream.expected.events)
    expect(result.usage).toEqual(stream.expected.usage)
    expect(result.text).toBe(stream.expected.text)
    expect(result.finishReason).toBe(stream.expected.finishReason)
    expect(result.completed).toBe(stream.expected.completed)
    expect(result.sawError).toBe(stream.expected.sawError)
    expect(result.outputChars).toBeGreaterThanOrEqual(stream.expected.text.length)
    for (const ev of events) expect(ev.data).not.toContain('\uFFFD')
  })

  it('gives the same events and result when split at every byte offset', () => {
    for (let i = 0; i <= bytes.length; i++) {
      expect(run(stream, splitAt(bytes, [i]))).toEqual(reference)
    }
  })

  it('gives the same events and result when fed one byte at a time', () => {
    expect(run(stream, splitAt(bytes, [...bytes.keys()]))).toEqual(reference)
  })

  it('gives the same events and result under random multi-splits (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 40 }), (offsets) => {
        expect(run(stream, splitAt(bytes, offsets))).toEqual(reference)
      }),
      { numRuns: 200 },
    )
  })
})

describe('createStreamUsageTracker', () => {
  it('reports no usage for a compat server that sends none, but counts output characters', () => {
    const tracker = createStreamUsageTracker('openai-chat')
    tracker.push({ data: '{"choices":[{"index":0,"delta":{"content":"abc"},"finish_reason":null}]}' })
    tracker.push({
      data: '{"choices":[{"index":0,"delta":{"reasoning_content":"hmm"},"finish_reason":"stop"}]}',
    })
    const result = tracker.result()
    expect(result.usage.reported).toBe(false)
    expect(result.outputChars).toBe(6)
    expect(result.text).toBe('abc')
    expect(result.completed).toBe(false)
  })

  it('keeps a reported zero usage as reported', () => {
    const tracker = createStreamUsageTracker('openai-chat')
    tracker.push({
      data: '{"choices":[],"usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}',
    })
    expect(tracker.result().usage).toMatchObject({ inputTokens: 0, outputTokens: 0, reported: true })
  })

  it('ignores malformed JSON and flags an OpenAI error event', () => {
    const tracker = createStreamUsageTracker('openai-chat')
    tracker.push({ data: '{not json' })
    tracker.push({ data: '{"error":{"message":"boom","type":"server_error","param":null,"code":null}}' })
    expect(tracker.result()).toMatchObject({ sawError: true, errorMessage: 'boom' })
  })

  it('bills response.incomplete and response.failed', () => {
    const usage =
      '{"input_tokens":10,"input_tokens_details":{"cached_tokens":4},"output_tokens":3,"output_tokens_details":{"reasoning_tokens":1}}'
    const incomplete = createStreamUsageTracker('openai-responses')
    incomplete.push({
      event: 'response.incomplete',
      data: `{"type":"response.incomplete","sequence_number":5,"response":{"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"usage":${usage}}}`,
    })
    expect(incomplete.result()).toMatchObject({
      finishReason: 'max_output_tokens',
      completed: true,
      sawError: false,
      usage: { inputTokens: 6, cacheReadTokens: 4, outputTokens: 3, reasoningTokens: 1, reported: true },
    })
    const failed = createStreamUsageTracker('openai-responses')
    failed.push({
      event: 'response.failed',
      data: `{"type":"response.failed","sequence_number":5,"response":{"status":"failed","error":{"code":"server_error","message":"oops"},"usage":${usage}}}`,
    })
    expect(failed.result()).toMatchObject({
      finishReason: 'failed',
      sawError: true,
      errorMessage: 'oops',
      usage: { inputTokens: 6, outputTokens: 3, reported: true },
    })
  })

  it('takes the last Anthropic value of each field when message_delta repeats only some of them', () => {
    const tracker = createStreamUsageTracker('anthropic')
    tracker.push({
      event: 'message_start',
      data: '{"type":"message_start","message":{"usage":{"input_tokens":100,"cache_read_input_tokens":50,"cache_creation_input_tokens":0,"output_tokens":1}}}',
    })
    tracker.push({
      event: 'message_delta',
      data: '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":40}}',
    })
    tracker.push({
      event: 'message_delta',
      data: '{"type":"message_delta","delta":{},"usage":{"output_tokens":42}}',
    })
    expect(tracker.result().usage).toEqual({
      inputTokens: 100,
      cacheReadTokens: 50,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      outputTokens: 42,
      reasoningTokens: 0,
      reported: true,
    })
  })

  it('flags a Gemini error chunk', () => {
    const tracker = createStreamUsageTracker('gemini')
    tracker.push({
      data: '{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}',
    })
    expect(tracker.result()).toMatchObject({ sawError: true, errorMessage: 'The model is overloaded.' })
  })

  it('bounds the kept text but keeps counting', () => {
    const tracker = createStreamUsageTracker('openai-completions', { maxTextChars: 4 })
    tracker.push({ data: '{"choices":[{"index":0,"text":"abc"}]}' })
    tracker.push({ data: '{"choices":[{"index":0,"text":"def"}]}' })
    expect(tracker.result()).toMatchObject({ text: 'abcd', textTruncated: true, outputChars: 6 })
  })

  it('joins the texts of several choices', () => {
    const tracker = createStreamUsageTracker('openai-chat')
    tracker.push({
      data: '{"choices":[{"index":0,"delta":{"content":"a"}},{"index":1,"delta":{"content":"b"}}]}',
    })
    tracker.push({ data: '{"choices":[{"index":1,"delta":{"content":"c"}}]}' })
    expect(tracker.result().text).toBe('a\nbc')
  })
})

/** Counterexamples found by track-stream-usage.fuzz.test.ts. */
describe('issue 15 fuzz findings in stream metering', () => {
  afterEach(() => {
    // A failing run must not leave the pollution behind for the next test.
    delete (Object.prototype as Record<string, unknown>).polluted
  })

  it('F1: a "__proto__" key in Gemini usageMetadata does not pollute Object.prototype', () => {
    const tracker = createStreamUsageTracker('gemini')
    tracker.push({ data: '{"usageMetadata":{"__proto__":{"polluted":1},"promptTokenCount":3}}' })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(tracker.result().usage).toMatchObject({ inputTokens: 3, reported: true })
  })

  it('F1: a "__proto__" key in Anthropic message_delta usage does not pollute Object.prototype', () => {
    const tracker = createStreamUsageTracker('anthropic')
    tracker.push({
      event: 'message_delta',
      data: '{"type":"message_delta","delta":{},"usage":{"output_tokens":7,"__proto__":{"polluted":1}}}',
    })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(tracker.result().usage).toMatchObject({ outputTokens: 7, reported: true })
  })

  it('F2: a Gemini stream whose running usage becomes implausible is metered as unreported', () => {
    const tracker = createStreamUsageTracker('gemini')
    tracker.push({ data: '{"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":1}}' })
    tracker.push({ data: '{"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":1e400}}' })
    expect(tracker.result().usage).toEqual(createEmptyUsage())
  })

  it('F3: deeply nested Gemini functionCall args do not throw (JSON.stringify overflowed the stack)', () => {
    const depth = 200_000
    const args = '['.repeat(depth) + ']'.repeat(depth)
    const tracker = createStreamUsageTracker('gemini')
    const data = `{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":${args}}}]},"finishReason":"STOP"}]}`
    expect(() => tracker.push({ data })).not.toThrow()
    expect(tracker.result()).toMatchObject({ completed: true, finishReason: 'STOP' })
    expect(tracker.result().outputChars).toBeGreaterThanOrEqual(1)
  })

  it('F4: a fractional choice index keeps the answer text (it went to a property texts["1.5"])', () => {
    const tracker = createStreamUsageTracker('openai-chat')
    tracker.push({ data: '{"choices":[{"index":1.5,"delta":{"content":"hello"}}]}' })
    expect(tracker.result()).toMatchObject({ text: 'hello', outputChars: 5 })
    const gemini = createStreamUsageTracker('gemini')
    gemini.push({ data: '{"candidates":[{"index":0.5,"content":{"parts":[{"text":"hi"}]}}]}' })
    expect(gemini.result().text).toBe('hi')
  })
})
