/** A small incremental Server-Sent Events parser (WHATWG framing), used by the chat playground and the log viewer. */

export interface SseEvent {
  event?: string
  data: string
}

export class SseParser {
  private buffer = ''
  private event: string | undefined
  private data: string[] = []

  /** Feed a decoded chunk; returns the events completed by it. */
  push(chunk: string): SseEvent[] {
    this.buffer += chunk
    const out: SseEvent[] = []
    let idx: number
    while ((idx = this.nextLineEnd()) >= 0) {
      const line = this.buffer.slice(0, idx)
      const skip = this.buffer[idx] === '\r' && this.buffer[idx + 1] === '\n' ? 2 : 1
      this.buffer = this.buffer.slice(idx + skip)
      const ev = this.line(line)
      if (ev) out.push(ev)
    }
    return out
  }

  /** End of input: dispatch what is pending. */
  flush(): SseEvent[] {
    const out: SseEvent[] = []
    if (this.buffer.length > 0) {
      const ev = this.line(this.buffer)
      this.buffer = ''
      if (ev) out.push(ev)
    }
    const last = this.dispatch()
    if (last) out.push(last)
    return out
  }

  private nextLineEnd(): number {
    const cr = this.buffer.indexOf('\r')
    const lf = this.buffer.indexOf('\n')
    if (cr < 0) return lf
    if (lf < 0) {
      // A lone trailing '\r' may be the first half of '\r\n': wait for more input.
      return cr === this.buffer.length - 1 ? -1 : cr
    }
    return Math.min(cr, lf)
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch()
    if (line.startsWith(':')) return undefined
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') this.data.push(value)
    else if (field === 'event') this.event = value
    return undefined
  }

  private dispatch(): SseEvent | undefined {
    if (this.data.length === 0) {
      this.event = undefined
      return undefined
    }
    const ev: SseEvent = { data: this.data.join('\n') }
    if (this.event !== undefined) ev.event = this.event
    this.event = undefined
    this.data = []
    return ev
  }
}

export function parseSseText(text: string): SseEvent[] {
  const p = new SseParser()
  return [...p.push(text), ...p.flush()]
}

export function looksLikeSse(text: string): boolean {
  return /^(data|event):/m.test(text.slice(0, 2000))
}

export function tryJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
