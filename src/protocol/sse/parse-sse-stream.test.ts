import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeSseComment, encodeSseEvent } from './encode-sse-event.ts'
import { createSseParser, type SseEvent } from './parse-sse-stream.ts'
import { encodeSseWire, parseSse, splitAt } from '../../../test/support/split-and-parse-sse.ts'

const encoder = new TextEncoder()

const parseChunks = (chunks: Uint8Array[]): SseEvent[] => parseSse(chunks).events

function parseText(...texts: string[]): SseEvent[] {
  return parseChunks(texts.map((t) => encoder.encode(t)))
}

describe('createSseParser', () => {
  it('parses data, event and id fields', () => {
    expect(parseText('event: message_start\nid: 7\ndata: {"a":1}\n\n')).toEqual([
      { event: 'message_start', id: '7', data: '{"a":1}' },
    ])
  })

  it('accepts LF, CRLF and CR line ends', () => {
    const expected = [{ data: 'a' }, { data: 'b' }, { data: 'c' }]
    expect(parseText('data: a\n\ndata: b\r\n\r\ndata: c\r\r')).toEqual(expected)
  })

  it('treats a CR ending one chunk and an LF starting the next as one line end', () => {
    expect(parseText('data: a\r', '\n\r', '\ndata: b\r\n\r\n')).toEqual([{ data: 'a' }, { data: 'b' }])
  })

  it('treats a CR ending a chunk followed by another line as a line end', () => {
    expect(parseText('data: a\r', 'data: b\r\r')).toEqual([{ data: 'a\nb' }])
  })

  it('ignores comments, including heartbeats between events', () => {
    expect(parseText(': ping\n\ndata: x\n: inside\n\n:\n\n')).toEqual([{ data: 'x' }])
  })

  it('joins multi-line data with LF', () => {
    expect(parseText('data: line 1\ndata: line 2\ndata:\ndata: 4\n\n')).toEqual([
      { data: 'line 1\nline 2\n\n4' },
    ])
  })

  it('removes exactly one space after the colon, none when absent', () => {
    expect(parseText('data:x\n\ndata:  y\n\n')).toEqual([{ data: 'x' }, { data: ' y' }])
  })

  it('does not dispatch blocks without data, and resets their event type', () => {
    expect(parseText('event: ping\n\ndata: z\n\n')).toEqual([{ data: 'z' }])
  })

  it('dispatches an empty data field', () => {
    expect(parseText('data\n\n')).toEqual([{ data: '' }])
  })

  it('ignores retry and unknown fields', () => {
    expect(parseText('retry: 1000\nfoo: bar\ndata: q\n\n')).toEqual([{ data: 'q' }])
  })

  it('drops a leading byte order mark', () => {
    expect(
      parseChunks([new Uint8Array([0xef, 0xbb]), encoder.encode('\ufeffdata: é\n\n').subarray(2)]),
    ).toEqual([{ data: 'é' }])
  })

  it('decodes a multi-byte character split across chunks', () => {
    const bytes = encoder.encode('data: 你好👋\n\n')
    for (let i = 0; i <= bytes.length; i++) {
      expect(parseChunks(splitAt(bytes, [i]))).toEqual([{ data: '你好👋' }])
    }
    expect(parseChunks(splitAt(bytes, [...bytes.keys()]))).toEqual([{ data: '你好👋' }])
  })

  it('accepts text decoded by the caller, with the same result as bytes at every split', () => {
    const text = '\ufeffevent: a\r\ndata: 你好\r\ndata: 👋\r\r\n: c\ndata: z\n\ndata: tail'
    const expected = parseChunks([encoder.encode(text)])
    expect(expected).toEqual([{ event: 'a', data: '你好\n👋' }, { data: 'z' }, { data: 'tail' }])
    for (let i = 0; i <= text.length; i++) {
      const events: SseEvent[] = []
      const parser = createSseParser((ev) => events.push(ev))
      parser.pushText(text.slice(0, i))
      parser.pushText(text.slice(i))
      parser.end()
      expect(events, `split at ${i}`).toEqual(expected)
    }
  })

  it('tells whether the text fed so far ends between events', () => {
    const parser = createSseParser(() => undefined)
    expect(parser.betweenEvents()).toBe(true)
    const steps: [string, boolean][] = [
      ['data: a', false],
      ['\n', false],
      ['\n', true],
      [': ping\n\n', true],
      ['event: x\r\n', false],
      ['data: b\r\n\r', true],
      ['\nid: 7\n', false],
      ['data: c\n\n', true],
      ['retry: 10\n', true],
    ]
    for (const [text, between] of steps) {
      parser.pushText(text)
      expect(parser.betweenEvents(), JSON.stringify(text)).toBe(between)
    }
  })

  it('issue 15 fuzz finding F5: not between events while the decoder holds the start of a character', () => {
    // Found by parse-sse-stream.fuzz.test.ts: bytes F0 9F 91 (three of an emoji's four) begin a line, but the
    // streaming decoder had not yet produced text for them, so betweenEvents() said true.
    const parser = createSseParser(() => undefined)
    parser.push(encoder.encode('data: a\n\n'))
    expect(parser.betweenEvents()).toBe(true)
    parser.push(Uint8Array.of(0xf0, 0x9f, 0x91))
    expect(parser.betweenEvents()).toBe(false)
    parser.push(Uint8Array.of(0x8b))
    expect(parser.betweenEvents()).toBe(false)
    parser.push(encoder.encode('\n'))
    expect(parser.betweenEvents()).toBe(true)
    // A stream that so far is only a byte order mark (which the decoder drops) is between events.
    const bom = createSseParser(() => undefined)
    bom.push(Uint8Array.of(0xef, 0xbb))
    expect(bom.betweenEvents()).toBe(false)
    bom.push(Uint8Array.of(0xbf))
    expect(bom.betweenEvents()).toBe(true)
  })

  it('dispatches an event still pending at the end of the stream', () => {
    expect(parseText('data: [DONE]')).toEqual([{ data: '[DONE]' }])
    expect(parseText('data: a\n')).toEqual([{ data: 'a' }])
  })

  it('ignores pushes after end and empty chunks', () => {
    const events: SseEvent[] = []
    const parser = createSseParser((ev) => events.push(ev))
    parser.push(new Uint8Array(0))
    parser.push(encoder.encode('data: 1\n\n'))
    parser.end()
    parser.push(encoder.encode('data: 2\n\n'))
    parser.end()
    expect(events).toEqual([{ data: '1' }])
  })

  it('handles a long line arriving in many small chunks', () => {
    const payload = 'x'.repeat(100_000)
    const bytes = encoder.encode(`data: ${payload}\n\n`)
    const offsets = Array.from({ length: 1000 }, (_, i) => i * 101)
    expect(parseChunks(splitAt(bytes, offsets))).toEqual([{ data: payload }])
  })

  it('round-trips encoded events split anywhere (property)', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 30 })
    const eventArb = fc.record(
      {
        event: fc.stringMatching(/^[a-z_.]{1,20}$/),
        id: fc.stringMatching(/^[A-Za-z0-9]{1,8}$/),
        data: fc.array(text, { minLength: 1, maxLength: 3 }).map((lines) => lines.join('\n')),
      },
      { requiredKeys: ['data'] },
    )
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 8 }),
        fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n'),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.boolean(),
        (events, lineEnd, offsets, withComments) => {
          const bytes = encodeSseWire(events, lineEnd, withComments)
          const parsed = parseChunks(
            splitAt(
              bytes,
              offsets.map((o) => o % (bytes.length + 1)),
            ),
          )
          expect(parsed).toEqual(events.map((ev) => ({ ...ev, data: ev.data.replace(/\r\n|\r/g, '\n') })))
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('encodeSseEvent', () => {
  it('encodes the minimal event', () => {
    expect(encodeSseEvent({ data: '{"a":1}' })).toBe('data: {"a":1}\n\n')
  })

  it('encodes event, id and multi-line data', () => {
    expect(encodeSseEvent({ event: 'error', id: '3', data: 'a\nb' })).toBe(
      'event: error\nid: 3\ndata: a\ndata: b\n\n',
    )
  })

  it('uses CRLF framing on request (Gemini)', () => {
    expect(encodeSseEvent({ data: '{}' }, '\r\n')).toBe('data: {}\r\n\r\n')
  })

  it('encodes comments', () => {
    expect(encodeSseComment('ping')).toBe(': ping\n\n')
  })
})
