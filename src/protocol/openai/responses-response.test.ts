import { describe, expect, it } from 'vitest'
import type { ResponseEncodeContext } from '../translate/dialect-codec.ts'
import type { IResponse, JsonObject } from '../translate/internal-model.ts'
import { openaiResponsesCodec } from './responses-codec.ts'
import { refusalOf } from '../../../test/support/protocol/responses-fixtures.ts'

const CTX: ResponseEncodeContext = {
  model: 'gpt-5.1',
  requestId: 'req_7',
  created: 1700000000,
  includeUsage: false,
}

/** A plain Responses answer with reasoning, text and a call, as OpenAI returns it. */
const ANSWER: JsonObject = {
  id: 'resp_1',
  object: 'response',
  created_at: 1700000000,
  status: 'completed',
  error: null,
  incomplete_details: null,
  model: 'gpt-5.1',
  output: [
    {
      id: 'rs_1',
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: 'Thinking about weather' }],
      encrypted_content: 'gAAAAABenc',
    },
    {
      id: 'msg_1',
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'Let me check.', annotations: [] }],
    },
    {
      id: 'fc_1',
      type: 'function_call',
      status: 'completed',
      call_id: 'call_1',
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
    },
  ],
  usage: {
    input_tokens: 100,
    input_tokens_details: { cached_tokens: 60 },
    output_tokens: 50,
    output_tokens_details: { reasoning_tokens: 30 },
    total_tokens: 150,
  },
}

describe('Responses plain answers', () => {
  it('decodes reasoning, text and a call; completed with calls is tool_calls; usage with cache and reasoning', () => {
    expect(openaiResponsesCodec.decodeResponse(ANSWER)).toEqual({
      id: 'resp_1',
      model: 'gpt-5.1',
      parts: [
        {
          type: 'thinking',
          text: 'Thinking about weather',
          signature: 'gAAAAABenc',
          origin: 'openai',
          itemId: 'rs_1',
          path: 'output[0]',
        },
        { type: 'text', text: 'Let me check.', path: 'output[1].content[0]' },
        {
          type: 'tool_call',
          id: 'call_1',
          itemId: 'fc_1',
          name: 'get_weather',
          arguments: '{"city":"Paris"}',
          path: 'output[2]',
        },
      ],
      finish: 'tool_calls',
      usage: { input: 100, cacheRead: 60, cacheWrite: 0, output: 50, reasoning: 30 },
    })
  })

  it('round trip: decode then encode gives back the answer (message ids derived, others kept)', () => {
    const back = openaiResponsesCodec.encodeResponse(openaiResponsesCodec.decodeResponse(ANSWER), CTX)
    const output = (ANSWER.output as JsonObject[]).map((item) =>
      item.type === 'message' ? { ...item, id: 'msg_1_1' } : item,
    )
    expect(back).toEqual({ ...ANSWER, output })
  })

  it('maps incomplete and failed statuses (max_output_tokens → length, content_filter, failed → error)', () => {
    const decode = (extra: JsonObject): string =>
      openaiResponsesCodec.decodeResponse({ id: 'r', model: 'm', output: [], ...extra }).finish
    expect(decode({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } })).toBe(
      'length',
    )
    expect(decode({ status: 'incomplete', incomplete_details: { reason: 'content_filter' } })).toBe(
      'content_filter',
    )
    expect(decode({ status: 'failed' })).toBe('error')
    expect(decode({ status: 'completed' })).toBe('stop')
  })

  it('encodes an Anthropic answer: toolu_ id as call_id with a derived fc_ item id (§8 #22), usage totals', () => {
    const res: IResponse = {
      id: 'msg_01ABC',
      model: 'claude-sonnet',
      parts: [
        { type: 'thinking', text: 'hmm', signature: 'EqSig', origin: 'anthropic', path: 'content[0]' },
        {
          type: 'tool_call',
          id: 'toolu_01',
          name: 'Bash',
          arguments: '{"command":"ls"}',
          path: 'content[1]',
        },
      ],
      finish: 'tool_calls',
      usage: { input: 1000, cacheRead: 800, cacheWrite: 100, output: 20 },
    }
    const out = openaiResponsesCodec.encodeResponse(res, CTX)
    expect(out.id).toBe('resp_msg_01ABC')
    expect(out.status).toBe('completed')
    expect(out.model).toBe('gpt-5.1')
    expect(out.output).toEqual([
      {
        id: 'rs_msg_01ABC_0',
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'hmm' }],
        encrypted_content: 'anygw:v1:anthropic:EqSig',
      },
      {
        id: 'fc_toolu_01',
        type: 'function_call',
        status: 'completed',
        call_id: 'toolu_01',
        name: 'Bash',
        arguments: '{"command":"ls"}',
      },
    ])
    expect(out.usage).toEqual({
      input_tokens: 1000,
      input_tokens_details: { cached_tokens: 800 },
      output_tokens: 20,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 1020,
    })
  })

  it('a tagged reasoning item comes back to the same provider family with its signature', () => {
    const res = openaiResponsesCodec.decodeRequest({
      model: 'm',
      input: [
        {
          type: 'reasoning',
          id: 'rs_msg_01ABC_0',
          summary: [{ type: 'summary_text', text: 'hmm' }],
          encrypted_content: 'anygw:v1:anthropic:EqSig',
        },
      ],
    })
    expect(res.messages[0].parts[0]).toMatchObject({
      type: 'thinking',
      text: 'hmm',
      signature: 'EqSig',
      origin: 'anthropic',
    })
  })

  it('encodes length as incomplete max_output_tokens, refusal as content_filter, error as failed', () => {
    const enc = (finish: IResponse['finish']): JsonObject =>
      openaiResponsesCodec.encodeResponse({ id: 'x', model: 'm', parts: [], finish }, CTX)
    expect(enc('length')).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    })
    expect(enc('refusal')).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'content_filter' },
    })
    expect(enc('error')).toMatchObject({ status: 'failed', error: { code: 'server_error' } })
    expect(enc('stop_sequence')).toMatchObject({ status: 'completed' })
  })

  it('answers a freeform tool`s call as custom_tool_call with the unwrapped input', () => {
    const out = openaiResponsesCodec.encodeResponse(
      {
        id: 'x',
        model: 'm',
        parts: [
          {
            type: 'tool_call',
            id: 'toolu_9',
            name: 'apply_patch',
            arguments: '{"input":"*** Begin Patch"}',
            path: 'c',
          },
        ],
        finish: 'tool_calls',
      },
      { ...CTX, customTools: ['apply_patch'] },
    )
    expect(out.output).toEqual([
      {
        id: 'ctc_toolu_9',
        type: 'custom_tool_call',
        status: 'completed',
        call_id: 'toolu_9',
        name: 'apply_patch',
        input: '*** Begin Patch',
      },
    ])
  })

  it('refuses an output item of a built-in tool, naming it', () => {
    const err = refusalOf(() =>
      openaiResponsesCodec.decodeResponse({
        id: 'r',
        model: 'm',
        status: 'completed',
        output: [{ type: 'web_search_call', id: 'ws' }],
      }),
    )
    expect(err.field).toBe('output[0]')
  })
})

describe('Responses errors (translation-map §5)', () => {
  it('decodes OpenAI error bodies by status, keeping param and code', () => {
    const body = JSON.stringify({
      error: {
        message: 'too long',
        type: 'invalid_request_error',
        param: 'input',
        code: 'context_length_exceeded',
      },
    })
    expect(openaiResponsesCodec.decodeError(400, body)).toEqual({
      status: 400,
      kind: 'invalid_request',
      message: 'too long',
      param: 'input',
      code: 'context_length_exceeded',
    })
    const quota = JSON.stringify({
      error: { message: 'quota', type: 'insufficient_quota', code: 'insufficient_quota' },
    })
    expect(openaiResponsesCodec.decodeError(429, quota).kind).toBe('quota')
    expect(openaiResponsesCodec.decodeError(429, '{"error":{"message":"slow down"}}').kind).toBe('rate_limit')
    expect(openaiResponsesCodec.decodeError(401, '{"error":{"message":"bad key"}}').kind).toBe(
      'authentication',
    )
    expect(openaiResponsesCodec.decodeError(503, '<html>busy</html>')).toEqual({
      status: 503,
      kind: 'overloaded',
      message: '<html>busy</html>',
    })
  })

  it('a refusal becomes a 400 invalid_request_error with the field in param', () => {
    expect(
      openaiResponsesCodec.encodeError({
        status: 400,
        kind: 'invalid_request',
        message: 'generationConfig.topK: OpenAI has no top_k',
        param: 'generationConfig.topK',
      }),
    ).toEqual({
      status: 400,
      body: {
        error: {
          message: 'generationConfig.topK: OpenAI has no top_k',
          type: 'invalid_request_error',
          param: 'generationConfig.topK',
          code: null,
        },
      },
    })
  })

  it('Anthropic 529 overloaded is 503; quota is a 429 insufficient_quota (not retried by OpenAI clients)', () => {
    expect(
      openaiResponsesCodec.encodeError({ status: 529, kind: 'overloaded', message: 'Overloaded' }),
    ).toMatchObject({
      status: 503,
      body: { error: { type: 'server_error' } },
    })
    expect(
      openaiResponsesCodec.encodeError({ status: 403, kind: 'quota', message: 'spend limit' }),
    ).toMatchObject({
      status: 429,
      body: { error: { type: 'insufficient_quota', code: 'insufficient_quota' } },
    })
  })

  it('a mid-stream failure is an `error` event', () => {
    const text = openaiResponsesCodec.encodeStreamError({ status: 500, kind: 'server', message: 'boom' })
    expect(text).toBe('event: error\ndata: {"type":"error","code":null,"message":"boom","param":null}\n\n')
  })
})
