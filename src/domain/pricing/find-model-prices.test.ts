import { describe, expect, it } from 'vitest'
import { createPriceIndex } from './find-model-prices.ts'
import type { PriceRow, PriceUnit } from './price-table.ts'
import { priceRow as row } from '../../../test/support/pricing-fixtures.ts'

describe('createPriceIndex().lookup', () => {
  it('returns null for an unpriced model and an empty name', () => {
    const index = createPriceIndex([row('gpt-4o', 'input_token', 1n)], [])
    expect(index.lookup('gpt-4o-mini', null)).toBeNull()
    expect(index.lookup('', null)).toBeNull()
    expect(index.lookup('   ', null)).toBeNull()
  })

  it('does not treat a plain name as a substring match (the original priced gpt-4o-mini with gpt-4)', () => {
    const index = createPriceIndex([row('gpt-4', 'input_token', 30_000_000_000n)], [])
    expect(index.lookup('gpt-4o-mini', null)).toBeNull()
    expect(index.lookup('gpt-4', null)?.pattern).toBe('gpt-4')
  })

  it('matches case-insensitively and ignores surrounding spaces', () => {
    const index = createPriceIndex(
      [row(' GPT-4o ', 'input_token', 1n), row('Claude-*', 'input_token', 2n)],
      [],
    )
    expect(index.lookup('gpt-4o', null)?.pattern).toBe('gpt-4o')
    expect(index.lookup('GPT-4O', null)?.pattern).toBe('gpt-4o')
    expect(index.lookup('claude-opus-4-1', null)?.pattern).toBe('claude-*')
  })

  it('exact beats glob; the longest glob wins; ties go to fewer wildcards then the pattern text', () => {
    const index = createPriceIndex(
      [
        row('*', 'input_token', 1n),
        row('gpt-*', 'input_token', 2n),
        row('gpt-4o*', 'input_token', 3n),
        row('gpt-4o', 'input_token', 4n),
        row('*4-mini', 'input_token', 5n),
        row('gpt*mini', 'input_token', 6n),
        row('g*pt-*o-mini', 'input_token', 7n),
      ],
      [],
    )
    expect(index.lookup('gpt-4o', null)?.pattern).toBe('gpt-4o')
    expect(index.lookup('gpt-4o-2024-08-06', null)?.pattern).toBe('gpt-4o*')
    expect(index.lookup('gpt-3.5-turbo', null)?.pattern).toBe('gpt-*')
    expect(index.lookup('o4-mini', null)?.pattern).toBe('*4-mini')
    // 'gpt-4o-mini': gpt-4o* (6 literal chars) and g*pt-*o-mini (10) and gpt*mini (7) match → g*pt-*o-mini
    expect(index.lookup('gpt-4o-mini', null)?.pattern).toBe('g*pt-*o-mini')
    expect(index.lookup('mistral-large', null)?.pattern).toBe('*')

    // equal literal length (2): fewer wildcards first, then the pattern text, whatever the row order
    const fewer = createPriceIndex([row('*a*c', 'input_token', 1n), row('a*c', 'input_token', 2n)], [])
    expect(fewer.lookup('abc', null)?.pattern).toBe('a*c')
    const texts = ['ab*', 'a*c', '*bc', '*a*c']
    const forward = createPriceIndex(
      texts.map((t) => row(t, 'input_token', 1n)),
      [],
    )
    const backward = createPriceIndex(
      [...texts].reverse().map((t) => row(t, 'input_token', 1n)),
      [],
    )
    expect(forward.lookup('abc', null)?.pattern).toBe('*bc')
    expect(backward.lookup('abc', null)?.pattern).toBe('*bc')
  })

  it('matches wildcards anywhere, without overlapping literals', () => {
    const index = createPriceIndex(
      [row('claude-*-sonnet*', 'input_token', 1n), row('ab*ba', 'input_token', 2n)],
      [],
    )
    expect(index.lookup('claude-3-7-sonnet-20250219', null)?.pattern).toBe('claude-*-sonnet*')
    expect(index.lookup('claude-sonnet-4', null)).toBeNull()
    expect(index.lookup('aba', null)).toBeNull()
    expect(index.lookup('abba', null)?.pattern).toBe('ab*ba')
  })

  it("resolves per model: the group's set wins whole, else the global set", () => {
    const index = createPriceIndex(
      [row('gpt-4o', 'input_token', 10n), row('gpt-4o', 'output_token', 20n), row('*', 'input_token', 1n)],
      [row('gpt-4o*', 'input_token', 5n, 0, 'g1'), row('claude*', 'input_token', 7n, 0, 'g2')],
    )
    const g1 = index.lookup('gpt-4o', 'g1')
    expect(g1).toMatchObject({ source: 'group', groupId: 'g1', pattern: 'gpt-4o*' })
    expect(g1?.tiers.output_token).toBeUndefined()
    expect(index.lookup('gpt-4o', 'g2')).toMatchObject({ source: 'global', groupId: null, pattern: 'gpt-4o' })
    expect(index.lookup('gpt-4o', 'unknown-group')?.source).toBe('global')
    expect(index.lookup('gpt-4o', null)?.tiers.output_token).toEqual([
      { aboveInputTokens: 0, priceNano: 20n },
    ])
    // the group's glob loses to nothing of the global table: group first
    expect(index.lookup('claude-3', 'g2')).toMatchObject({ source: 'group', pattern: 'claude*' })
    expect(index.lookup('claude-3', 'g1')).toMatchObject({ source: 'global', pattern: '*' })
  })

  it('keeps the tiers of each unit sorted by threshold', () => {
    const index = createPriceIndex(
      [
        row('m', 'input_token', 3n, 500_000),
        row('m', 'input_token', 1n),
        row('m', 'input_token', 2n, 200_000),
        row('m', 'output_token', 9n),
      ],
      [],
    )
    expect(index.lookup('m', null)?.tiers).toEqual({
      input_token: [
        { aboveInputTokens: 0, priceNano: 1n },
        { aboveInputTokens: 200_000, priceNano: 2n },
        { aboveInputTokens: 500_000, priceNano: 3n },
      ],
      output_token: [{ aboveInputTokens: 0, priceNano: 9n }],
    })
  })

  it('ignores rows with an unknown unit, a negative price or an empty name, and group rows without a group', () => {
    const index = createPriceIndex(
      [
        { model_name: 'm', unit: 'extra_context_token' as PriceUnit, price_nano: 1n, above_input_tokens: 0 },
        row('m', 'output_token', -1n),
        row('', 'input_token', 1n),
        row('m', 'input_token', 2n),
      ],
      [row('m', 'input_token', 9n)],
    )
    expect(index.lookup('m', null)?.tiers).toEqual({ input_token: [{ aboveInputTokens: 0, priceNano: 2n }] })
    expect(index.lookup('m', 'g')?.source).toBe('global')
  })

  it('returns immutable, shared results', () => {
    const index = createPriceIndex([row('m*', 'input_token', 1n)], [])
    const a = index.lookup('m1', null)
    expect(Object.isFrozen(a)).toBe(true)
    expect(Object.isFrozen(a?.tiers.input_token)).toBe(true)
    expect(index.lookup('m2', null)).toBe(a)
  })

  it('caches per (model, group) within a bound', () => {
    const index = createPriceIndex([row('m*', 'input_token', 1n)], [row('m*', 'input_token', 2n, 0, 'g')], {
      maxCacheEntries: 3,
    })
    expect(index.lookup('m1', 'g')?.source).toBe('group')
    expect(index.lookup('m1', null)?.source).toBe('global')
    // a group without overrides shares the global entry
    expect(index.lookup('m1', 'no-overrides')?.source).toBe('global')
    expect(index.cacheSize()).toBe(2)
    for (let i = 0; i < 100; i++) index.lookup(`x${i}`, null)
    expect(index.cacheSize()).toBe(3)
    // evicted entries are recomputed identically
    expect(index.lookup('m1', 'g')?.source).toBe('group')
    expect(index.lookup('x0', null)).toBeNull()
  })

  it('looks up 100 000 times quickly on a large table', () => {
    const rows: PriceRow[] = []
    for (let i = 0; i < 2_000; i++) {
      rows.push(row(`model-${i}`, 'input_token', BigInt(i)), row(`family-${i}-*`, 'input_token', BigInt(i)))
    }
    const index = createPriceIndex(rows, [])
    const started = performance.now()
    let found = 0
    for (let i = 0; i < 100_000; i++) if (index.lookup(`family-${i % 50}-v2`, i % 2 ? null : 'g')) found++
    expect(found).toBe(100_000)
    expect(performance.now() - started).toBeLessThan(1_000)
  })
})
