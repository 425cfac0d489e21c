import { toCountBigInt } from './billable-usage.ts'
import { TOKENS_PER_PRICE, type ModelPrices } from './price-table.ts'
import { divideRoundUp, MULTIPLIER_SCALE, toMultiplierMicros } from './round-division.ts'
import { hasRequestPrice, selectUnitPrices } from './select-unit-prices.ts'

/**
 * The admission estimate (docs/architecture.md, *Money › Pricing* and *Reservation*), in nano-USD, rounded UP
 * (never under-reserve):
 *
 *   (⌈promptBytes / 4⌉ × P_in + min(maxTokens ?? R, R) × P_out) / 1e6 × n × multiplier
 *
 * where R = `reserveOutputTokens` (RESERVE_OUTPUT_TOKENS, default 4096), or the per-request price × n ×
 * multiplier when the model has a `request` price > 0. The estimated prompt tokens also select the
 * long-context tier, as in computeCost. Web search calls cannot be known in advance and are not reserved.
 * An unpriced model (null) reserves 0n; whether it may run at all is the caller's policy.
 */
export interface ReservationRequest {
  /** Size of the prompt as sent upstream, in bytes. */
  promptBytes: number
  /** The client's max_tokens / max_output_tokens / maxOutputTokens, or null when absent. */
  maxTokens: number | null
  /** Number of choices asked for (OpenAI `n`, Gemini `candidateCount`). Default 1; values below 1 count as 1. */
  n?: number
}

export const BYTES_PER_ESTIMATED_TOKEN = 4

export function estimatePromptTokens(promptBytes: number): number {
  return Math.ceil(Number(toCountBigInt(promptBytes, 'promptBytes')) / BYTES_PER_ESTIMATED_TOKEN)
}

export function estimateReservation(
  prices: ModelPrices | null,
  request: ReservationRequest,
  multiplier: number,
  reserveOutputTokens: number,
): bigint {
  const multiplierMicros = toMultiplierMicros(multiplier)
  const promptTokens = estimatePromptTokens(request.promptBytes)
  const reserve = toCountBigInt(reserveOutputTokens, 'reserveOutputTokens')
  const asked = request.maxTokens === null ? reserve : toCountBigInt(request.maxTokens, 'maxTokens')
  const outputTokens = asked < reserve ? asked : reserve
  const n = request.n ?? 1
  const copies = n < 1 ? 1n : toCountBigInt(n, 'n')
  if (prices === null) return 0n

  const unitPrices = selectUnitPrices(prices, promptTokens)
  /** nano-USD × TOKENS_PER_PRICE for one copy. */
  const perCopy = hasRequestPrice(unitPrices)
    ? (unitPrices.request?.priceNano ?? 0n) * TOKENS_PER_PRICE
    : BigInt(promptTokens) * (unitPrices.input_token?.priceNano ?? 0n) +
      outputTokens * (unitPrices.output_token?.priceNano ?? 0n)
  return divideRoundUp(perCopy * copies * multiplierMicros, TOKENS_PER_PRICE * MULTIPLIER_SCALE)
}
