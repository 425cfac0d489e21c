import { describe, expect, it } from 'vitest'
import { newId, newTimeOrderedId } from './ids.ts'

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('newTimeOrderedId', () => {
  it('is a version 7 UUID whose first 48 bits are the milliseconds', () => {
    const at = Date.UTC(2026, 10, 28, 6, 30, 0, 123)
    const id = newTimeOrderedId(at)
    expect(id).toMatch(V7)
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at)
  })

  it('sorts by creation time and never repeats', () => {
    const ids: string[] = []
    for (let i = 0; i < 5000; i++) ids.push(newTimeOrderedId(1_700_000_000_000 + Math.floor(i / 10)))
    for (let i = 1; i < ids.length; i++) {
      if (Math.floor(i / 10) !== Math.floor((i - 1) / 10)) expect(ids[i] > ids[i - 1]).toBe(true)
    }
    expect(new Set(ids).size).toBe(ids.length)
    // The random part really varies (74 bits): no two ids of the same millisecond share it.
    const tails = new Set(ids.slice(0, 10).map((id) => id.slice(15)))
    expect(tails.size).toBe(10)
  })

  it('serves as the default id', () => {
    expect(newId()).toMatch(V7)
  })
})
