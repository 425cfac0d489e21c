/**
 * Incremental Server-Sent Events parser over raw bytes.
 *
 * Follows the WHATWG "event stream interpretation" rules: `\n`, `\r\n` and `\r` line ends (a `\r` that ends
 * one chunk and a `\n` that starts the next are one line end), comment lines (`: ping`) ignored, several
 * `data:` lines joined with `\n`, one optional space after the colon removed, a leading BOM dropped.
 * Bytes are decoded with a streaming TextDecoder, so a chunk may end inside a multi-byte UTF-8 character.
 *
 * Two deliberate leniencies for metering: an event still pending when `end()` is called (the stream lacked
 * its final blank line) is dispatched, and `id` is reported only on the event whose block set it.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */

export interface SseEvent {
  /** The `event:` field, absent for the default "message" type. */
  event?: string
  /** All `data:` lines of the event joined with `\n`. */
  data: string
  /** The `id:` field when this event's block carried one. */
  id?: string
}

export interface SseParser {
  push(chunk: Uint8Array): void
  /**
   * Feeds text the caller already decoded (with a decoder that keeps a character split across chunks whole).
   * Use one of push and pushText per stream, not both.
   */
  pushText(text: string): void
  /** No event is open: the text fed so far ends between events (no partial line, no pending field). */
  betweenEvents(): boolean
  end(): void
}

const LF = 10
const COLON = 58
const SPACE = 32
const BOM = 0xfeff
const UTF8_BOM = [0xef, 0xbb, 0xbf]

export function createSseParser(onEvent: (ev: SseEvent) => void): SseParser {
  const decoder = new TextDecoder('utf-8')
  /** Pieces of a line whose end has not arrived yet; joined only once the line ends. */
  let partial: string[] = []
  /** The previous text ended with `\r`: a `\n` starting the next text belongs to the same line end. */
  let skipLeadingLf = false
  let data = ''
  let hasData = false
  let eventType: string | undefined
  let id: string | undefined
  let ended = false
  /** Text has been fed yet: a byte order mark is dropped only at the very start. */
  let started = false
  /**
   * The last byte pushed was not ASCII, so a line has begun even if the decoder has produced no text for it
   * yet (it holds the first bytes of a character) — unless the stream so far is only the BOM it drops.
   */
  let midCharacter = false
  /** Bytes pushed so far, and whether they all matched the UTF-8 BOM, for the exception above. */
  let bytesSeen = 0
  let onlyBomSoFar = true

  function dispatch(): void {
    if (hasData) {
      const ev: SseEvent = { event: eventType, data, id }
      data = ''
      hasData = false
      eventType = undefined
      id = undefined
      onEvent(ev)
    } else {
      eventType = undefined
      id = undefined
    }
  }

  function processLine(line: string): void {
    if (line.length === 0) {
      dispatch()
      return
    }
    if (line.charCodeAt(0) === COLON) return
    const colon = line.indexOf(':')
    let field: string
    let value: string
    if (colon === -1) {
      field = line
      value = ''
    } else {
      field = line.slice(0, colon)
      const start = line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1
      value = line.slice(start)
    }
    switch (field) {
      case 'data':
        if (hasData) data += '\n' + value
        else {
          data = value
          hasData = true
        }
        break
      case 'event':
        eventType = value
        break
      case 'id':
        if (!value.includes('\0')) id = value
        break
      default:
        // `retry` and unknown fields carry nothing the gateway needs.
        break
    }
  }

  function feed(text: string): void {
    const length = text.length
    if (length === 0) return
    let start = 0
    if (skipLeadingLf) {
      skipLeadingLf = false
      if (text.charCodeAt(0) === LF) start = 1
    }
    // Positions of the next `\n` and `\r`; each is searched again only once passed, so a chunk is scanned
    // at most twice in total however many lines it holds.
    let lf = text.indexOf('\n', start)
    let cr = text.indexOf('\r', start)
    while (lf !== -1 || cr !== -1) {
      let lineEnd: number
      let next: number
      if (cr === -1 || (lf !== -1 && lf < cr)) {
        lineEnd = lf
        next = lf + 1
      } else {
        lineEnd = cr
        if (cr + 1 < length) {
          next = text.charCodeAt(cr + 1) === LF ? cr + 2 : cr + 1
        } else {
          next = length
          skipLeadingLf = true
        }
      }
      let line = text.slice(start, lineEnd)
      if (partial.length > 0) {
        partial.push(line)
        line = partial.join('')
        partial = []
      }
      processLine(line)
      start = next
      if (lf !== -1 && lf < start) lf = text.indexOf('\n', start)
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start)
    }
    if (start < length) partial.push(start === 0 ? text : text.slice(start))
  }

  return {
    push(chunk: Uint8Array): void {
      if (ended || chunk.length === 0) return
      started = true
      for (let i = 0; onlyBomSoFar && i < chunk.length && bytesSeen + i < 3; i++) {
        if (chunk[i] !== UTF8_BOM[bytesSeen + i]) onlyBomSoFar = false
      }
      bytesSeen += chunk.length
      midCharacter = chunk[chunk.length - 1] >= 0x80 && !(onlyBomSoFar && bytesSeen === 3)
      feed(decoder.decode(chunk, { stream: true }))
    },
    pushText(text: string): void {
      if (ended || text.length === 0) return
      if (!started) {
        started = true
        if (text.charCodeAt(0) === BOM) text = text.slice(1)
      }
      feed(text)
    },
    betweenEvents(): boolean {
      return !midCharacter && partial.length === 0 && !hasData && eventType === undefined && id === undefined
    },
    end(): void {
      if (ended) return
      ended = true
      feed(decoder.decode())
      if (partial.length > 0) {
        const line = partial.join('')
        partial = []
        processLine(line)
      }
      dispatch()
    },
  }
}
