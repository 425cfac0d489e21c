import { describe, expect, it } from 'vitest'
import { en, zh, translate } from './index.ts'

describe('i18n dictionaries', () => {
  it('en and zh have exactly the same keys', () => {
    const enKeys = Object.keys(en).sort()
    const zhKeys = Object.keys(zh).sort()
    expect(zhKeys.filter((k) => !enKeys.includes(k))).toEqual([])
    expect(enKeys.filter((k) => !zhKeys.includes(k))).toEqual([])
  })
  it('has no empty values', () => {
    for (const dict of [en, zh] as Record<string, string>[]) {
      for (const [k, v] of Object.entries(dict)) {
        expect(typeof v, k).toBe('string')
        expect(v.trim().length, k).toBeGreaterThan(0)
      }
    }
  })
  it('uses the same placeholders in both languages', () => {
    const vars = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const k of Object.keys(en) as (keyof typeof en)[]) expect(vars(zh[k]), k).toEqual(vars(en[k]))
  })
  it('interpolates variables', () => {
    expect(translate('en', 'vouchers.generated', { count: 3 })).toContain('3')
  })
})
