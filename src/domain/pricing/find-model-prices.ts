import {
  compareGlobSpecificity,
  compileModelPattern,
  normalizeModelName,
  type ModelPattern,
} from './match-model-pattern.ts'
import {
  isPriceUnit,
  type ModelPrices,
  type PriceRow,
  type PriceTier,
  type PriceUnit,
} from './price-table.ts'

/**
 * Price lookup (docs/architecture.md, *Money › Pricing*). Resolution is per MODEL, not per unit:
 *  1. the routed group's rows: if any of its patterns matches the model, that group's set for the best
 *     pattern is the model's whole price set (a unit the group did not price is then unpriced, it does not
 *     fall through to the global table — an override means what it says);
 *  2. otherwise the global rows, with the same rules;
 *  3. nothing matched → null (unpriced; the unpriced-model policy is the caller's).
 * Within one table an exact name beats every glob, and among globs the one with the most non-`*`
 * characters wins (ties: fewer `*`, then the pattern text), never database order.
 *
 * The index is immutable: build a new one when prices change. `lookup` results are cached per (model,
 * group) in a bounded map (first-in first-out eviction), so the hot path is one Map hit.
 */
export interface PriceIndex {
  lookup(model: string, groupId: string | null): ModelPrices | null
  /** Cached (model, group) results, for metrics and tests. */
  cacheSize(): number
}

export interface PriceIndexOptions {
  /** Cached (model, group) results. Default 10 000. */
  maxCacheEntries?: number
}

interface PriceScope {
  exact: Map<string, ModelPrices>
  /** Most specific first. */
  globs: { pattern: ModelPattern; prices: ModelPrices }[]
}

const DEFAULT_MAX_CACHE_ENTRIES = 10_000

export function createPriceIndex(
  globalRows: readonly PriceRow[],
  groupRows: readonly PriceRow[],
  options: PriceIndexOptions = {},
): PriceIndex {
  const maxEntries = Math.max(1, Math.floor(options.maxCacheEntries ?? DEFAULT_MAX_CACHE_ENTRIES))
  const globalScope = buildScope(globalRows, null)
  const rowsByGroup = new Map<string, PriceRow[]>()
  for (const row of groupRows) {
    if (typeof row.group_id !== 'string' || row.group_id === '') continue
    const list = rowsByGroup.get(row.group_id)
    if (list) list.push(row)
    else rowsByGroup.set(row.group_id, [row])
  }
  const groupScopes = new Map<string, PriceScope>()
  for (const [groupId, rows] of rowsByGroup) groupScopes.set(groupId, buildScope(rows, groupId))

  const cache = new Map<string, ModelPrices | null>()

  function resolve(model: string, groupScope: PriceScope | undefined): ModelPrices | null {
    const name = normalizeModelName(model)
    if (name === '') return null
    return (groupScope && findInScope(groupScope, name)) ?? findInScope(globalScope, name)
  }

  return {
    lookup(model, groupId) {
      const groupScope = groupId === null ? undefined : groupScopes.get(groupId)
      // Groups without overrides share the global entries of the cache.
      const key = groupScope ? `${groupId}\u0000${model}` : `\u0000${model}`
      const cached = cache.get(key)
      if (cached !== undefined) return cached
      const prices = resolve(model, groupScope)
      if (cache.size >= maxEntries) {
        const oldest = cache.keys().next()
        if (!oldest.done) cache.delete(oldest.value)
      }
      cache.set(key, prices)
      return prices
    },
    cacheSize: () => cache.size,
  }
}

function findInScope(scope: PriceScope, name: string): ModelPrices | null {
  const exact = scope.exact.get(name)
  if (exact) return exact
  for (const glob of scope.globs) if (glob.pattern.matches(name)) return glob.prices
  return null
}

/**
 * Groups one table's rows by normalised pattern. Rows with an unknown unit, a negative or non-bigint price, or
 * an empty pattern are ignored. Two rows for the same (pattern, unit, threshold) — which the database's
 * unique key prevents — resolve to the later one.
 */
function buildScope(rows: readonly PriceRow[], groupId: string | null): PriceScope {
  const byPattern = new Map<string, { pattern: ModelPattern; units: Map<PriceUnit, Map<number, bigint>> }>()
  for (const row of rows) {
    if (!isPriceUnit(row.unit) || typeof row.price_nano !== 'bigint' || row.price_nano < 0n) continue
    const pattern = compileModelPattern(row.model_name)
    if (!pattern) continue
    let entry = byPattern.get(pattern.text)
    if (!entry) {
      entry = { pattern, units: new Map() }
      byPattern.set(pattern.text, entry)
    }
    let tiers = entry.units.get(row.unit)
    if (!tiers) {
      tiers = new Map()
      entry.units.set(row.unit, tiers)
    }
    tiers.set(normalizeThreshold(row.above_input_tokens), row.price_nano)
  }

  const scope: PriceScope = { exact: new Map(), globs: [] }
  for (const { pattern, units } of byPattern.values()) {
    const tiers: Partial<Record<PriceUnit, readonly PriceTier[]>> = {}
    for (const [unit, byThreshold] of units) {
      tiers[unit] = Object.freeze(
        [...byThreshold.entries()]
          .sort(([a], [b]) => a - b)
          .map(([aboveInputTokens, priceNano]) => Object.freeze({ aboveInputTokens, priceNano })),
      )
    }
    const prices: ModelPrices = Object.freeze({
      pattern: pattern.text,
      source: groupId === null ? 'global' : 'group',
      groupId,
      tiers: Object.freeze(tiers),
    })
    if (pattern.isGlob) scope.globs.push({ pattern, prices })
    else scope.exact.set(pattern.text, prices)
  }
  scope.globs.sort((a, b) => compareGlobSpecificity(a.pattern, b.pattern))
  return scope
}

function normalizeThreshold(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0
}
