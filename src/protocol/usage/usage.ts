/**
 * Token usage normalised across OpenAI, Anthropic and Gemini (docs/architecture.md, *Money › Usage*).
 *
 * The input categories are DISJOINT, so each token is billed exactly once at its own price:
 * prompt = inputTokens + cacheReadTokens + cacheWriteTokens + cacheWrite1hTokens.
 * `reasoningTokens` is informational only: it is already counted inside `outputTokens`.
 */
export interface Usage {
  /** Prompt tokens that were neither read from nor written to a prompt cache. */
  inputTokens: number
  /** Prompt tokens served from the provider's prompt cache. */
  cacheReadTokens: number
  /** Prompt tokens written to the cache with the default (5-minute) lifetime. Excludes `cacheWrite1hTokens`. */
  cacheWriteTokens: number
  /** Prompt tokens written to the cache with a 1-hour lifetime (Anthropic `ephemeral_1h_input_tokens`). */
  cacheWrite1hTokens: number
  /** Everything billed at the output price, reasoning/thinking included. */
  outputTokens: number
  /** Reasoning/thinking tokens, already inside `outputTokens`. */
  reasoningTokens: number
  /**
   * True when the provider reported usage. False means every count is 0 because nothing was reported and
   * the caller must estimate; a provider that reports zeros gives `reported: true` and is billed zero.
   */
  reported: boolean
}

/** A usage with every count 0 and `reported: false`. */
export function createEmptyUsage(): Usage {
  return {
    inputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    reported: false,
  }
}

/** All prompt tokens, cached or not. */
export function countPromptTokens(usage: Usage): number {
  return usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens + usage.cacheWrite1hTokens
}

/**
 * The largest count of one kind the gateway believes in for one request: a thousand times the longest context
 * any model has, and small enough that the cost of five such counts at any price fits a bigint column. A
 * provider reporting more (a fault, or JSON such as `1e400`, which parses as Infinity) has reported nothing
 * usable.
 */
export const MAX_TOKEN_COUNT = 1_000_000_000

/**
 * `usage` when every count is an integer from 0 to MAX_TOKEN_COUNT, else an unreported usage: the caller then
 * estimates the request, as for a provider that reported nothing, instead of billing a count no request can
 * have (which the cost computation would refuse, letting the request go free). Converters end with this, so a
 * sum of two huge fields that overflows is caught as well.
 */
export function rejectImplausibleUsage(usage: Usage): Usage {
  const counts = [
    usage.inputTokens,
    usage.cacheReadTokens,
    usage.cacheWriteTokens,
    usage.cacheWrite1hTokens,
    usage.outputTokens,
    usage.reasoningTokens,
  ]
  for (const n of counts) if (!Number.isInteger(n) || n < 0 || n > MAX_TOKEN_COUNT) return createEmptyUsage()
  return usage
}

/**
 * A count from an untrusted JSON value: a non-negative integer, undefined when it is not a number. An
 * infinite count (`1e400` in the JSON) stays infinite, so rejectImplausibleUsage refuses the usage rather
 * than reading the field as absent (a stream's last output count would otherwise become 0).
 */
export function readTokenCount(value: unknown): number | undefined {
  if (typeof value !== 'number' || Number.isNaN(value)) return undefined
  return value > 0 ? Math.floor(value) : 0
}

/** `value` when it is a non-null, non-array object, else undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

/** A reported usage: the counts given, zero elsewhere; unreported when a count is implausible. */
export function reportedUsage(counts: Partial<Omit<Usage, 'reported'>>): Usage {
  return rejectImplausibleUsage({ ...createEmptyUsage(), ...counts, reported: true })
}

/**
 * The counts `fields` names in an untrusted usage object (each a key, or a dotted path into nested objects), or
 * null when the object is missing or holds none of the `reportedBy` fields (all of them by default): then the
 * provider reported nothing.
 */
export function readTokenCounts<K extends string>(
  raw: unknown,
  fields: Readonly<Record<K, string>>,
  reportedBy?: readonly NoInfer<K>[],
): Record<K, number | undefined> | null {
  const u = asRecord(raw)
  if (!u) return null
  const out = {} as Record<K, number | undefined>
  let reported = false
  for (const [key, path] of pathsOf(fields)) {
    let value: unknown = u
    for (const name of path) value = asRecord(value)?.[name]
    const count = readTokenCount(value)
    out[key] = count
    if (count !== undefined && (!reportedBy || reportedBy.includes(key))) reported = true
  }
  return reported ? out : null
}

/** Each field table's dotted paths, split once per table (every answer and stream reads one). */
const SPLIT_PATHS = new WeakMap<object, readonly (readonly [string, readonly string[]])[]>()

function pathsOf<K extends string>(
  fields: Readonly<Record<K, string>>,
): readonly (readonly [K, readonly string[]])[] {
  let paths = SPLIT_PATHS.get(fields)
  if (!paths) {
    paths = (Object.keys(fields) as K[]).map((key) => [key, fields[key].split('.')] as const)
    SPLIT_PATHS.set(fields, paths)
  }
  return paths as readonly (readonly [K, readonly string[]])[]
}
