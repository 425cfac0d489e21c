import { asRecord, createEmptyUsage, type Usage } from './usage.ts'

/** Mutable state a stream usage tracker fills while it reads events; owned by one tracker closure. */
export interface StreamUsageState {
  usage: Usage
  /** Answer text per choice/candidate index (OpenAI `n`, Gemini candidates). */
  texts: string[]
  textChars: number
  textTruncated: boolean
  maxTextChars: number
  outputChars: number
  finishReason: string | null
  sawError: boolean
  errorMessage: string | null
  completed: boolean
  /** Last reported value of each raw usage field, for protocols whose stream repeats them (never summed). */
  rawUsage: Record<string, unknown>
}

export function createStreamUsageState(maxTextChars: number): StreamUsageState {
  return {
    usage: createEmptyUsage(),
    texts: [],
    textChars: 0,
    textTruncated: false,
    maxTextChars,
    outputChars: 0,
    finishReason: null,
    sawError: false,
    errorMessage: null,
    completed: false,
    // No prototype: a provider's `"__proto__"` key must land here as a plain field, never on Object.prototype.
    rawUsage: Object.create(null) as Record<string, unknown>,
  }
}

/** Appends visible answer text (kept for the audit log, bounded) and counts it as output. */
export function appendAnswerText(state: StreamUsageState, index: number, text: string): void {
  if (text.length === 0) return
  state.outputChars += text.length
  const room = state.maxTextChars - state.textChars
  if (room <= 0) {
    state.textTruncated = true
    return
  }
  const kept = text.length > room ? text.slice(0, room) : text
  if (kept.length < text.length) state.textTruncated = true
  // A fractional index would name a property of the array, not an element: its text would vanish.
  const i = Number.isInteger(index) && index >= 0 && index < 1024 ? index : 0
  while (state.texts.length <= i) state.texts.push('')
  state.texts[i] += kept
  state.textChars += kept.length
}

/** Counts generated output that is not answer text (reasoning, tool-call arguments) for estimates. */
export function countOutputChars(state: StreamUsageState, text: unknown): void {
  if (typeof text === 'string') state.outputChars += text.length
}

/**
 * Counts a parsed JSON value (e.g. function-call arguments) by the length of its JSON text. JSON.parse reads
 * nesting of any depth but JSON.stringify recurses: a value nested deeper than the stack allows is counted
 * by `fallbackChars` (the event's own text, an upper bound) instead of throwing mid-stream.
 */
export function countOutputJson(state: StreamUsageState, value: unknown, fallbackChars: number): void {
  if (value === undefined) return
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch {
    state.outputChars += fallbackChars
    return
  }
  countOutputChars(state, text)
}

export function recordStreamError(state: StreamUsageState, message: unknown): void {
  state.sawError = true
  if (state.errorMessage === null) {
    state.errorMessage = typeof message === 'string' && message.length > 0 ? message : 'stream error'
  }
}

/**
 * Overwrites each numeric field (and each numeric field of nested objects one level down) of `target`
 * with the value in `update`: the last reported value of every field wins, values are never added.
 * `target` must have no prototype (see createStreamUsageState): with one, a `"__proto__"` key in `update`
 * would read Object.prototype as the nested object to write into.
 */
export function mergeLastValues(target: Record<string, unknown>, update: Record<string, unknown>): void {
  for (const key of Object.keys(update)) {
    const value = update[key]
    if (typeof value === 'number') {
      target[key] = value
    } else {
      const nested = asRecord(value)
      if (nested) {
        const into = asRecord(target[key]) ?? (Object.create(null) as Record<string, unknown>)
        for (const k of Object.keys(nested)) if (typeof nested[k] === 'number') into[k] = nested[k]
        target[key] = into
      }
    }
  }
}

/** Parses an event's JSON payload; undefined when it is not a JSON object (never throws mid-stream). */
export function parseEventJson(data: string): Record<string, unknown> | undefined {
  const first = data.charCodeAt(0)
  // Skip `[DONE]` and other non-object payloads without paying for a thrown exception.
  if (first !== 123 /* { */ && first !== 32 && first !== 9 && first !== 10 && first !== 13) return undefined
  try {
    return asRecord(JSON.parse(data))
  } catch {
    return undefined
  }
}
