import { describe, expect, it } from 'vitest'
import { geminiGenerateCodec as codec } from './generate-codec.ts'

const body = (code: number, status: string, message: string, details?: object[]) =>
  JSON.stringify({ error: { code, message, status, ...(details ? { details } : {}) } })

describe('gemini-generate errors', () => {
  it("400 API_KEY_INVALID is the channel's authentication failure, not the client's fault", () => {
    const error = codec.decodeError(
      400,
      body(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'API_KEY_INVALID',
          domain: 'googleapis.com',
        },
      ]),
    )
    expect(error).toEqual({
      status: 401,
      kind: 'authentication',
      message: 'API key not valid. Please pass a valid API key.',
      code: 'API_KEY_INVALID',
    })
    // Back to a Gemini client it is Gemini's own 400 shape again.
    expect(codec.encodeError(error)).toEqual({
      status: 400,
      body: {
        error: {
          code: 400,
          message: 'API key not valid. Please pass a valid API key.',
          status: 'INVALID_ARGUMENT',
          details: [
            {
              '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
              reason: 'API_KEY_INVALID',
              domain: 'googleapis.com',
            },
          ],
        },
      },
    })
  })

  const cases: [number, string, string][] = [
    [503, 'UNAVAILABLE', 'overloaded'],
    [504, 'DEADLINE_EXCEEDED', 'timeout'],
    [429, 'RESOURCE_EXHAUSTED', 'rate_limit'],
    [500, 'INTERNAL', 'server'],
    [403, 'PERMISSION_DENIED', 'permission'],
    [404, 'NOT_FOUND', 'not_found'],
    [400, 'INVALID_ARGUMENT', 'invalid_request'],
  ]
  for (const [status, rpc, kind] of cases)
    it(`${status} ${rpc} is ${kind} and encodes back the same`, () => {
      const error = codec.decodeError(status, body(status, rpc, 'boom'))
      expect(error).toEqual({ status, kind, message: 'boom', code: rpc })
      expect(codec.encodeError(error)).toEqual({
        status,
        body: { error: { code: status, message: 'boom', status: rpc } },
      })
    })

  it('a body that is not JSON keeps its text as the message', () => {
    expect(codec.decodeError(502, '<html>Bad gateway</html>')).toEqual({
      status: 502,
      kind: 'server',
      message: '<html>Bad gateway</html>',
    })
  })

  it('a translation refusal names the field in the message and a BadRequest field violation', () => {
    const { status, body: b } = codec.encodeError({
      status: 400,
      kind: 'invalid_request',
      message: 'cannot be expressed',
      param: 'tools[1].googleSearch',
    })
    expect(status).toBe(400)
    expect(b).toEqual({
      error: {
        code: 400,
        message: 'tools[1].googleSearch: cannot be expressed',
        status: 'INVALID_ARGUMENT',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.BadRequest',
            fieldViolations: [{ field: 'tools[1].googleSearch', description: 'cannot be expressed' }],
          },
        ],
      },
    })
    expect(codec.decodeError(400, JSON.stringify(b)).param).toBe('tools[1].googleSearch')
  })

  it('Anthropic 529 overloaded reaches a Gemini client as 503 UNAVAILABLE; quota as 429', () => {
    expect(codec.encodeError({ status: 529, kind: 'overloaded', message: 'Overloaded' }).status).toBe(503)
    expect(codec.encodeError({ status: 429, kind: 'quota', message: 'no credit' }).body).toEqual({
      error: { code: 429, message: 'no credit', status: 'RESOURCE_EXHAUSTED' },
    })
  })

  it('the stream error is one CRLF-framed data event', () => {
    expect(codec.encodeStreamError({ status: 500, kind: 'server', message: 'oops' })).toBe(
      'data: {"error":{"code":500,"message":"oops","status":"INTERNAL"}}\r\n\r\n',
    )
  })
})
