import { encodeSseComment, encodeSseEvent } from '../../src/protocol/sse/encode-sse-event.ts'
import { createSseParser, type SseEvent } from '../../src/protocol/sse/parse-sse-stream.ts'

/**
 * Splits bytes or text at the given offsets (any order, duplicates allowed), for the tests that feed a stream in
 * pieces. An offset beyond the end is clamped to it, or with `wrap` taken modulo length + 1 (fuzzed offsets).
 */
export function splitAt<T extends Uint8Array | string>(
  whole: T,
  offsets: readonly number[],
  wrap = false,
): T[] {
  const fit = (o: number) => (wrap ? o % (whole.length + 1) : Math.min(whole.length, Math.max(0, o)))
  const cuts = [...new Set(offsets.map(fit))].sort((a, b) => a - b)
  const piece = (from: number, to?: number) =>
    (typeof whole === 'string' ? whole.slice(from, to) : whole.subarray(from, to)) as T
  const pieces: T[] = []
  let start = 0
  for (const cut of cuts) {
    pieces.push(piece(start, cut))
    start = cut
  }
  pieces.push(piece(start))
  return pieces
}

/**
 * Parses a stream fed in chunks of bytes (or of text already decoded) with one parser: every event (also handed to
 * `onEvent`), and whether the stream ended between events.
 */
export function parseSse(
  chunks: readonly (Uint8Array | string)[],
  onEvent?: (ev: SseEvent) => void,
): { events: SseEvent[]; betweenEvents: boolean } {
  const events: SseEvent[] = []
  const parser = createSseParser((ev) => {
    events.push(ev)
    onEvent?.(ev)
  })
  for (const chunk of chunks) {
    if (typeof chunk === 'string') parser.pushText(chunk)
    else parser.push(chunk)
  }
  const betweenEvents = parser.betweenEvents()
  parser.end()
  return { events, betweenEvents }
}

/** Events as a provider streams them, in bytes: each ends with `lineEnd`, after a `: ping` comment when `heartbeats`. */
export function encodeSseWire(
  events: readonly SseEvent[],
  lineEnd: '\n' | '\r\n',
  heartbeats: boolean,
): Uint8Array {
  const wire = events.map(
    (ev) => (heartbeats ? encodeSseComment('ping', lineEnd) : '') + encodeSseEvent(ev, lineEnd),
  )
  return new TextEncoder().encode(wire.join(''))
}
