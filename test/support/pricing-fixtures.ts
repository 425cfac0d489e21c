import type { BillableUsage } from '../../src/domain/pricing/billable-usage.ts'
import type { PriceRow, PriceUnit } from '../../src/domain/pricing/price-table.ts'
import { createEmptyUsage } from '../../src/protocol/usage/usage.ts'

/**
 * A price row as the tables hold it. Prices in the pricing tests are nano-USD per 1M tokens (or per call):
 * $2.50 / 1M = 2_500_000_000n. A `group_id` makes it a group override row.
 */
export function priceRow(
  model_name: string,
  unit: PriceUnit,
  price_nano: bigint,
  above_input_tokens = 0,
  group_id?: string,
): PriceRow {
  return { model_name, unit, price_nano, above_input_tokens, ...(group_id ? { group_id } : {}) }
}

/** Billable counts: every count 0 but those given. */
export function billableUsage(partial: Partial<BillableUsage> = {}): BillableUsage {
  const { reported: _reported, ...zero } = createEmptyUsage()
  return { ...zero, ...partial }
}
