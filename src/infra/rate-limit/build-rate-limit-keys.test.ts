import { describe, expect, it } from 'vitest'
import { concurrencyKey, keyPattern, ruleKeys } from './build-rate-limit-keys.ts'

/** The hash tag Redis Cluster hashes: between the first `{` and the next `}`. */
const tag = (key: string) => {
  const open = key.indexOf('{')
  return key.slice(open + 1, key.indexOf('}', open + 1))
}

describe('rate limit keys', () => {
  it('puts every key of one (scope, rule) in one hash tag', () => {
    for (const scope of ['g:1:u:alice', 'g:1:u:a}b{c', 'g:1:shared', '%7D']) {
      const keys = Object.values(ruleKeys('gw', scope, 'rule:1'))
      expect(new Set(keys.map(tag)).size).toBe(1)
      expect(new Set(keys).size).toBe(3)
    }
  })

  it('never maps two different (scope, rule) pairs to one key', () => {
    const all = new Set<string>()
    const pairs: [string, string][] = [
      ['s}:r:a', 'b'],
      ['s', 'a}:r:b'],
      ['s', 'x:amt'],
      ['s', 'x'],
      ['s', 'x:sum'],
      ['%7D', 'x'],
      ['}', 'x'],
    ]
    for (const [scope, rule] of pairs) for (const k of Object.values(ruleKeys('p', scope, rule))) all.add(k)
    expect(all.size).toBe(pairs.length * 3)
  })

  it('names concurrency keys and the cleanup pattern under the prefix', () => {
    expect(concurrencyKey('gw', 'k:1')).toBe('{gw:conc:k:1}')
    expect(ruleKeys('gw', 'g:1:shared', 'r').entries).toBe('{gw:g:1:shared}:r:r')
    expect(keyPattern('t*st')).toBe('{t\\*st:*')
  })
})
