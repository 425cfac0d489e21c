import type { IStreamEvent } from '../../../src/protocol/translate/internal-model.ts'
import { createSseParser, type SseEvent } from '../../../src/protocol/sse/parse-sse-stream.ts'
import { createGeminiStreamDecoder } from '../../../src/protocol/gemini/generate-decode-stream.ts'
import { createGeminiStreamEncoder } from '../../../src/protocol/gemini/generate-encode-stream.ts'
import { STREAM_MODEL } from './generate-stream-fixtures.ts'

/** Test support: SSE bytes (in the pieces given) parsed and decoded by the Gemini stream decoder. */
export function decodeChunks(chunks: readonly Uint8Array[]): IStreamEvent[] {
  const events: SseEvent[] = []
  const parser = createSseParser((ev) => events.push(ev))
  for (const c of chunks) parser.push(c)
  parser.end()
  const decoder = createGeminiStreamDecoder()
  const out = events.flatMap((ev) => decoder.push(ev))
  return [...out, ...decoder.end()]
}

export const decodeText = (text: string): IStreamEvent[] => decodeChunks([new TextEncoder().encode(text)])

export const streamCtx = {
  model: STREAM_MODEL,
  requestId: 'req-1',
  created: 1_700_000_000,
  includeUsage: true,
}

/** Internal events as a Gemini client's SSE text. */
export function encodeEvents(events: readonly IStreamEvent[]): string {
  const encoder = createGeminiStreamEncoder(streamCtx)
  return events.map((ev) => encoder.push(ev)).join('')
}

/** The JSON of each `data:` event of an SSE text. */
export function dataEvents(text: string): Record<string, unknown>[] {
  const events: SseEvent[] = []
  const parser = createSseParser((ev) => events.push(ev))
  parser.pushText(text)
  parser.end()
  return events.map((ev) => JSON.parse(ev.data) as Record<string, unknown>)
}
