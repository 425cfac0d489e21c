import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { IStreamEvent } from '../translate/internal-model.ts'
import { createAnthropicStreamEncoder } from './messages-encode-stream.ts'
import {
  checkAnthropicStream,
  decodeEvents,
  decodeText,
  parseSse,
} from '../../../test/support/protocol/messages-stream-test-helpers.ts'
import { RECORDED_STREAMS, STREAM_MODEL } from '../../../test/support/protocol/messages-stream-fixtures.ts'

/**
 * Issue 17 acceptance 3 for Anthropic Messages: recorded streams split at every byte offset (and at random
 * multi-splits) decode to the same internal events as unsplit, and re-encoding those events then decoding again
 * gives the same events (equivalence, not byte equality).
 */

const ctx = { model: STREAM_MODEL, requestId: 'req_prop', created: 1_700_000_000, includeUsage: false }

/**
 * Equivalence after re-encoding: the same events, with usage and finish reduced to their last values (an upstream
 * may send several message_delta events; the client's stream states the final ones once, §8 #11).
 */
function settled(events: readonly IStreamEvent[]): IStreamEvent[] {
  const lastUsage = events.findLast((e) => e.type === 'usage')
  const lastFinish = events.findLast((e) => e.type === 'finish')
  const out = events.filter((e) => e.type !== 'usage' && e.type !== 'finish')
  const tail = out.at(-1)?.type === 'end' ? out.splice(-1) : []
  return [...out, ...(lastUsage ? [lastUsage] : []), ...(lastFinish ? [lastFinish] : []), ...tail]
}

function reencode(events: readonly IStreamEvent[]): string {
  const encoder = createAnthropicStreamEncoder(ctx)
  return events.map((ev) => encoder.push(ev)).join('')
}

function splitAt(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const cuts = [...new Set(offsets)].sort((a, b) => a - b)
  const chunks: Uint8Array[] = []
  let from = 0
  for (const cut of cuts) {
    chunks.push(bytes.subarray(from, cut))
    from = cut
  }
  chunks.push(bytes.subarray(from))
  return chunks
}

describe.each(Object.entries(RECORDED_STREAMS))('recorded Anthropic stream: %s', (_name, text) => {
  const bytes = new TextEncoder().encode(text)
  const reference = decodeText(text)

  it('decodes to events that re-encode into a valid stream decoding to the same events', () => {
    expect(reference.length).toBeGreaterThan(3)
    const again = reencode(reference)
    checkAnthropicStream(again)
    expect(settled(decodeText(again))).toEqual(settled(reference))
  })

  it('gives the same events split at every byte offset, and after re-encoding', () => {
    for (let k = 0; k <= bytes.length; k++) {
      const events = decodeEvents(parseSse(splitAt(bytes, [k])))
      expect(events).toEqual(reference)
      const again = new TextEncoder().encode(reencode(events))
      const cut = Math.min(k, again.length)
      expect(settled(decodeEvents(parseSse(splitAt(again, [cut]))))).toEqual(settled(reference))
    }
  })

  it('gives the same events for random multi-splits of the stream and of its re-encoding', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 40 }), (offsets) => {
        const events = decodeEvents(parseSse(splitAt(bytes, offsets)))
        expect(events).toEqual(reference)
        const again = new TextEncoder().encode(reencode(events))
        const scaled = offsets.map((o) => Math.floor((o / Math.max(1, bytes.length)) * again.length))
        expect(settled(decodeEvents(parseSse(splitAt(again, scaled))))).toEqual(settled(reference))
      }),
      { numRuns: 200 },
    )
  })
})
