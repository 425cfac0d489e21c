import { Counter, Histogram, type Registry } from 'prom-client'

/**
 * Counters and histograms whose hot path is plain arithmetic on a cell of their own: prom-client's `inc` and
 * `observe` build and validate a label hash on every call (about a microsecond each, several per request), so the
 * request path only adds to a cell of one label set, and the counts are folded into prom-client when scraped (its
 * `collect` hook, which runs before every exposition, the cluster's included). The exposition is the same as if
 * every value had gone to prom-client directly (fold-metric-counts.test.ts).
 */

/** One label set of a counter: `pending` is added to the counter at the next scrape. */
export interface CounterCell {
  pending: number
}

/** One label set of a histogram: `observe` is what prom-client's child would do, counted here until the scrape. */
export interface HistogramCell {
  observe(value: number): void
}

export interface FoldedCounter<L extends string> {
  metric: Counter<L>
  /** A new cell for these labels; the caller keeps it (one per label set). */
  cell(labels: Record<L, string>): CounterCell
}

export interface FoldedHistogram<L extends string> {
  metric: Histogram<L>
  /** A new cell for these labels; the caller keeps it (one per label set). */
  cell(labels: Record<L, string>): HistogramCell
}

export function createFoldedCounter<L extends string>(config: {
  name: string
  help: string
  labelNames: readonly L[]
  registers: Registry[]
}): FoldedCounter<L> {
  const cells: { labels: Record<L, string>; cell: CounterCell }[] = []
  const metric = new Counter<L>({
    ...config,
    collect() {
      for (const { labels, cell } of cells) {
        if (cell.pending === 0) continue
        this.inc(labels, cell.pending)
        cell.pending = 0
      }
    },
  })
  return {
    metric,
    cell(labels) {
      const cell = { pending: 0 }
      cells.push({ labels, cell })
      return cell
    },
  }
}

/** prom-client's per-label-set entry of a histogram (lib/histogram.js), which the fold adds to. */
interface HistogramEntry {
  labels: object
  bucketValues: Record<number, number>
  sum: number
  count: number
}

class FoldCell<L extends string> implements HistogramCell {
  /** Per bucket, not cumulative (as prom-client keeps them); a value above the last bound is only counted. */
  readonly counts: number[]
  sum = 0
  count = 0
  constructor(
    readonly labels: Record<L, string>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = bounds.map(() => 0)
  }
  observe(value: number): void {
    // prom-client refuses such a value; skipping it keeps the rest of the request's counts.
    if (!Number.isFinite(value)) return
    const bounds = this.bounds
    let i = 0
    while (i < bounds.length && value > bounds[i]) i++
    if (i < bounds.length) this.counts[i]++
    this.sum += value
    this.count++
  }
}

export function createFoldedHistogram<L extends string>(config: {
  name: string
  help: string
  labelNames: readonly L[]
  buckets: number[]
  registers: Registry[]
}): FoldedHistogram<L> {
  const bounds = [...config.buckets].sort((a, b) => a - b)
  const cells: FoldCell<L>[] = []
  const metric = new Histogram<L>({
    ...config,
    collect() {
      const map = (this as unknown as { hashMap: Record<string, HistogramEntry> }).hashMap
      let entries: Map<object, HistogramEntry> | null = null
      for (const cell of cells) {
        if (cell.count === 0) continue
        entries ??= new Map(Object.values(map).map((e) => [e.labels, e]))
        let entry = entries.get(cell.labels)
        if (!entry) {
          // A label set's first scrape: prom-client creates its entry (all buckets at 0), keyed by these labels.
          this.zero(cell.labels)
          entries = new Map(Object.values(map).map((e) => [e.labels, e]))
          entry = entries.get(cell.labels)
          if (!entry) throw new Error(`${config.name}: prom-client kept no entry for a label set`)
        }
        for (let i = 0; i < bounds.length; i++) {
          entry.bucketValues[bounds[i]] += cell.counts[i]
          cell.counts[i] = 0
        }
        entry.sum += cell.sum
        entry.count += cell.count
        cell.sum = 0
        cell.count = 0
      }
    },
  })
  return {
    metric,
    cell(labels) {
      const cell = new FoldCell(labels, bounds)
      cells.push(cell)
      return cell
    },
  }
}
