import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { escapeLdapDnValue } from './escape-ldap-dn.ts'

/** A strict RFC 4514 reader for one attribute value: the inverse the escaper must satisfy. */
function unescapeDnValue(escaped: string): string {
  let out = ''
  for (let i = 0; i < escaped.length; i++) {
    const ch = escaped[i]
    if (ch !== '\\') {
      // Unescaped specials would end the value or the RDN: the escaper must never emit them.
      if (',+"\\<>;='.includes(ch)) throw new Error(`unescaped ${ch} at ${i} in ${escaped}`)
      if (ch.charCodeAt(0) < 0x20) throw new Error(`raw control character at ${i}`)
      out += ch
      continue
    }
    const next = escaped.slice(i + 1, i + 3)
    if (/^[0-9a-f]{2}$/i.test(next)) {
      out += String.fromCharCode(parseInt(next, 16))
      i += 2
    } else {
      out += escaped[i + 1]
      i += 1
    }
  }
  if (out.startsWith(' ') && !escaped.startsWith('\\ ')) throw new Error('leading space unescaped')
  if (out.startsWith('#') && !escaped.startsWith('\\#')) throw new Error('leading # unescaped')
  if (out.endsWith(' ') && !escaped.endsWith('\\ ')) throw new Error('trailing space unescaped')
  return out
}

describe('escapeLdapDnValue (RFC 4514)', () => {
  it.each([
    ['admin,ou=x', 'admin\\,ou\\=x'],
    ['admin,ou=Admins', 'admin\\,ou\\=Admins'],
    ['x,dc=evil', 'x\\,dc\\=evil'],
    ['Doe, John', 'Doe\\, John'],
    ['a+b', 'a\\+b'],
    ['say "hi"', 'say \\"hi\\"'],
    ['back\\slash', 'back\\\\slash'],
    ['<tag>', '\\<tag\\>'],
    ['a;b', 'a\\;b'],
    ['#x', '\\#x'],
    ['x#', 'x#'],
    [' lead', '\\ lead'],
    ['trail ', 'trail\\ '],
    [' ', '\\ '],
    ['  ', '\\ \\ '],
    ['a b', 'a b'],
    ['nul\0', 'nul\\00'],
    ['tab\t', 'tab\\09'],
  ])('%j -> %j', (input, expected) => {
    expect(escapeLdapDnValue(input)).toBe(expected)
  })

  it('is not filter escaping: * and ( ) are legal in a DN value and left alone', () => {
    expect(escapeLdapDnValue('*)(uid=*')).toBe('*)(uid\\=*')
  })

  it('leaves ordinary names and UTF-8 untouched', () => {
    for (const value of ['alice', 'alice@example.org', 'José', '山田'])
      expect(escapeLdapDnValue(value)).toBe(value)
  })

  it('round-trips every string and never emits an unescaped special', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 40 }), (value) => {
        expect(unescapeDnValue(escapeLdapDnValue(value))).toBe(value)
      }),
      { numRuns: 1000 },
    )
  })
})
