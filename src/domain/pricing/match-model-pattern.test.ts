import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compareGlobSpecificity, compileModelPattern } from './match-model-pattern.ts'

function compile(pattern: string) {
  const compiled = compileModelPattern(pattern)
  if (!compiled) throw new Error(`pattern ${pattern} did not compile`)
  return compiled
}

/** Reference semantics: `*` is `.*`, everything else literal. */
function reference(pattern: string, name: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${source}$`, 's').test(name)
}

describe('compileModelPattern', () => {
  it('returns null for an empty pattern', () => {
    expect(compileModelPattern('')).toBeNull()
    expect(compileModelPattern('   ')).toBeNull()
  })

  it('describes exact names and globs', () => {
    expect(compile(' GPT-4o ')).toMatchObject({
      text: 'gpt-4o',
      isGlob: false,
      literalLength: 6,
      wildcardCount: 0,
    })
    expect(compile('claude-*-sonnet*')).toMatchObject({ isGlob: true, literalLength: 14, wildcardCount: 2 })
    expect(compile('*')).toMatchObject({ isGlob: true, literalLength: 0 })
  })

  it('matches like the regular expression it stands for', () => {
    const alphabet = fc.constantFrom('a', 'b', '-', '.', '*')
    fc.assert(
      fc.property(
        fc.array(alphabet, { minLength: 1, maxLength: 8 }).map((cs) => cs.join('')),
        fc.array(fc.constantFrom('a', 'b', '-', '.'), { maxLength: 10 }).map((cs) => cs.join('')),
        (pattern, name) => {
          const compiled = compileModelPattern(pattern)
          if (compiled) expect(compiled.matches(name)).toBe(reference(pattern, name))
        },
      ),
      { numRuns: 2_000 },
    )
  })

  it('orders globs most specific first', () => {
    // literal chars: gpt-4o* 6, *-mini 5 (one *), gpt*4o* 5 (two *), gpt-* 4, * 0
    const sorted = ['*', 'gpt-*', '*-mini', 'gpt-4o*', 'gpt*4o*'].map(compile).sort(compareGlobSpecificity)
    expect(sorted.map((p) => p.text)).toEqual(['gpt-4o*', '*-mini', 'gpt*4o*', 'gpt-*', '*'])
  })
})
