import { describe, expect, it } from 'vitest'
import { ensureIncludeUsage } from './ensure-include-usage.ts'

describe('ensureIncludeUsage', () => {
  it('adds include_usage to a streamed request that lacks it, keeping field order', () => {
    const body = {
      model: 'gpt-4o',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.2,
    }
    const out = ensureIncludeUsage(body)
    expect(out).toEqual({ ...body, stream_options: { include_usage: true } })
    expect(Object.keys(out ?? {})).toEqual(['model', 'stream', 'messages', 'temperature', 'stream_options'])
    expect(body).not.toHaveProperty('stream_options')
    expect(out?.messages).toBe(body.messages)
  })

  it('keeps other stream_options and overrides include_usage false', () => {
    const body = { stream: true, stream_options: { include_usage: false, include_obfuscation: false } }
    expect(ensureIncludeUsage(body)).toEqual({
      stream: true,
      stream_options: { include_usage: true, include_obfuscation: false },
    })
  })

  it('changes nothing when usage is already requested or the request is not streamed', () => {
    expect(ensureIncludeUsage({ stream: true, stream_options: { include_usage: true } })).toBeUndefined()
    expect(ensureIncludeUsage({ stream: false })).toBeUndefined()
    expect(ensureIncludeUsage({ model: 'x' })).toBeUndefined()
    expect(ensureIncludeUsage('not an object')).toBeUndefined()
  })
})
