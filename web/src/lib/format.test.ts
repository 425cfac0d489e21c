import { describe, expect, it } from 'vitest'
import { daysBetween, niceTicks, splitWindow, usd } from './format.ts'

describe('format', () => {
  it('formats money', () => {
    expect(usd(0)).toBe('$0.00')
    expect(usd(1.5)).toBe('$1.50')
    expect(usd(30)).toBe('$30.00')
    expect(usd(1234.5)).toBe('$1,234.50')
    expect(usd(0.5)).toBe('$0.50')
    expect(usd(0.125)).toBe('$0.125')
    expect(usd(0.007211)).toBe('$0.00721')
    expect(usd(0.0063)).toBe('$0.0063')
    expect(usd(0.000123)).toBe('$0.000123')
    expect(usd(-2)).toBe('-$2.00')
    expect(usd(null)).toBe('-')
  })
  it('spaces axis ticks evenly, in whole numbers for counts', () => {
    expect(niceTicks(3, 4, true)).toEqual([0, 1, 2, 3])
    expect(niceTicks(7, 4, true)).toEqual([0, 2, 4, 6, 8])
    expect(niceTicks(0.0137)).toEqual([0, 0.005, 0.01, 0.015])
    expect(niceTicks(0, 4, true)).toEqual([0, 1])
    for (const max of [0.3, 17, 950, 12_345]) {
      const ticks = niceTicks(max)
      const steps = ticks.slice(1).map((v, i) => v - ticks[i])
      expect(Math.max(...steps) - Math.min(...steps)).toBeLessThan(1e-9)
      expect(ticks.at(-1)).toBeGreaterThanOrEqual(max)
    }
  })
  it('splits windows into the largest unit', () => {
    expect(splitWindow(60)).toEqual({ n: 1, unit: 'minute' })
    expect(splitWindow(7200)).toEqual({ n: 2, unit: 'hour' })
    expect(splitWindow(86400 * 3)).toEqual({ n: 3, unit: 'day' })
    expect(splitWindow(45)).toEqual({ n: 45, unit: 'second' })
  })
  it('lists days inclusively', () => {
    expect(daysBetween('2026-02-27', '2026-03-01')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01'])
  })
})
