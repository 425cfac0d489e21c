import { describe, expect, it } from 'vitest'
import { daysBetween, splitWindow, usd } from './format.ts'

describe('format', () => {
  it('formats money', () => {
    expect(usd(0)).toBe('$0')
    expect(usd(1.5)).toBe('$1.5')
    expect(usd(0.000123)).toBe('$0.000123')
    expect(usd(null)).toBe('-')
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
