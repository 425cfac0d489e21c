/**
 * Fuzzing the usage extractors with bodies of the right and wrong shapes (see test/support/hostile-json.ts):
 * whatever a provider sends, billing gets integer token counts from 0 to MAX_TOKEN_COUNT, the body is not
 * changed, and Object.prototype is not touched. FUZZ_RUNS=n runs each property n times.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  FUZZ_TIMEOUT,
  arrayText,
  deeplyNested,
  fuzzRuns,
  jsonText,
  lit,
  objectText,
  prototypeWasPolluted,
  stringLiteral,
  usageShapes,
  USAGE_KEYS,
} from '../../../test/support/hostile-json.ts'
import { convertAnthropicUsage, extractAnthropicUsage } from '../anthropic/extract-anthropic-usage.ts'
import { convertGeminiUsage, extractGeminiUsage } from '../gemini/extract-gemini-usage.ts'
import {
  convertOpenAiResponsesUsage,
  extractOpenAiResponsesUsage,
} from '../openai/extract-openai-responses-usage.ts'
import { convertOpenAiUsage, extractOpenAiUsage } from '../openai/extract-openai-usage.ts'
import { countPromptTokens, createEmptyUsage, MAX_TOKEN_COUNT, type Usage } from './usage.ts'

const noise = jsonText(USAGE_KEYS, 3)
const shapes = usageShapes(noise)
const openAiUsage = shapes.openAi
const responsesUsage = shapes.responses
const anthropicUsage = shapes.anthropic
const geminiUsage = shapes.gemini

interface Extractor {
  name: string
  extract: (body: unknown) => Usage
  convert: (usage: unknown) => Usage
  body: fc.Arbitrary<string>
  usage: fc.Arbitrary<string>
}

const EXTRACTORS: Extractor[] = [
  {
    name: 'OpenAI chat/completions/embeddings',
    extract: extractOpenAiUsage,
    convert: convertOpenAiUsage,
    body: objectText(
      {
        object: lit('chat.completion', 'list', 'text_completion'),
        usage: fc.oneof(openAiUsage, responsesUsage),
        choices: arrayText(noise, noise),
      },
      noise,
    ),
    usage: fc.oneof(openAiUsage, responsesUsage),
  },
  {
    name: 'OpenAI Responses',
    extract: extractOpenAiResponsesUsage,
    convert: convertOpenAiResponsesUsage,
    body: objectText(
      {
        object: lit('response'),
        type: lit('response.completed', 'response.failed'),
        usage: responsesUsage,
        response: objectText({ usage: responsesUsage, status: stringLiteral }, noise),
      },
      noise,
    ),
    usage: responsesUsage,
  },
  {
    name: 'Anthropic Messages',
    extract: extractAnthropicUsage,
    convert: convertAnthropicUsage,
    body: objectText(
      { type: lit('message'), usage: anthropicUsage, content: arrayText(noise, noise) },
      noise,
    ),
    usage: anthropicUsage,
  },
  {
    name: 'Gemini',
    extract: extractGeminiUsage,
    convert: convertGeminiUsage,
    body: objectText({ usageMetadata: geminiUsage, candidates: arrayText(noise, noise) }, noise),
    usage: geminiUsage,
  },
]

const COUNT_FIELDS = [
  'inputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'cacheWrite1hTokens',
  'outputTokens',
  'reasoningTokens',
] as const

/** What billing relies on, whatever the input was. */
function expectBillable(usage: Usage): void {
  for (const field of COUNT_FIELDS) {
    const n = usage[field]
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_TOKEN_COUNT || Object.is(n, -0)) {
      throw new Error(`${field} is ${n}, not an integer from 0 to MAX_TOKEN_COUNT`)
    }
  }
  expect(typeof usage.reported).toBe('boolean')
  if (!usage.reported) expect(usage).toEqual(createEmptyUsage())
  // Reasoning is informational and already inside the output: it can never exceed it.
  expect(usage.reasoningTokens).toBeLessThanOrEqual(usage.outputTokens)
  expect(Object.keys(usage).sort()).toEqual(Object.keys(createEmptyUsage()).sort())
}

describe.each(EXTRACTORS.map((e) => [e.name, e] as const))('usage extractor fuzz: %s', (_name, ex) => {
  it(
    'gives billable counts for any body of the right or wrong shape, leaves it unchanged and the prototype clean',
    () => {
      fc.assert(
        fc
          .property(fc.oneof({ weight: 4, arbitrary: ex.body }, { weight: 1, arbitrary: noise }), (text) => {
            const body: unknown = JSON.parse(text)
            const before = JSON.stringify(body)
            const usage = ex.extract(body)
            expect(prototypeWasPolluted()).toBe(false)
            expectBillable(usage)
            expect(JSON.stringify(body)).toBe(before)
          })
          .afterEach(() => void prototypeWasPolluted()),
        { numRuns: fuzzRuns(300) },
      )
    },
    FUZZ_TIMEOUT,
  )

  it(
    'gives billable counts for any usage object and any JavaScript value (NaN, Infinity, -0, bigint, sparse arrays)',
    () => {
      fc.assert(
        fc
          .property(
            fc.oneof(
              ex.usage.map((t) => JSON.parse(t) as unknown),
              fc.anything({
                withBigInt: true,
                withNullPrototype: true,
                withSparseArray: true,
                withBoxedValues: true,
                withMap: true,
                withTypedArray: true,
                withUnicodeString: true,
              }),
              fc.dictionary(fc.constantFrom(...USAGE_KEYS), fc.double()),
            ),
            (value) => {
              const converted = ex.convert(value)
              const extracted = ex.extract({ usage: value, usageMetadata: value, response: { usage: value } })
              expect(prototypeWasPolluted()).toBe(false)
              expectBillable(converted)
              expectBillable(extracted)
            },
          )
          .afterEach(() => void prototypeWasPolluted()),
        { numRuns: fuzzRuns(300) },
      )
    },
    FUZZ_TIMEOUT,
  )

  it('reads deeply nested usage in bounded time without throwing', () => {
    const started = performance.now()
    for (const kind of ['array', 'object'] as const) {
      const nested = deeplyNested(50_000, kind)
      const body: unknown = JSON.parse(
        `{"usage":${nested},"usageMetadata":${nested},"response":{"usage":${nested}}}`,
      )
      const usage = ex.extract(body)
      expect(prototypeWasPolluted()).toBe(false)
      expectBillable(usage)
    }
    expect(performance.now() - started).toBeLessThan(2_000)
  })
})

/** A field absent or holding an integer; two of them may add up to more than MAX_TOKEN_COUNT. */
const plausible = fc.option(fc.nat({ max: 600_000_000 }), { nil: undefined })

/** Prompt conservation: each prompt token lands in exactly one input category, so it is billed exactly once. */
describe('usage extractor fuzz: every prompt and output token is billed once', () => {
  /** `overflow`: a billed field (a sum of reported fields) would exceed MAX_TOKEN_COUNT. */
  function expectCounts(usage: Usage, prompt: number, output: number, reported: boolean, overflow = false) {
    if (!reported || overflow) return expect(usage).toEqual(createEmptyUsage())
    expectBillable(usage)
    expect(usage.reported).toBe(true)
    expect(countPromptTokens(usage)).toBe(prompt)
    expect(usage.outputTokens).toBe(output)
  }

  it(
    'OpenAI: prompt = prompt_tokens (cached inside), output = completion_tokens',
    () => {
      fc.assert(
        fc.property(plausible, plausible, plausible, plausible, (prompt, completion, cached, reasoning) => {
          const usage = convertOpenAiUsage({
            prompt_tokens: prompt,
            completion_tokens: completion,
            prompt_tokens_details: { cached_tokens: cached },
            completion_tokens_details: { reasoning_tokens: reasoning },
          })
          expectCounts(usage, prompt ?? 0, completion ?? 0, prompt !== undefined || completion !== undefined)
          if (usage.reported) expect(usage.cacheReadTokens).toBe(Math.min(prompt ?? 0, cached ?? 0))
        }),
        { numRuns: fuzzRuns(300) },
      )
    },
    FUZZ_TIMEOUT,
  )

  it(
    'Responses: prompt = input_tokens (cached inside), output = output_tokens',
    () => {
      fc.assert(
        fc.property(plausible, plausible, plausible, (input, output, cached) => {
          const usage = convertOpenAiResponsesUsage({
            input_tokens: input,
            output_tokens: output,
            input_tokens_details: { cached_tokens: cached },
          })
          expectCounts(usage, input ?? 0, output ?? 0, input !== undefined || output !== undefined)
        }),
        { numRuns: fuzzRuns(300) },
      )
    },
    FUZZ_TIMEOUT,
  )

  it(
    'Anthropic: prompt = input + cache reads + cache writes (5m and 1h), output = output_tokens',
    () => {
      fc.assert(
        fc.property(
          fc.tuple(plausible, plausible, plausible, plausible, plausible, plausible),
          ([input, output, read, creation, w5m, w1h]) => {
            const usage = convertAnthropicUsage({
              input_tokens: input,
              output_tokens: output,
              cache_read_input_tokens: read,
              cache_creation_input_tokens: creation,
              cache_creation: { ephemeral_5m_input_tokens: w5m, ephemeral_1h_input_tokens: w1h },
            })
            const writes = creation ?? (w5m ?? 0) + (w1h ?? 0)
            const any = [input, output, read, creation, w5m, w1h].some((v) => v !== undefined)
            expectCounts(usage, (input ?? 0) + (read ?? 0) + writes, output ?? 0, any)
            if (usage.reported) expect(usage.cacheWrite1hTokens).toBe(Math.min(writes, w1h ?? 0))
          },
        ),
        { numRuns: fuzzRuns(300) },
      )
    },
    FUZZ_TIMEOUT,
  )

  it(
    'Gemini: prompt = promptTokenCount + toolUsePromptTokenCount, output = candidates + thoughts',
    () => {
      fc.assert(
        fc.property(
          fc.tuple(plausible, plausible, plausible, plausible, plausible),
          ([prompt, candidates, thoughts, toolUse, cached]) => {
            const usage = convertGeminiUsage({
              promptTokenCount: prompt,
              candidatesTokenCount: candidates,
              thoughtsTokenCount: thoughts,
              toolUsePromptTokenCount: toolUse,
              cachedContentTokenCount: cached,
            })
            const any = [prompt, candidates, thoughts, toolUse, cached].some((v) => v !== undefined)
            const uncached = (prompt ?? 0) - Math.min(prompt ?? 0, cached ?? 0) + (toolUse ?? 0)
            const output = (candidates ?? 0) + (thoughts ?? 0)
            const overflow = uncached > MAX_TOKEN_COUNT || output > MAX_TOKEN_COUNT
            expectCounts(usage, (prompt ?? 0) + (toolUse ?? 0), output, any, overflow)
            if (usage.reported) expect(usage.reasoningTokens).toBe(thoughts ?? 0)
          },
        ),
        { numRuns: fuzzRuns(300) },
      )
    },
    FUZZ_TIMEOUT,
  )
})
