import { describe, expect, it } from 'vitest'
import { parseSse } from '../../../test/support/split-and-parse-sse.ts'
import type { IError } from '../translate/internal-model.ts'
import {
  decodeChatError,
  decodeChatErrorObject,
  encodeChatError,
  encodeChatStreamError,
} from './chat-errors.ts'

describe('chat errors', () => {
  it.each<[number, object, Partial<IError>]>([
    [
      400,
      {
        error: {
          message: 'max_tokens too large',
          type: 'invalid_request_error',
          param: 'max_tokens',
          code: 'context_length_exceeded',
        },
      },
      { kind: 'invalid_request', param: 'max_tokens', code: 'context_length_exceeded' },
    ],
    [
      401,
      {
        error: {
          message: 'Incorrect API key',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      },
      { kind: 'authentication' },
    ],
    [
      403,
      { error: { message: 'Region', type: 'permission_error', param: null, code: null } },
      { kind: 'permission' },
    ],
    [
      404,
      { error: { message: 'no model', type: 'invalid_request_error', param: null, code: 'model_not_found' } },
      { kind: 'not_found' },
    ],
    [
      429,
      { error: { message: 'slow down', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
      { kind: 'rate_limit' },
    ],
    [
      429,
      { error: { message: 'quota', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } },
      { kind: 'quota' },
    ],
    [500, { error: { message: 'boom', type: 'server_error', param: null, code: null } }, { kind: 'server' }],
    [
      503,
      { error: { message: 'busy', type: 'server_error', param: null, code: null } },
      { kind: 'overloaded' },
    ],
  ])('decodes %i %j', (status, body, expected) => {
    expect(decodeChatError(status, JSON.stringify(body))).toMatchObject({ status, ...expected })
  })

  it('keeps a non-JSON body as the message', () => {
    expect(decodeChatError(502, '<html>Bad gateway</html>')).toEqual({
      status: 502,
      kind: 'server',
      message: '<html>Bad gateway</html>',
    })
  })

  it('a refusal is 400 invalid_request_error with param naming the client field', () => {
    expect(
      encodeChatError({ status: 400, kind: 'invalid_request', message: 'top_k: no', param: 'top_k' }),
    ).toEqual({
      status: 400,
      body: { error: { message: 'top_k: no', type: 'invalid_request_error', param: 'top_k', code: null } },
    })
  })

  it('Anthropic 529 overloaded reaches a chat client as 503; quota stays non-retryable insufficient_quota', () => {
    expect(encodeChatError({ status: 529, kind: 'overloaded', message: 'Overloaded' }).status).toBe(503)
    expect(encodeChatError({ status: 429, kind: 'quota', message: 'spend limit' })).toEqual({
      status: 429,
      body: {
        error: {
          message: 'spend limit',
          type: 'insufficient_quota',
          param: null,
          code: 'insufficient_quota',
        },
      },
    })
  })

  it('a Gemini bad key decoded as authentication is 401 invalid_api_key', () => {
    expect(
      encodeChatError({ status: 401, kind: 'authentication', message: 'API key not valid' }).body,
    ).toEqual({
      error: {
        message: 'API key not valid',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    })
  })

  it('a stream error event is data: {"error":…} and decodes back to the same kind', () => {
    for (const kind of [
      'rate_limit',
      'quota',
      'server',
      'overloaded',
      'timeout',
      'authentication',
    ] as const) {
      const err: IError = { status: 0, kind, message: 'm' }
      const [ev] = parseSse([encodeChatStreamError(err)]).events
      expect(ev?.event).toBeUndefined()
      const back = decodeChatErrorObject(JSON.parse(ev?.data ?? '{}') as Record<string, never>)
      expect(back.kind).toBe(kind)
    }
  })
})
