import type { SseEvent } from './parse-sse-stream.ts'

/** The line end used inside and after an event. Gemini frames its `alt=sse` stream with `\r\n`. */
export type SseLineEnd = '\n' | '\r\n'

const LINE_BREAK = /\r\n|\r|\n/

/**
 * Encodes one SSE event: optional `event:` and `id:` lines, one `data:` line per line of `data`, then a blank
 * line. `encodeSseEvent({ data: 'x' })` is `data: x\n\n`.
 */
export function encodeSseEvent(ev: SseEvent, lineEnd: SseLineEnd = '\n'): string {
  let out = ''
  if (ev.event !== undefined) out += 'event: ' + ev.event + lineEnd
  if (ev.id !== undefined) out += 'id: ' + ev.id + lineEnd
  const { data } = ev
  if (data.includes('\n') || data.includes('\r')) {
    for (const line of data.split(LINE_BREAK)) out += 'data: ' + line + lineEnd
  } else {
    out += 'data: ' + data + lineEnd
  }
  return out + lineEnd
}

/** Encodes a comment, e.g. a heartbeat `: ping\n\n`, which every SSE client ignores. */
export function encodeSseComment(text: string, lineEnd: SseLineEnd = '\n'): string {
  let out = ''
  for (const line of text.split(LINE_BREAK)) out += ': ' + line + lineEnd
  return out + lineEnd
}
