/**
 * Fuzzing the SSE parser with random bytes biased toward SSE syntax (field names, colons, spaces, every line
 * end, BOMs, multi-byte and invalid UTF-8, NUL), split at arbitrary offsets. The parser must agree with a
 * plain reading of the WHATWG rules applied to the whole decoded text at once (`referenceParse` below), for
 * any split, through `push` and `pushText` alike, and stay linear on pathological input.
 * FUZZ_RUNS=n runs each property n times.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FUZZ_TIMEOUT, fuzzRuns } from '../../../test/support/hostile-json.ts'
import { encodeSseComment, encodeSseEvent } from './encode-sse-event.ts'
import { createSseParser, type SseEvent } from './parse-sse-stream.ts'
import { parseSse, splitAt } from '../../../test/support/split-and-parse-sse.ts'

/**
 * The event stream interpretation applied to a complete text, with the parser's two documented leniencies:
 * an unterminated last line is still a line, and a pending event is dispatched at the end.
 * Returns the events and whether, before the end, the text stopped between events.
 */
function referenceParse(text: string): { events: SseEvent[]; betweenEvents: boolean } {
  const events: SseEvent[] = []
  let data: string[] | null = null
  let event: string | undefined
  let id: string | undefined
  const dispatch = () => {
    if (data !== null) {
      const ev: SseEvent = { event, data: data.join('\n'), id }
      events.push(ev)
    }
    data = null
    event = undefined
    id = undefined
  }
  const line = (l: string) => {
    if (l === '') return dispatch()
    if (l.startsWith(':')) return
    const colon = l.indexOf(':')
    const field = colon === -1 ? l : l.slice(0, colon)
    let value = colon === -1 ? '' : l.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') (data ??= []).push(value)
    else if (field === 'event') event = value
    else if (field === 'id' && !value.includes('\0')) id = value
  }
  const lines = text.split(/\r\n|\r|\n/)
  const tail = lines.pop() ?? ''
  for (const l of lines) line(l)
  const betweenEvents = tail === '' && data === null && event === undefined && id === undefined
  if (tail !== '') line(tail)
  dispatch()
  return { events, betweenEvents }
}

/** SseEvent as the parser builds it: `event` and `id` keys present even when undefined. */
const normalise = (events: SseEvent[]) => events.map((e) => ({ event: e.event, data: e.data, id: e.id }))

const encoder = new TextEncoder()

/** Byte fragments that make random input look like SSE, plus everything that trips decoders and line splitters. */
const fragment: fc.Arbitrary<number[]> = fc
  .oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom('data', 'event', 'id', 'retry', 'dat', ':', ' ', ': ', 'x', '{}', '[DONE]'),
    },
    { weight: 4, arbitrary: fc.constantFrom('\n', '\r', '\r\n', '\n\n', '\r\r', '\r\n\r\n', '\n\r') },
    { weight: 1, arbitrary: fc.constantFrom('\uFEFF', '\0', 'é', '你', '👋', '\u2028', '\u0085') },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }) },
  )
  .map((s) => [...encoder.encode(s)])
const rawByte: fc.Arbitrary<number[]> = fc.oneof(
  fc.constantFrom<number[]>(
    [0xff],
    [0xfe],
    [0xc3],
    [0xe4, 0xbd],
    [0xf0, 0x9f, 0x91],
    [0x80],
    [0xef, 0xbb, 0xbf],
    [0xed, 0xa0, 0x80],
  ),
  fc.integer({ min: 0, max: 255 }).map((b) => [b]),
)
const sseBytes: fc.Arbitrary<Uint8Array> = fc
  .array(fc.oneof({ weight: 5, arbitrary: fragment }, { weight: 1, arbitrary: rawByte }), { maxLength: 60 })
  .map((parts) => Uint8Array.from(parts.flat()))

/** The parser reads the chunks as the reference reads the whole (decoded) text. */
function expectReferenceReading(chunks: (Uint8Array | string)[], text: string): void {
  const expected = referenceParse(text)
  const got = parseSse(chunks)
  expect(normalise(got.events)).toEqual(normalise(expected.events))
  expect(got.betweenEvents).toBe(expected.betweenEvents)
}

describe('SSE parser fuzz', () => {
  it(
    'agrees with the reference reading of the whole text for random bytes split anywhere',
    () => {
      fc.assert(
        fc.property(sseBytes, fc.array(fc.nat(), { maxLength: 20 }), (bytes, offsets) => {
          expectReferenceReading(splitAt(bytes, offsets, true), new TextDecoder().decode(bytes))
        }),
        { numRuns: fuzzRuns(500) },
      )
    },
    FUZZ_TIMEOUT,
  )

  it(
    'gives the same events one byte at a time as in one chunk',
    () => {
      fc.assert(
        fc.property(sseBytes, (bytes) => {
          const whole = parseSse([bytes])
          const bytewise = parseSse(Array.from(bytes, (b) => Uint8Array.of(b)))
          expect(bytewise).toEqual(whole)
        }),
        { numRuns: fuzzRuns(200) },
      )
    },
    FUZZ_TIMEOUT,
  )

  it(
    'pushText agrees with the reference for any text split at any UTF-16 offset (lone surrogates included)',
    () => {
      const text = fc
        .array(
          fc.oneof(
            fc.constantFrom(
              'data:',
              'data: ',
              'event:',
              'id:',
              'id: \0',
              ':',
              '\n',
              '\r',
              '\r\n',
              '\n\n',
              ' ',
            ),
            fc.string({ unit: 'binary', maxLength: 6 }),
            fc.constantFrom('\uFEFF', '\uD83D', '\uDC4B', '👋'),
          ),
          { maxLength: 40 },
        )
        .map((parts) => parts.join(''))
      fc.assert(
        fc.property(text, fc.array(fc.nat(), { maxLength: 20 }), (t, offsets) => {
          // Only a BOM at the very start of the stream is dropped, as a decoder would.
          expectReferenceReading(splitAt(t, offsets, true), t.startsWith('\uFEFF') ? t.slice(1) : t)
        }),
        { numRuns: fuzzRuns(500) },
      )
    },
    FUZZ_TIMEOUT,
  )

  it(
    'round-trips any encoded events (any Unicode, every line end inside data) split anywhere',
    () => {
      const noBreak = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !/[\r\n]/.test(s))
      const eventArb = fc.record(
        {
          event: noBreak,
          id: noBreak.filter((s) => !s.includes('\0')),
          data: fc.array(fc.string({ unit: 'grapheme', maxLength: 12 }), { maxLength: 4 }).chain((lines) =>
            fc
              .array(fc.constantFrom('\n', '\r', '\r\n'), {
                minLength: Math.max(0, lines.length - 1),
                maxLength: Math.max(0, lines.length - 1),
              })
              .map((breaks) => lines.map((l, i) => l + (breaks[i] ?? '')).join('')),
          ),
        },
        { requiredKeys: ['data'] },
      )
      fc.assert(
        fc.property(
          fc.array(fc.tuple(eventArb, fc.option(fc.string({ maxLength: 10 }))), { maxLength: 8 }),
          fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n'),
          fc.array(fc.nat(), { maxLength: 20 }),
          (items, lineEnd, offsets) => {
            const wire = items
              .map(
                ([ev, comment]) =>
                  (comment === null ? '' : encodeSseComment(comment, lineEnd)) + encodeSseEvent(ev, lineEnd),
              )
              .join('')
            const got = parseSse(splitAt(encoder.encode(wire), offsets, true))
            const expected = items.map(([ev]) => ({
              event: ev.event,
              data: ev.data.replace(/\r\n|\r/g, '\n'),
              id: ev.id,
            }))
            expect(normalise(got.events)).toEqual(expected)
            expect(got.betweenEvents).toBe(true)
          },
        ),
        { numRuns: fuzzRuns(300) },
      )
    },
    FUZZ_TIMEOUT,
  )

  it('never emits an event after end(), and ignores input after it', () => {
    fc.assert(
      fc.property(sseBytes, sseBytes, (before, after) => {
        const events: SseEvent[] = []
        const parser = createSseParser((ev) => events.push(ev))
        parser.push(before)
        parser.end()
        const count = events.length
        parser.push(after)
        parser.pushText('data: late\n\n')
        parser.end()
        expect(events).toHaveLength(count)
      }),
      { numRuns: fuzzRuns(200) },
    )
  })
})

describe('SSE parser fuzz: pathological input in linear time', () => {
  const MiB = 1024 * 1024
  const x1MiB = new Uint8Array(MiB).fill(0x78)
  /** Name, chunks, then the events and data characters the parser must produce. */
  const cases: [string, () => Uint8Array[], number, number][] = [
    [
      'a 1 MiB data line without a line end, in 16-byte chunks',
      () => [encoder.encode('data: '), ...chunked(x1MiB, 16)],
      1,
      MiB,
    ],
    ['256 KiB of lone CRs, one byte at a time', () => chunked(new Uint8Array(MiB / 4).fill(0x0d), 1), 0, 0],
    [
      '4 MiB of CRLF, chunks ending between CR and LF',
      () => chunked(encoder.encode('\r\n'.repeat(2 * MiB)), 1023),
      0,
      0,
    ],
    [
      'one event of 500,000 data lines',
      () => [encoder.encode('data: x\n'.repeat(500_000) + '\n')],
      1,
      999_999,
    ],
    ['500,000 comment lines', () => [encoder.encode(': ping\n'.repeat(500_000))], 0, 0],
    ['500,000 empty events', () => [encoder.encode('data:\n\n'.repeat(500_000))], 500_000, 0],
    [
      '1 MiB of invalid UTF-8 after "data:", in 7-byte chunks',
      () => [encoder.encode('data:'), ...chunked(new Uint8Array(MiB).fill(0xff), 7)],
      1,
      MiB,
    ],
  ]

  function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
    const out: Uint8Array[] = []
    for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size))
    return out
  }

  it.each(cases)('%s', (_name, make, expectedEvents, expectedChars) => {
    const chunks = make()
    let events = 0
    let chars = 0
    const started = performance.now()
    const parser = createSseParser((ev) => {
      events++
      chars += ev.data.length
    })
    for (const chunk of chunks) parser.push(chunk)
    parser.end()
    // Linear work is well under a second here even on a loaded CI machine; quadratic work takes minutes.
    expect(performance.now() - started).toBeLessThan(5_000)
    expect({ events, chars }).toEqual({ events: expectedEvents, chars: expectedChars })
  })
})
