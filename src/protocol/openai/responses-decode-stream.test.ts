import { describe, expect, it } from 'vitest'
import {
  STREAM_CUSTOM_CALL,
  STREAM_ERROR_MID_BLOCK,
  STREAM_INCOMPLETE,
  STREAM_PARALLEL_CALLS,
  STREAM_REASONING_TEXT,
} from '../../../test/support/protocol/responses-fixtures.ts'
import { decodeChunks } from '../../../test/support/protocol/responses-stream-check.ts'

const USAGE = { input: 1200, cacheRead: 1000, cacheWrite: 0, output: 300, reasoning: 120 }

describe('Responses stream decoder', () => {
  it('decodes reasoning (summaries joined, encrypted content as the signature, §8 #1) and text', () => {
    expect(decodeChunks([STREAM_REASONING_TEXT])).toEqual([
      { type: 'start', id: 'resp_abc', model: 'gpt-5.1' },
      { type: 'block_start', block: 0, kind: 'thinking', origin: 'openai', itemId: 'rs_1' },
      { type: 'thinking_delta', block: 0, text: '**Plan** first' },
      { type: 'thinking_delta', block: 0, text: ' step' },
      { type: 'thinking_delta', block: 0, text: '\n\nthen answer' },
      { type: 'signature_delta', block: 0, signature: 'gAAAAABoENCRYPTED==' },
      { type: 'block_stop', block: 0 },
      { type: 'block_start', block: 1, kind: 'text' },
      { type: 'text_delta', block: 1, text: 'Grüße, ' },
      { type: 'text_delta', block: 1, text: 'world 🌍' },
      { type: 'block_stop', block: 1 },
      { type: 'usage', usage: USAGE },
      { type: 'finish', reason: 'stop' },
      { type: 'end' },
    ])
  })

  it('decodes parallel calls with fragmented arguments, call_id as the id and fc_ as the item id', () => {
    expect(decodeChunks([STREAM_PARALLEL_CALLS])).toEqual([
      { type: 'start', id: 'resp_abc', model: 'gpt-5.1' },
      { type: 'block_start', block: 0, kind: 'tool_call', id: 'call_1', name: 'get_weather', itemId: 'fc_1' },
      { type: 'arguments_delta', block: 0, json: '{"city":' },
      { type: 'arguments_delta', block: 0, json: '"Paris"}' },
      { type: 'block_stop', block: 0 },
      { type: 'block_start', block: 1, kind: 'tool_call', id: 'call_2', name: 'get_weather', itemId: 'fc_2' },
      { type: 'arguments_delta', block: 1, json: '{"ci' },
      { type: 'arguments_delta', block: 1, json: 'ty":"Tōkyō"}' },
      { type: 'block_stop', block: 1 },
      { type: 'usage', usage: USAGE },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'end' },
    ])
  })

  it('reports response.incomplete for the output limit as length, with its usage (billed too)', () => {
    const events = decodeChunks([STREAM_INCOMPLETE])
    expect(events.slice(-3)).toEqual([
      { type: 'usage', usage: USAGE },
      { type: 'finish', reason: 'length' },
      { type: 'end' },
    ])
  })

  it('closes the open call and reports an error event mid-block with its status', () => {
    expect(decodeChunks([STREAM_ERROR_MID_BLOCK]).slice(-3)).toEqual([
      { type: 'arguments_delta', block: 0, json: '{"path":"a' },
      { type: 'block_stop', block: 0 },
      {
        type: 'error',
        error: {
          status: 429,
          kind: 'rate_limit',
          message: 'Rate limit reached',
          code: 'rate_limit_exceeded',
        },
      },
    ])
  })

  it('decodes a freeform call as {"input": …} argument fragments that join into valid JSON', () => {
    const events = decodeChunks([STREAM_CUSTOM_CALL])
    const json = events.flatMap((e) => (e.type === 'arguments_delta' ? [e.json] : [])).join('')
    expect(JSON.parse(json)).toEqual({ input: '*** Begin Patch\n+ "quoted"\n*** End Patch' })
    expect(events[1]).toEqual({
      type: 'block_start',
      block: 0,
      kind: 'tool_call',
      id: 'call_p',
      name: 'apply_patch',
      itemId: 'ctc_1',
    })
  })

  it('refuses a built-in tool item it cannot translate, naming the output item', () => {
    const text =
      'event: response.output_item.added\ndata: {"type":"response.output_item.added","output_index":2,"item":{"type":"web_search_call","id":"ws_1"}}\n\n'
    expect(() => decodeChunks([text])).toThrow(/output\[2\]/)
  })

  it('takes a failed response as an error event with its usage first', () => {
    const text =
      'event: response.failed\ndata: {"type":"response.failed","response":{"status":"failed","error":{"code":"server_error","message":"boom"},"usage":{"input_tokens":5,"output_tokens":0}}}\n\n'
    expect(decodeChunks([text])).toEqual([
      { type: 'usage', usage: { input: 5, cacheRead: 0, cacheWrite: 0, output: 0 } },
      { type: 'error', error: { status: 500, kind: 'server', message: 'boom', code: 'server_error' } },
    ])
  })
})
