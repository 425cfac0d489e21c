import { describe, expect, it } from 'vitest'
import { SseParser, parseSseText } from './sse.ts'

describe('SseParser', () => {
  it('parses events split across chunks', () => {
    const p = new SseParser()
    const a = p.push('event: message_start\nda')
    const b = p.push('ta: {"a":1}\n\ndata: [DONE]\r')
    const c = p.push('\n\r\n')
    expect(a).toEqual([])
    expect(b).toEqual([{ event: 'message_start', data: '{"a":1}' }])
    expect(c).toEqual([{ data: '[DONE]' }])
  })
  it('ignores comments and joins multi-line data', () => {
    expect(parseSseText(': ping\n\ndata: a\ndata: b\n\n')).toEqual([{ data: 'a\nb' }])
  })
  it('flushes an unterminated event', () => {
    expect(parseSseText('data: {"x":1}')).toEqual([{ data: '{"x":1}' }])
  })
})
