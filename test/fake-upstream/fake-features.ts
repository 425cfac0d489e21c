/**
 * What the fake upstream notices in a request beyond plain text, whatever the provider: the tool results it
 * got back, the images it was shown and the structured output it was asked for. Each provider's handler reads
 * them from its own wire fields (`read…Features` in its file) and answers through `answerText`, so a test
 * can read in the answer what crossed the gateway (ids, results, image bytes) — see scenario.ts for the
 * triggers.
 */
import { fakeAnswerText, hashText, sampleToolArguments } from './fake-content.ts'

/** One tool result as the upstream received it: the id it carried (if its protocol has one) and the name. */
export interface SeenToolResult {
  id?: string
  name?: string
  /** The result as text (JSON of a Gemini `response` object). */
  content: string
}

/** One image: decoded byte count and hash of inline data, or the URL it points at. */
export type SeenImage = { mediaType: string; bytes: number; hash: string } | { url: string }

/** Structured output asked for: a JSON schema (in whatever dialect of schema the provider takes) or any object. */
export type SeenOutput = { kind: 'json_schema'; schema: unknown } | { kind: 'json_object' }

export interface RequestFeatures {
  toolResults: SeenToolResult[]
  images: SeenImage[]
  output?: SeenOutput
}

/** A base64 image as seen: `data` bare base64. */
export function seenBase64Image(mediaType: string, data: string): SeenImage {
  return { mediaType, bytes: Buffer.from(data, 'base64').length, hash: hashText(data) }
}

/** An image given by URL: a `data:` URL is decoded like inline data, anything else is reported as the URL. */
export function seenImageUrl(url: string): SeenImage {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url)
  return match ? seenBase64Image(match[1], match[2]) : { url }
}

/** The text of a tool result given as a string or as content parts with `text`. */
export function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content))
    return content
      .map((p: { text?: unknown }) => (typeof p?.text === 'string' ? p.text : JSON.stringify(p)))
      .join('')
  return JSON.stringify(content ?? null)
}

/** How the answer reports one image: `image/png 68 bytes #1a2b3c4d` or `url https://…`. */
export function describeImage(image: SeenImage): string {
  return 'url' in image ? `url ${image.url}` : `${image.mediaType} ${image.bytes} bytes #${image.hash}`
}

/** How the answer reports one tool result: `get_weather call_abc=sunny` (missing id or name left out). */
export function describeToolResult(result: SeenToolResult): string {
  const who = [result.name, result.id].filter((v) => v !== undefined && v !== '').join(' ')
  return `${who}=${result.content}`
}

const SAMPLE_STRINGS = ['Paris 巴黎 🗼', 'Tokyo 東京 🗼', 'Lima 利馬 🗼', 'Oslo 奥斯陆 🗼']

/**
 * A value valid for a JSON schema (or Gemini's OpenAPI subset, upper-case types): every property present
 * (OpenAI strict mode wants them all), the first enum value, the first `anyOf` branch. `variant` changes the
 * sample strings, so two calls of one tool get different arguments.
 */
export function sampleFromSchema(schema: unknown, variant = 0): unknown {
  const s = (schema ?? {}) as Record<string, unknown>
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0]
  if ('const' in s) return s.const
  const branches = (s.anyOf ?? s.oneOf) as unknown[] | undefined
  if (Array.isArray(branches) && branches.length > 0) return sampleFromSchema(branches[0], variant)
  const rawType = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type
  const type = typeof rawType === 'string' ? rawType.toLowerCase() : s.properties ? 'object' : 'string'
  switch (type) {
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, unknown>
      return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, sampleFromSchema(v, variant)]))
    }
    case 'array': {
      const min = typeof s.minItems === 'number' ? Math.max(1, s.minItems) : 1
      return Array.from({ length: min }, () => sampleFromSchema(s.items, variant))
    }
    case 'integer':
    case 'number':
      return 42 + variant
    case 'boolean':
      return true
    case 'null':
      return null
    default:
      return SAMPLE_STRINGS[variant % SAMPLE_STRINGS.length]
  }
}

/**
 * The text of an answer: JSON valid for the schema asked for, else the usual greeting followed by what the
 * request carried — `Tool results: …;` and `Images: …;` — so a test can check they crossed intact.
 */
export function answerText(model: string, features: RequestFeatures): string {
  if (features.output?.kind === 'json_schema') return JSON.stringify(sampleFromSchema(features.output.schema))
  if (features.output?.kind === 'json_object') return JSON.stringify({ answer: fakeAnswerText(model) })
  let text = fakeAnswerText(model)
  if (features.toolResults.length > 0)
    text += ` Tool results: ${features.toolResults.map(describeToolResult).join('; ')}.`
  if (features.images.length > 0) text += ` Images: ${features.images.map(describeImage).join('; ')}.`
  return text
}

/** Whether the prompt asks for parallel tool calls (the word "parallel", any case). */
export function wantsParallelCalls(promptText: string): boolean {
  return /parallel/i.test(promptText)
}

/**
 * The tools called in one turn: the forced one, else the first; under a parallel request, two calls — the
 * first two tools, or the forced (or only) tool twice (with different sample arguments).
 */
export function pickCalls<T>(tools: T[], forced: T | undefined, parallel: boolean): T[] {
  if (tools.length === 0) return []
  const first = forced ?? tools[0]
  if (!parallel) return [first]
  return forced || tools.length === 1 ? [first, first] : tools.slice(0, 2)
}

/** Arguments of the `variant`-th call in a turn: the first as always (sampleToolArguments), later ones differ. */
export function callArguments(parameters: unknown, variant: number): Record<string, unknown> {
  if (variant === 0) return sampleToolArguments(parameters)
  const value = sampleFromSchema(parameters ?? { type: 'object' }, variant)
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}
