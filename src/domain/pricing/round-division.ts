/** Integer division helpers for non-negative money amounts: every rounding in pricing happens here, once. */

/** ⌊numerator / denominator + ½⌋ for numerator ≥ 0, denominator > 0 (round half up). */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  assertOperands(numerator, denominator)
  return (numerator * 2n + denominator) / (denominator * 2n)
}

/** ⌈numerator / denominator⌉ for numerator ≥ 0, denominator > 0. */
export function divideRoundUp(numerator: bigint, denominator: bigint): bigint {
  assertOperands(numerator, denominator)
  return (numerator + denominator - 1n) / denominator
}

function assertOperands(numerator: bigint, denominator: bigint): void {
  if (numerator < 0n) throw new RangeError('numerator must be non-negative')
  if (denominator <= 0n) throw new RangeError('denominator must be positive')
}

/** The multiplier's scale: multipliers are applied as integers in millionths (6 decimals). */
export const MULTIPLIER_SCALE = 1_000_000n

/**
 * A group multiplier (a float such as 1.5 or 0.3) as an exact integer number of millionths:
 * round(multiplier × 1e6). 0.3 becomes 300_000n, not 0.29999999999999998…
 */
export function toMultiplierMicros(multiplier: number): bigint {
  if (!Number.isFinite(multiplier) || multiplier < 0) {
    throw new RangeError(`multiplier must be a finite number ≥ 0, got ${multiplier}`)
  }
  return BigInt(Math.round(multiplier * 1_000_000))
}
