import { describe, expect, it } from 'vitest'
import { createSseParser, type SseEvent } from '../sse/parse-sse-stream.ts'
import { formatClientError, formatClientStreamError } from './format-client-error.ts'

describe('formatClientError', () => {
  it('builds the OpenAI shape', () => {
    expect(formatClientError('openai', 429, 'rate_limited', 'Slow down')).toEqual({
      error: { message: 'Slow down', type: 'rate_limit_error', param: null, code: 'rate_limited' },
    })
  })

  it('builds the Anthropic shape', () => {
    expect(formatClientError('anthropic', 401, 'invalid_api_key', 'Invalid key')).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'Invalid key' },
    })
  })

  it('builds the Gemini shape', () => {
    expect(formatClientError('gemini', 404, 'model_not_found', 'No such model')).toEqual({
      error: { code: 404, message: 'No such model', status: 'NOT_FOUND' },
    })
  })

  it('maps 402 so that clients do not retry', () => {
    expect(formatClientError('openai', 402, 'insufficient_quota', 'm')).toMatchObject({
      error: { type: 'insufficient_quota' },
    })
    expect(formatClientError('anthropic', 402, 'insufficient_quota', 'm')).toMatchObject({
      error: { type: 'billing_error' },
    })
    expect(formatClientError('gemini', 402, 'insufficient_quota', 'm')).toMatchObject({
      error: { code: 402, status: 'RESOURCE_EXHAUSTED' },
    })
  })

  it.each([
    [400, 'invalid_request_error', 'INVALID_ARGUMENT'],
    [403, 'permission_error', 'PERMISSION_DENIED'],
    [404, 'not_found_error', 'NOT_FOUND'],
    [429, 'rate_limit_error', 'RESOURCE_EXHAUSTED'],
    [500, 'api_error', 'INTERNAL'],
    [502, 'api_error', 'UNAVAILABLE'],
    [503, 'overloaded_error', 'UNAVAILABLE'],
    [504, 'timeout_error', 'DEADLINE_EXCEEDED'],
    [529, 'overloaded_error', 'INTERNAL'],
  ])('maps status %i to Anthropic %s and Gemini %s', (status, anthropicType, geminiStatus) => {
    expect(formatClientError('anthropic', status, 'c', 'm')).toMatchObject({ error: { type: anthropicType } })
    expect(formatClientError('gemini', status, 'c', 'm')).toMatchObject({ error: { status: geminiStatus } })
  })

  it('uses OpenAI types for 4xx and 5xx', () => {
    expect(formatClientError('openai', 401, 'invalid_api_key', 'm')).toMatchObject({
      error: { type: 'invalid_request_error' },
    })
    expect(formatClientError('openai', 502, 'upstream_error', 'm')).toMatchObject({
      error: { type: 'server_error' },
    })
  })
})

describe('formatClientStreamError', () => {
  function parse(text: string): SseEvent[] {
    const events: SseEvent[] = []
    const parser = createSseParser((ev) => events.push(ev))
    parser.push(new TextEncoder().encode(text))
    parser.end()
    return events
  }

  it('frames an OpenAI data-only error event', () => {
    const text = formatClientStreamError('openai', 502, 'upstream_error', 'Upstream failed')
    expect(text).toBe(
      'data: {"error":{"message":"Upstream failed","type":"server_error","param":null,"code":"upstream_error"}}\n\n',
    )
  })

  it('frames an Anthropic `event: error`', () => {
    const text = formatClientStreamError('anthropic', 529, 'upstream_error', 'Overloaded')
    expect(text).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    )
    expect(parse(text)[0].event).toBe('error')
  })

  it('frames a Gemini error chunk with CRLF', () => {
    const text = formatClientStreamError('gemini', 504, 'upstream_timeout', 'Timed out')
    expect(text).toBe(
      'data: {"error":{"code":504,"message":"Timed out","status":"DEADLINE_EXCEEDED"}}\r\n\r\n',
    )
    expect(JSON.parse(parse(text)[0].data)).toEqual({
      error: { code: 504, message: 'Timed out', status: 'DEADLINE_EXCEEDED' },
    })
  })
})
