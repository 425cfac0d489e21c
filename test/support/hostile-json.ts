/**
 * fast-check arbitraries for the fuzz tests (`*.fuzz.test.ts`): JSON *text* as it arrives on the wire, of the
 * right shape and of wrong ones, with hostile numbers and keys.
 *
 * Text, not values: only `JSON.parse` makes `"__proto__"` an own property (an object literal sets the
 * prototype instead), and only text can carry `1e400` (parsed as Infinity), `-0`, or integers beyond 2^53.
 */
import fc from 'fast-check'

/**
 * Runs of one property: the small CI default, or `FUZZ_RUNS` (README, Development) for a long local run.
 * `share` scales FUZZ_RUNS down for a property whose runs are expensive.
 */
export function fuzzRuns(ciDefault: number, share = 1): number {
  const asked = Number(process.env.FUZZ_RUNS)
  if (!Number.isInteger(asked) || asked <= 0) return ciDefault
  return Math.max(ciDefault, Math.round(asked * share))
}

/** A test's timeout: Vitest's default in CI, an hour for a long FUZZ_RUNS run. */
export const FUZZ_TIMEOUT = process.env.FUZZ_RUNS ? 3_600_000 : undefined

/** Keys that reach Object.prototype or shadow its methods when code merges objects carelessly. */
export const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'polluted',
] as const

/** Number literals as providers (or a hostile compat server) might write them. */
export const numberLiteral: fc.Arbitrary<string> = fc.oneof(
  fc.nat({ max: 10_000 }).map(String),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.constantFrom(
    '1e400',
    '-1e400',
    '1e-400',
    '-0',
    '0.5',
    '2.5',
    '1.5e3',
    '1E2',
    '9007199254740993',
    '1000000000',
    '1000000001',
    '4294967296',
    '1.7976931348623157e308',
  ),
)

/** A JSON string literal: any code points (lone surrogates come out escaped), numbers and keywords as text. */
export const stringLiteral: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.constantFrom('12', '-1', 'NaN', 'Infinity', '', '[DONE]', 'stop', 'text_delta', 'data: x\n\n'),
  )
  .map((s) => JSON.stringify(s))

const leaf: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: numberLiteral },
  { weight: 3, arbitrary: stringLiteral },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null') },
)

/** Keys: mostly the given known ones (so random trees often hit the right paths), some hostile, some random. */
export function keyOf(known: readonly string[]): fc.Arbitrary<string> {
  const arbs: fc.WeightedArbitrary<string>[] = [
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_KEYS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  ]
  if (known.length > 0) arbs.unshift({ weight: 6, arbitrary: fc.constantFrom(...known) })
  return fc.oneof(...arbs)
}

function objectOf(entries: [string, string][]): string {
  return '{' + entries.map(([k, v]) => JSON.stringify(k) + ':' + v).join(',') + '}'
}

/** Any JSON value as text, nested up to `maxDepth`, keys biased toward `known`. */
export function jsonText(known: readonly string[] = [], maxDepth = 4): fc.Arbitrary<string> {
  const key = keyOf(known)
  const { value } = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
    value: fc.oneof({ depthSize: 'small', maxDepth }, leaf, tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 4 }).map((items) => '[' + items.join(',') + ']'),
    object: fc.array(fc.tuple(key, tie('value')), { maxLength: 6 }).map(objectOf),
  }))
  return value
}

/** A literal JSON string value. */
export const lit = (...values: string[]): fc.Arbitrary<string> =>
  fc.constantFrom(...values).map((v) => JSON.stringify(v))

/**
 * A JSON object of the right shape, sometimes wrong: each field present or not (`rare` ones seldom), its value
 * usually of its shape and sometimes anything (`noise`); up to two extra fields with hostile keys.
 */
export function objectText(
  fields: Record<string, fc.Arbitrary<string>>,
  noise: fc.Arbitrary<string>,
  rare: readonly string[] = [],
): fc.Arbitrary<string> {
  const parts = Object.entries(fields).map(([name, arb]) =>
    fc
      .tuple(
        rare.includes(name) ? fc.integer({ min: 0, max: 9 }).map((n) => n === 0) : fc.boolean(),
        fc.oneof({ weight: 5, arbitrary: arb }, { weight: 1, arbitrary: noise }),
      )
      .map(([present, value]) => (present ? ([name, value] as [string, string]) : null)),
  )
  const extras = fc.array(fc.tuple(fc.constantFrom(...HOSTILE_KEYS), noise), { maxLength: 2 })
  return fc
    .tuple(fc.tuple(...parts), extras)
    .map(([entries, more]) => objectOf([...entries.filter((e) => e !== null), ...more]))
}

/** A JSON array of the given element shape (sometimes an element is anything). */
export function arrayText(element: fc.Arbitrary<string>, noise: fc.Arbitrary<string>, maxLength = 3) {
  return fc
    .array(fc.oneof({ weight: 5, arbitrary: element }, { weight: 1, arbitrary: noise }), { maxLength })
    .map((items) => '[' + items.join(',') + ']')
}

/** A token count: usually a plausible one, sometimes hostile (huge, negative, fractional, a string, null). */
export const countText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.nat({ max: 2_000_000 }).map(String) },
  { weight: 3, arbitrary: numberLiteral },
  { weight: 1, arbitrary: fc.oneof(stringLiteral, fc.constantFrom('null', 'true', '[]', '{}')) },
)

/** `depth` nested arrays or objects around `inner`, built without recursion. */
export function deeplyNested(depth: number, kind: 'array' | 'object', inner = '1'): string {
  return kind === 'array'
    ? '['.repeat(depth) + inner + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + inner + '}'.repeat(depth)
}

const PROTOTYPES = [Object.prototype, Array.prototype] as const
/** Own property descriptors, in Maps: a plain object would itself read a polluted prototype. */
const pristine = PROTOTYPES.map((proto) => descriptorsOf(proto))

function descriptorsOf(proto: object): Map<PropertyKey, PropertyDescriptor> {
  const out = new Map<PropertyKey, PropertyDescriptor>()
  for (const key of Reflect.ownKeys(proto)) out.set(key, Reflect.getOwnPropertyDescriptor(proto, key)!)
  return out
}

/**
 * Whether Object.prototype or Array.prototype changed since this module loaded (something added or replaced);
 * puts them back either way, so that while fast-check shrinks a counterexample each candidate is judged on
 * its own, and a test that finds pollution (of `toString`, say) does not break every test after it.
 */
export function prototypeWasPolluted(): boolean {
  const polluted = !prototypesUnchanged()
  if (polluted) restorePrototypes()
  return polluted
}

function prototypesUnchanged(): boolean {
  return PROTOTYPES.every((proto, i) => {
    const now = descriptorsOf(proto)
    const before = pristine[i]
    if (now.size !== before.size) return false
    for (const [key, a] of now) {
      const b = before.get(key)
      if (!b || a.value !== b.value || a.get !== b.get || a.set !== b.set) return false
    }
    return true
  })
}

function restorePrototypes(): void {
  PROTOTYPES.forEach((proto, i) => {
    const before = pristine[i]
    for (const key of Reflect.ownKeys(proto)) if (!before.has(key)) Reflect.deleteProperty(proto, key)
    for (const [key, descriptor] of before) Object.defineProperty(proto, key, descriptor)
  })
}

/** Field names of every provider's usage object, to bias random trees toward them. */
export const USAGE_KEYS = [
  'usage',
  'usageMetadata',
  'response',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'prompt_tokens_details',
  'completion_tokens_details',
  'cached_tokens',
  'reasoning_tokens',
  'prompt_cache_hit_tokens',
  'input_tokens',
  'output_tokens',
  'input_tokens_details',
  'output_tokens_details',
  'cache_read_input_tokens',
  'cache_creation_input_tokens',
  'cache_creation',
  'ephemeral_5m_input_tokens',
  'ephemeral_1h_input_tokens',
  'promptTokenCount',
  'candidatesTokenCount',
  'thoughtsTokenCount',
  'toolUsePromptTokenCount',
  'cachedContentTokenCount',
  'totalTokenCount',
]

/** Usage objects of each protocol, right-shaped with hostile counts, sometimes wrong-shaped (`noise`). */
export function usageShapes(noise: fc.Arbitrary<string>) {
  return {
    openAi: objectText(
      {
        prompt_tokens: countText,
        completion_tokens: countText,
        total_tokens: countText,
        prompt_tokens_details: objectText({ cached_tokens: countText, audio_tokens: countText }, noise),
        completion_tokens_details: objectText({ reasoning_tokens: countText }, noise),
        prompt_cache_hit_tokens: countText,
      },
      noise,
    ),
    responses: objectText(
      {
        input_tokens: countText,
        output_tokens: countText,
        input_tokens_details: objectText({ cached_tokens: countText }, noise),
        output_tokens_details: objectText({ reasoning_tokens: countText }, noise),
        total_tokens: countText,
      },
      noise,
    ),
    anthropic: objectText(
      {
        input_tokens: countText,
        output_tokens: countText,
        cache_read_input_tokens: countText,
        cache_creation_input_tokens: countText,
        cache_creation: objectText(
          { ephemeral_5m_input_tokens: countText, ephemeral_1h_input_tokens: countText },
          noise,
        ),
      },
      noise,
    ),
    gemini: objectText(
      {
        promptTokenCount: countText,
        candidatesTokenCount: countText,
        thoughtsTokenCount: countText,
        toolUsePromptTokenCount: countText,
        cachedContentTokenCount: countText,
        totalTokenCount: countText,
      },
      noise,
    ),
  }
}
