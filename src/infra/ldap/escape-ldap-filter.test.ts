import fc from 'fast-check'
import { EqualityFilter, FilterParser } from 'ldapts'
import { describe, expect, it } from 'vitest'
import { escapeLdapFilterValue } from './escape-ldap-filter.ts'

describe('escapeLdapFilterValue (RFC 4515)', () => {
  it.each([
    ['*', '\\2a'],
    ['(', '\\28'],
    [')', '\\29'],
    ['\\', '\\5c'],
    ['\0', '\\00'],
    ['*)(uid=*', '\\2a\\29\\28uid=\\2a'],
    ['admin)(|(uid=*', 'admin\\29\\28|\\28uid=\\2a'],
    ['a*', 'a\\2a'],
    // The backslash is escaped once, not re-escaped after the star is.
    ['\\*', '\\5c\\2a'],
    ['\\2a', '\\5c2a'],
  ])('%j -> %j', (input, expected) => {
    expect(escapeLdapFilterValue(input)).toBe(expected)
  })

  it('leaves ordinary names, DN specials and UTF-8 untouched', () => {
    for (const value of ['alice', 'alice@example.org', 'Doe, John', 'a+b=c;d', 'José Müller', '山田']) {
      expect(escapeLdapFilterValue(value)).toBe(value)
    }
  })

  it('always yields one equality assertion whose value is the exact input (never a wildcard or a new clause)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 40 }), (value) => {
        const filter = FilterParser.parseString(`(uid=${escapeLdapFilterValue(value)})`)
        expect(filter).toBeInstanceOf(EqualityFilter)
        expect((filter as EqualityFilter).value).toBe(value)
      }),
      { numRuns: 500 },
    )
  })

  it('keeps the structure of a template filter whatever the username', () => {
    for (const name of ['*', '*)(uid=*', ')(objectClass=*', 'x)(|(a=b']) {
      const escaped = escapeLdapFilterValue(name)
      const filter = FilterParser.parseString(`(|(uid=${escaped})(userPrincipalName=${escaped}))`)
      expect(filter.toString()).toBe(`(|(uid=${escaped})(userPrincipalName=${escaped}))`)
    }
  })
})
