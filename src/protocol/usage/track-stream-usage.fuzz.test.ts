/**
 * Fuzzing stream metering: random streams of each protocol (events of the right and wrong shapes, hostile
 * numbers and keys, raw garbage), parsed from bytes split anywhere. Whatever the provider streams, the tracker
 * never throws, bills integer counts from 0 to MAX_TOKEN_COUNT, never bills a repeated cumulative chunk twice,
 * gives the same result however the bytes were split, and leaves Object.prototype alone.
 * FUZZ_RUNS=n runs each property n times.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  FUZZ_TIMEOUT,
  arrayText,
  countText,
  deeplyNested,
  fuzzRuns,
  jsonText,
  lit,
  objectText,
  prototypeWasPolluted,
  stringLiteral,
  usageShapes,
} from '../../../test/support/hostile-json.ts'
import type { SseEvent } from '../sse/parse-sse-stream.ts'
import { encodeSseWire, parseSse, splitAt } from '../../../test/support/split-and-parse-sse.ts'
import { createStreamUsageTracker, type StreamKind, type StreamUsageResult } from './track-stream-usage.ts'
import { createEmptyUsage, MAX_TOKEN_COUNT } from './usage.ts'

const KNOWN_KEYS = [
  'type',
  'index',
  'choices',
  'delta',
  'content',
  'text',
  'usage',
  'usageMetadata',
  'candidates',
  'parts',
  'message',
  'response',
  'error',
  'finish_reason',
  'finishReason',
  'prompt_tokens',
  'completion_tokens',
  'input_tokens',
  'output_tokens',
  'promptTokenCount',
  'candidatesTokenCount',
]
const noise = jsonText(KNOWN_KEYS, 3)
const text = stringLiteral
const index = fc.oneof(
  { weight: 4, arbitrary: fc.nat({ max: 3 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('-1', '1.5', '1e400', '1023', '1024', '4294967295', 'NaN', '"0"') },
)
const rare = ['error']

const {
  openAi: openAiUsage,
  responses: responsesUsage,
  anthropic: anthropicUsage,
  gemini: geminiUsage,
} = usageShapes(noise)
const errorObject = objectText({ message: text, code: countText }, noise)

const openAiChunk = objectText(
  {
    object: lit('chat.completion.chunk', 'text_completion'),
    choices: arrayText(
      objectText(
        {
          index,
          text,
          delta: objectText(
            {
              content: text,
              refusal: text,
              reasoning_content: text,
              reasoning: text,
              tool_calls: arrayText(
                objectText({ function: objectText({ name: text, arguments: text }, noise) }, noise),
                noise,
              ),
            },
            noise,
          ),
          finish_reason: fc.oneof(lit('stop', 'length'), fc.constant('null')),
        },
        noise,
      ),
      noise,
    ),
    usage: fc.oneof(openAiUsage, fc.constant('null')),
    error: errorObject,
  },
  noise,
  rare,
)

const RESPONSES_TYPES = [
  'response.output_text.delta',
  'response.refusal.delta',
  'response.function_call_arguments.delta',
  'response.reasoning_text.delta',
  'response.completed',
  'response.incomplete',
  'response.failed',
  'response.created',
  'error',
]
const responsesEvent = objectText(
  {
    type: lit(...RESPONSES_TYPES),
    delta: text,
    response: objectText(
      {
        usage: responsesUsage,
        incomplete_details: objectText({ reason: text }, noise),
        error: errorObject,
      },
      noise,
    ),
    message: text,
    error: errorObject,
  },
  noise,
  rare,
)

const ANTHROPIC_TYPES = [
  'message_start',
  'content_block_start',
  'content_block_delta',
  'message_delta',
  'message_stop',
  'ping',
  'error',
]
const anthropicEvent = objectText(
  {
    type: lit(...ANTHROPIC_TYPES),
    message: objectText({ usage: anthropicUsage }, noise),
    content_block: objectText({ type: lit('text', 'tool_use', 'thinking'), text, name: text }, noise),
    delta: objectText(
      {
        type: lit('text_delta', 'input_json_delta', 'thinking_delta'),
        text,
        partial_json: text,
        thinking: text,
        stop_reason: text,
      },
      noise,
    ),
    usage: anthropicUsage,
    error: errorObject,
  },
  noise,
)

const geminiChunk = objectText(
  {
    candidates: arrayText(
      objectText(
        {
          index,
          content: objectText(
            {
              parts: arrayText(
                objectText(
                  {
                    text,
                    thought: fc.constantFrom('true', 'false'),
                    functionCall: objectText({ name: text, args: noise }, noise),
                  },
                  noise,
                ),
                noise,
              ),
            },
            noise,
          ),
          finishReason: lit('STOP', 'MAX_TOKENS', 'SAFETY'),
        },
        noise,
      ),
      noise,
    ),
    usageMetadata: geminiUsage,
    promptFeedback: objectText({ blockReason: text }, noise),
    error: errorObject,
  },
  noise,
  rare,
)

interface Protocol {
  kind: StreamKind
  data: fc.Arbitrary<string>
  /** `event:` names the protocol uses (the readers look at some of them). */
  events: string[]
}

const PROTOCOLS: Protocol[] = [
  { kind: 'openai-chat', data: fc.oneof(openAiChunk, fc.constant('[DONE]')), events: ['error'] },
  { kind: 'openai-completions', data: fc.oneof(openAiChunk, fc.constant('[DONE]')), events: [] },
  { kind: 'openai-responses', data: responsesEvent, events: RESPONSES_TYPES },
  { kind: 'anthropic', data: anthropicEvent, events: ANTHROPIC_TYPES },
  { kind: 'gemini', data: geminiChunk, events: [] },
]

/** An event: usually the protocol's shape, sometimes any JSON or any text; event names right or wrong. */
function eventArb(p: Protocol): fc.Arbitrary<SseEvent> {
  const name = fc.option(
    fc.oneof(
      fc.constantFrom(...p.events, 'message', 'error'),
      fc.string({ unit: 'grapheme', maxLength: 10 }).filter((s) => !/[\r\n]/.test(s)),
    ),
    { nil: undefined },
  )
  const data = fc.oneof(
    { weight: 8, arbitrary: p.data },
    { weight: 1, arbitrary: noise },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  )
  // Parsed data never holds a lone `\r`; the parser reports every line break as `\n`.
  return fc
    .record({ event: name, data: data.map((d) => d.replace(/\r\n?/g, '\n')) })
    .map(({ event, data }) => (event === undefined ? { data } : { event, data }))
}

/** Fails (after putting the prototypes back, so the next run is judged on its own) if anything polluted them. */
function expectNoPollution(): void {
  if (prototypeWasPolluted()) throw new Error('Object.prototype or Array.prototype was changed')
}

function track(kind: StreamKind, events: SseEvent[], maxTextChars?: number): StreamUsageResult {
  const tracker = createStreamUsageTracker(kind, { maxTextChars })
  try {
    for (const ev of events) tracker.push(ev)
    return tracker.result()
  } finally {
    expectNoPollution()
  }
}

const COUNT_FIELDS = [
  'inputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'cacheWrite1hTokens',
  'outputTokens',
  'reasoningTokens',
] as const

function expectSound(result: StreamUsageResult, maxTextChars: number): void {
  const { usage } = result
  for (const field of COUNT_FIELDS) {
    const n = usage[field]
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_TOKEN_COUNT) {
      throw new Error(`usage.${field} is ${n}, not an integer from 0 to MAX_TOKEN_COUNT`)
    }
  }
  if (!usage.reported) expect(usage).toEqual(createEmptyUsage())
  expect(usage.reasoningTokens).toBeLessThanOrEqual(usage.outputTokens)
  expect(Number.isSafeInteger(result.outputChars) && result.outputChars >= 0).toBe(true)
  expect(typeof result.text).toBe('string')
  // The kept text is bounded; joining up to 1,024 choices adds at most 1,023 separators.
  expect(result.text.length).toBeLessThanOrEqual(maxTextChars + 1023)
  expect(result.text.replace(/\n/g, '').length).toBeLessThanOrEqual(result.outputChars)
  expect(result.sawError).toBe(result.errorMessage !== null)
  if (result.errorMessage !== null) expect(result.errorMessage.length).toBeGreaterThan(0)
  expect(result.finishReason === null || typeof result.finishReason === 'string').toBe(true)
  expect(typeof result.completed).toBe('boolean')
}

function meterWire(
  kind: StreamKind,
  chunks: Uint8Array[],
): { events: SseEvent[]; result: StreamUsageResult } {
  const tracker = createStreamUsageTracker(kind)
  try {
    const { events } = parseSse(chunks, (ev) => tracker.push(ev))
    return { events, result: tracker.result() }
  } finally {
    expectNoPollution()
  }
}

describe.each(PROTOCOLS.map((p) => [p.kind, p] as const))('stream metering fuzz: %s', (kind, p) => {
  const events = fc.array(eventArb(p), { maxLength: 12 })

  it(
    'never throws, bills integer counts from 0 to MAX_TOKEN_COUNT, never touches Object.prototype',
    () => {
      fc.assert(
        fc.property(events, fc.nat({ max: 64 }), (evs, maxTextChars) => {
          expectSound(track(kind, evs, maxTextChars), maxTextChars)
        }),
        { numRuns: fuzzRuns(150) },
      )
    },
    FUZZ_TIMEOUT,
  )

  it(
    'never bills a repeated chunk twice: usage and outcome are those of the stream without repeats',
    () => {
      fc.assert(
        fc.property(events, (evs) => {
          const once = track(kind, evs)
          const twice = track(
            kind,
            evs.flatMap((ev) => [ev, ev]),
          )
          expect(twice.usage).toEqual(once.usage)
          expect(twice.completed).toBe(once.completed)
          expect(twice.finishReason).toBe(once.finishReason)
          expect(twice.errorMessage).toBe(once.errorMessage)
        }),
        { numRuns: fuzzRuns(100) },
      )
    },
    FUZZ_TIMEOUT,
  )

  it(
    'gives the same events and result however the wire bytes are split',
    () => {
      fc.assert(
        fc.property(
          events,
          fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n'),
          fc.boolean(),
          fc.array(fc.nat(), { maxLength: 16 }),
          (evs, lineEnd, heartbeats, offsets) => {
            const bytes = encodeSseWire(evs, lineEnd, heartbeats)
            const whole = meterWire(kind, [bytes])
            expect(meterWire(kind, splitAt(bytes, offsets, true))).toEqual(whole)
            // Framing changes nothing: metering the wire is metering the events.
            expect(whole.result).toEqual(track(kind, whole.events))
          },
        ),
        { numRuns: fuzzRuns(100) },
      )
    },
    FUZZ_TIMEOUT,
  )
})

describe('stream metering fuzz: pathological events in bounded time', () => {
  const deepArray = deeplyNested(50_000, 'array')
  const deepObject = deeplyNested(50_000, 'object')
  const cases: [StreamKind, string][] = [
    ['gemini', `{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":${deepObject}}}]}}]}`],
    ['gemini', `{"usageMetadata":${deepObject},"candidates":${deepArray}}`],
    ['anthropic', `{"type":"message_delta","usage":${deepObject},"delta":${deepObject}}`],
    ['anthropic', `{"type":"message_start","message":{"usage":{"cache_creation":${deepObject}}}}`],
    ['openai-chat', `{"choices":[{"index":0,"delta":${deepObject}}],"usage":${deepObject}}`],
    ['openai-responses', `{"type":"response.completed","response":{"usage":${deepObject}}}`],
  ]

  it.each(cases.map(([k, d], i) => [i, k, d] as const))('case %i (%s): deep nesting', (_i, kind, data) => {
    const started = performance.now()
    const result = track(kind, [{ data }, { data }])
    expectSound(result, 1_048_576)
    expect(performance.now() - started).toBeLessThan(2_000)
  })

  it('a chunk of 100,000 choices with far and fractional indexes', () => {
    const choices = Array.from({ length: 100_000 }, (_, i) => ({
      index: [i, 1023, 1e9, 0.5, -1][i % 5],
      delta: { content: 'x' },
    }))
    const started = performance.now()
    const result = track('openai-chat', [{ data: JSON.stringify({ choices }) }])
    expectSound(result, 1_048_576)
    expect(result.outputChars).toBe(100_000)
    expect(result.text.replace(/\n/g, '')).toHaveLength(100_000)
    expect(performance.now() - started).toBeLessThan(2_000)
  })

  it('usage with 10,000 distinct keys, merged 20 times', () => {
    const usage: Record<string, number> = { promptTokenCount: 5 }
    for (let i = 0; i < 10_000; i++) usage[`k${i}`] = i
    const data = JSON.stringify({ usageMetadata: usage })
    const started = performance.now()
    const result = track(
      'gemini',
      Array.from({ length: 20 }, () => ({ data })),
    )
    expect(result.usage).toMatchObject({ inputTokens: 5, reported: true })
    expect(performance.now() - started).toBeLessThan(3_000)
  })
})
