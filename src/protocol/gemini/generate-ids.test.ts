import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeGeminiCallId, encodeGeminiCallId } from './generate-ids.ts'

describe('Gemini call ids', () => {
  it('round-trip any real id and signature, in the Anthropic id charset', () => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.string({ minLength: 1 }), { nil: undefined }), (realId, sig) => {
        const id = encodeGeminiCallId({ realId, thoughtSignature: sig })
        expect(id).toMatch(/^[A-Za-z0-9_-]+$/)
        expect(decodeGeminiCallId(id)).toEqual(sig ? { realId, thoughtSignature: sig } : { realId })
      }),
    )
  })

  it('round-trip synthesised keys with base64 signatures of any length and padding', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/),
        (bytes, key) => {
          const sig = btoa(String.fromCharCode(...bytes))
          const id = encodeGeminiCallId({ key, thoughtSignature: sig })
          expect(decodeGeminiCallId(id)).toEqual({ key, thoughtSignature: sig })
        },
      ),
    )
  })

  it("leaves other providers' ids alone", () => {
    for (const id of [
      'call_abc',
      'toolu_01A',
      'functions.Bash:0',
      'gm',
      'gmx3_abc',
      'gms9_short',
      'gmr2_abS!!',
    ])
      expect(decodeGeminiCallId(id)).toBeUndefined()
  })
})
