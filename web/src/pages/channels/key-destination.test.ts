import { describe, expect, it } from 'vitest'
import { keyDestinationChanges } from './key-destination.ts'

describe('issue 15 defect 3: the channel drawer knows when the key must be entered again', () => {
  const editing = { base_url: 'https://api.openai.com/v1', proxy_url: null }
  it.each([
    [{ base_url: 'https://api.openai.com/v1/', proxy_url: null, headersTouched: false }, []],
    [{ base_url: 'https://api.openai.com/v2', proxy_url: null, headersTouched: false }, []],
    [{ base_url: 'https://evil.example/v1', proxy_url: null, headersTouched: false }, ['base_url']],
    [{ base_url: 'http://api.openai.com/v1', proxy_url: null, headersTouched: false }, ['base_url']],
    [{ base_url: 'https://api.openai.com:8443/v1', proxy_url: null, headersTouched: false }, ['base_url']],
    [
      { base_url: 'https://api.openai.com/v1', proxy_url: 'http://p:3128', headersTouched: false },
      ['proxy_url'],
    ],
    [{ base_url: 'https://api.openai.com/v1', proxy_url: null, headersTouched: true }, ['extra_headers']],
  ])('%o → %o', (next, expected) => {
    expect(keyDestinationChanges(editing, next)).toEqual(expected)
  })
  it('dropping or keeping a proxy needs no key', () => {
    const proxied = { base_url: 'https://api.openai.com/v1', proxy_url: 'http://p:3128' }
    expect(keyDestinationChanges(proxied, { ...proxied, proxy_url: null, headersTouched: false })).toEqual([])
    expect(keyDestinationChanges(proxied, { ...proxied, headersTouched: false })).toEqual([])
  })
})
