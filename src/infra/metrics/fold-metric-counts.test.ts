import { describe, expect, it } from 'vitest'
import { Counter, Histogram, Registry } from 'prom-client'
import { createFoldedCounter, createFoldedHistogram } from './fold-metric-counts.ts'

// Binary fractions, so that sums do not depend on the order of addition; values on and beside the bounds.
const BUCKETS = [0.0078125, 0.015625, 0.0625, 0.5, 1]
const VALUES = [0, 0.001953125, 0.0078125, 0.0087890625, 0.03125, 0.0625, 0.5, 1, 3, 120]

/** The same values counted by prom-client directly and through the cells: the expositions must be identical. */
function both() {
  const direct = new Registry()
  const folded = new Registry()
  const plainHistogram = new Histogram({
    name: 'h_seconds',
    help: 'h',
    labelNames: ['surface'] as const,
    buckets: BUCKETS,
    registers: [direct],
  })
  const plainCounter = new Counter({
    name: 'c_total',
    help: 'c',
    labelNames: ['model', 'kind'] as const,
    registers: [direct],
  })
  const h = createFoldedHistogram({
    name: 'h_seconds',
    help: 'h',
    labelNames: ['surface'] as const,
    buckets: BUCKETS,
    registers: [folded],
  })
  const c = createFoldedCounter({
    name: 'c_total',
    help: 'c',
    labelNames: ['model', 'kind'] as const,
    registers: [folded],
  })
  return { direct, folded, plainHistogram, plainCounter, h, c }
}

describe('folded metric counts', () => {
  it('expose what prom-client shows for the same observations, over several scrapes', async () => {
    const { direct, folded, plainHistogram, plainCounter, h, c } = both()
    const chat = h.cell({ surface: 'openai/chat' })
    const messages = h.cell({ surface: 'anthropic/messages' })
    const input = c.cell({ model: 'gpt-4o', kind: 'input' })
    const output = c.cell({ model: 'gpt-4o', kind: 'output' })
    // Nothing observed yet: no series (prom-client shows none either).
    expect(await folded.metrics()).toBe(await direct.metrics())
    for (let round = 0; round < 3; round++) {
      for (const v of VALUES) {
        plainHistogram.observe({ surface: 'openai/chat' }, v)
        chat.observe(v)
        if (round > 0) {
          plainHistogram.observe({ surface: 'anthropic/messages' }, v * 2)
          messages.observe(v * 2)
        }
      }
      plainCounter.inc({ model: 'gpt-4o', kind: 'input' }, 12 + round)
      input.pending += 12 + round
      if (round === 2) {
        plainCounter.inc({ model: 'gpt-4o', kind: 'output' }, 0.25)
        output.pending += 0.25
      }
      expect(await folded.metrics()).toBe(await direct.metrics())
      expect(await folded.getMetricsAsJSON()).toEqual(await direct.getMetricsAsJSON())
    }
  })

  it('skips a value prom-client would refuse, keeping the rest', async () => {
    const { folded, h } = both()
    const cell = h.cell({ surface: 's' })
    cell.observe(Number.NaN)
    cell.observe(0.002)
    const text = await folded.metrics()
    expect(text).toContain('h_seconds_count{surface="s"} 1')
    expect(text).toContain('h_seconds_sum{surface="s"} 0.002')
  })
})
