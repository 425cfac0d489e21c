import { describe, expect, it } from 'vitest'
import { scrubText } from './sanitize-upstream-error.ts'

describe('scrubText', () => {
  it('hides bracketed IPv6 addresses, with or without a port', () => {
    expect(scrubText('connect to [fd00::12]:8000 failed', [])).toBe('connect to [address] failed')
    expect(scrubText('peer [::1] reset', [])).toBe('peer [address] reset')
    expect(scrubText('via [::ffff:10.0.0.7]:443', [])).toBe('via [address]')
  })

  it('keeps field paths whole: an index in brackets is not an address', () => {
    const message =
      'tools[0]: the Anthropic server tool "web_search" cannot be used; see messages[3].content[12]'
    expect(scrubText(message, [])).toBe(message)
    expect(scrubText('contents[a].parts[ff]', [])).toBe('contents[a].parts[ff]')
  })
})
