import { createSseParser, type SseEvent } from '../../../src/protocol/sse/parse-sse-stream.ts'

/** Server-Sent Events for the chat playground and the log viewer. */

export type { SseEvent }

/**
 * Incremental parsing of decoded text: the server's own parser (src/protocol/sse), so the dashboard reads a
 * stream exactly as the gateway meters it. Returns the events each chunk completes.
 */
export class SseParser {
  private done: SseEvent[] = []
  private readonly parser = createSseParser((ev) => this.done.push(ev))

  /** Feed a decoded chunk; returns the events completed by it. */
  push(chunk: string): SseEvent[] {
    this.parser.pushText(chunk)
    return this.take()
  }

  /** End of input: dispatch what is pending. */
  flush(): SseEvent[] {
    this.parser.end()
    return this.take()
  }

  private take(): SseEvent[] {
    const out = this.done
    this.done = []
    return out
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
