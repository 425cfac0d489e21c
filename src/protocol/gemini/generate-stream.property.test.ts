import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { GEMINI_STREAMS } from '../../../test/support/protocol/generate-stream-fixtures.ts'
import {
  decodeChunks,
  decodeText,
  encodeEvents,
} from '../../../test/support/protocol/generate-stream-support.ts'

/**
 * Issue 17 acceptance 3 for Gemini: a recorded stream split anywhere (every byte offset, and random multi-splits)
 * decodes, re-encodes with the Gemini encoder and decodes again to the events of the unsplit stream.
 */
describe('gemini-generate stream: split, decode, re-encode, decode', () => {
  for (const [name, text] of Object.entries(GEMINI_STREAMS)) {
    const bytes = new TextEncoder().encode(text)
    const reference = decodeText(text)

    it(`${name}: split at every byte offset`, () => {
      expect(reference.length).toBeGreaterThan(1)
      for (let k = 0; k <= bytes.length; k++) {
        const decoded = decodeChunks([bytes.subarray(0, k), bytes.subarray(k)])
        expect(decoded).toEqual(reference)
        expect(decodeText(encodeEvents(decoded))).toEqual(reference)
      }
    })

    it(`${name}: random multi-splits`, () => {
      fc.assert(
        fc.property(fc.uniqueArray(fc.integer({ min: 0, max: bytes.length }), { maxLength: 12 }), (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), bytes.length]
          const chunks = points.slice(1).map((end, i) => bytes.subarray(points[i], end))
          const decoded = decodeChunks(chunks)
          expect(decoded).toEqual(reference)
          const reencoded = new TextEncoder().encode(encodeEvents(decoded))
          const mid = Math.floor(reencoded.length / 2)
          expect(decodeChunks([reencoded.subarray(0, mid), reencoded.subarray(mid)])).toEqual(reference)
        }),
        { numRuns: 60 },
      )
    })
  }
})
