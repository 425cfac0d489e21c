import { describe, expect, it } from 'vitest'
import { divideRoundHalfUp, divideRoundUp, toMultiplierMicros } from './round-division.ts'

describe('round-division', () => {
  it('rounds half up', () => {
    expect(divideRoundHalfUp(0n, 7n)).toBe(0n)
    expect(divideRoundHalfUp(4n, 10n)).toBe(0n)
    expect(divideRoundHalfUp(5n, 10n)).toBe(1n)
    expect(divideRoundHalfUp(15n, 10n)).toBe(2n)
    expect(divideRoundHalfUp(149n, 100n)).toBe(1n)
    expect(divideRoundHalfUp(1n, 3n)).toBe(0n)
    expect(divideRoundHalfUp(2n, 3n)).toBe(1n)
  })

  it('rounds up', () => {
    expect(divideRoundUp(0n, 7n)).toBe(0n)
    expect(divideRoundUp(1n, 1_000_000n)).toBe(1n)
    expect(divideRoundUp(10n, 5n)).toBe(2n)
    expect(divideRoundUp(11n, 5n)).toBe(3n)
  })

  it('rejects a negative numerator or a non-positive denominator', () => {
    expect(() => divideRoundHalfUp(-1n, 2n)).toThrow(RangeError)
    expect(() => divideRoundUp(1n, 0n)).toThrow(RangeError)
  })

  it('turns multipliers into exact millionths', () => {
    expect(toMultiplierMicros(1)).toBe(1_000_000n)
    expect(toMultiplierMicros(1.5)).toBe(1_500_000n)
    expect(toMultiplierMicros(0.3)).toBe(300_000n)
    expect(toMultiplierMicros(0.1 + 0.2)).toBe(300_000n)
    expect(toMultiplierMicros(0)).toBe(0n)
    expect(toMultiplierMicros(1000)).toBe(1_000_000_000n)
    expect(toMultiplierMicros(1.0000004)).toBe(1_000_000n)
    expect(() => toMultiplierMicros(-0.5)).toThrow(RangeError)
    expect(() => toMultiplierMicros(Number.NaN)).toThrow(RangeError)
  })
})
