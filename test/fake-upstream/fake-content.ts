/**
 * Deterministic content of the fake upstream: everything (ids, text, usage) derives from the request, so a
 * test can compare an answer fetched directly with the same answer fetched through the gateway.
 */

/** The fixed `created` timestamp (2026-01-01T00:00:00Z) of every answer. */
export const FAKE_CREATED = 1767225600
export const FAKE_CREATED_ISO = '2026-01-01T00:00:00Z'

/** The phrase every generated answer contains: CJK and a 4-byte emoji, so every byte split is exercised. */
export function fakeAnswerText(model: string): string {
  return `Hello 你好 👋 from ${model}`
}

/** The thinking text of answers that show their reasoning (Anthropic thinking, Gemini thoughts). */
export const FAKE_THINKING_TEXT = 'Let me think 🤔 about 这个.'

/** How every Anthropic thinking signature of the fake starts; a replayed signature without it is refused. */
export const FAKE_SIGNATURE_PREFIX = 'EqQBCkYIBhgCKkD'

/** Reasoning tokens reported by OpenAI and Gemini answers (always inside the billed output). */
export const FAKE_REASONING_TOKENS = 16

/** FNV-1a 32-bit hash as 8 hex digits. */
export function hashText(text: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0).toString(16).padStart(8, '0')
}

/** A deterministic id such as `chatcmpl-3f2a…` of `length` hex digits. */
export function fakeId(prefix: string, seed: string, length = 24): string {
  let out = ''
  let s = seed
  while (out.length < length) {
    s = hashText(s + out.length)
    out += s
  }
  return prefix + out.slice(0, length)
}

/**
 * Splits an answer into stream deltas; each delta counts as one output token. Words keep their leading
 * space; words longer than 12 code points are cut (by code point, never inside a surrogate pair).
 */
export function splitIntoDeltas(text: string): string[] {
  const deltas: string[] = []
  for (const word of text.split(/(?= )/)) {
    const points = Array.from(word)
    for (let i = 0; i < points.length; i += 12) deltas.push(points.slice(i, i + 12).join(''))
  }
  return deltas.length > 0 ? deltas : ['']
}

/** Rough token count of a text: one token per 4 UTF-8 bytes, at least 1. */
export function countTextTokens(text: string): number {
  return Math.max(1, Math.ceil(Buffer.byteLength(text, 'utf8') / 4))
}

const TEXT_KEYS = new Set([
  'text',
  'content',
  'parts',
  'system',
  'systemInstruction',
  'instructions',
  'input',
  'prompt',
  'messages',
  'contents',
  'output',
  'requests',
])

/** Concatenates every prompt text found under the usual text-bearing keys (not roles, types or tools). */
export function collectPromptText(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value)
  else if (Array.isArray(value)) for (const item of value) collectPromptText(item, into)
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) if (TEXT_KEYS.has(key)) collectPromptText(item, into)
  }
  return into
}

/**
 * Prompt token counts. `promptTokens` (1000 + one per 4 UTF-8 bytes of prompt text, large enough that cache
 * mistakes show in costs) is the total prompt; `cachedTokens` (half of it) is the cache read;
 * `cacheWriteTokens` (a quarter) the cache write, of which `cacheWrite1hTokens` (half) has a 1-hour TTL.
 * OpenAI and Gemini report only the read (a subset of the prompt); Anthropic reports all three disjointly.
 */
export interface FakePromptUsage {
  promptTokens: number
  cachedTokens: number
  cacheWriteTokens: number
  cacheWrite1hTokens: number
}

export function computePromptUsage(promptText: string): FakePromptUsage {
  const promptTokens = 1000 + countTextTokens(promptText)
  const cachedTokens = Math.floor(promptTokens / 2)
  const cacheWriteTokens = Math.floor(promptTokens / 4)
  return {
    promptTokens,
    cachedTokens,
    cacheWriteTokens,
    cacheWrite1hTokens: Math.floor(cacheWriteTokens / 2),
  }
}

/** Prompt usage of a request body, from the texts under its text-bearing fields. */
export function computeRequestPromptUsage(body: unknown): FakePromptUsage {
  return computePromptUsage(collectPromptText(body).join('\n'))
}

/** A sample argument object that matches a JSON-schema `parameters` object well enough for SDKs. */
export function sampleToolArguments(parameters: unknown): Record<string, unknown> {
  const props = (parameters as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties
  const args: Record<string, unknown> = {}
  if (!props || typeof props !== 'object') return args
  for (const [name, schema] of Object.entries(props)) {
    const type = typeof schema?.type === 'string' ? schema.type.toLowerCase() : 'string'
    if (type === 'number' || type === 'integer') args[name] = 42
    else if (type === 'boolean') args[name] = true
    else if (type === 'array') args[name] = []
    else if (type === 'object') args[name] = {}
    else args[name] = 'Paris 巴黎 🗼'
  }
  return args
}

/** Splits a JSON text into at most 3 fragments, as providers stream tool arguments. */
export function splitArguments(json: string): string[] {
  const points = Array.from(json)
  const size = Math.max(1, Math.ceil(points.length / 3))
  const out: string[] = []
  for (let i = 0; i < points.length; i += size) out.push(points.slice(i, i + size).join(''))
  return out.length > 0 ? out : ['']
}

/**
 * A deterministic embedding vector. Values are multiples of 1/256 so that float32 base64 and JSON floats
 * decode to exactly the same numbers.
 */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const values: number[] = []
  let seed = text
  while (values.length < dimensions) {
    seed = hashText(seed + values.length)
    for (let i = 0; i < 8 && values.length < dimensions; i += 2) {
      values.push((parseInt(seed.slice(i, i + 2), 16) - 128) / 256)
    }
  }
  return values
}

/** The little-endian float32 base64 encoding OpenAI uses for `encoding_format: "base64"`. */
export function encodeEmbeddingBase64(values: number[]): string {
  const floats = new Float32Array(values)
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64')
}

/** A 1×1 transparent PNG. */
export const TINY_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII='

/** Reads `max_tokens`-like limits: returns undefined when absent or not a positive integer. */
export function readMaxTokens(...values: unknown[]): number | undefined {
  for (const value of values) {
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value
  }
  return undefined
}

/**
 * Output plan of a text answer: the deltas actually sent and whether `max` cut them (finish "length").
 * Each delta is one output token; `reasoning` tokens come first and count against `max` too.
 */
export interface TextPlan {
  deltas: string[]
  text: string
  outputTokens: number
  reasoningTokens: number
  truncated: boolean
}

export function planText(fullText: string, reasoning: number, max: number | undefined): TextPlan {
  const all = splitIntoDeltas(fullText)
  if (max === undefined || max >= all.length + reasoning) {
    return {
      deltas: all,
      text: fullText,
      outputTokens: all.length,
      reasoningTokens: reasoning,
      truncated: false,
    }
  }
  const reasoningTokens = Math.min(reasoning, max)
  const deltas = all.slice(0, Math.max(0, max - reasoningTokens))
  return { deltas, text: deltas.join(''), outputTokens: deltas.length, reasoningTokens, truncated: true }
}
