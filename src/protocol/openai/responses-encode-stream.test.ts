import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ResponseEncodeContext } from '../translate/dialect-codec.ts'
import type { IStreamEvent, JsonObject } from '../translate/internal-model.ts'
import { openaiResponsesCodec } from './responses-codec.ts'
import { createResponsesStreamEncoder } from './responses-encode-stream.ts'
import { RECORDED_STREAMS } from '../../../test/support/protocol/responses-fixtures.ts'
import { checkResponsesStream, decodeChunks } from '../../../test/support/protocol/responses-stream-check.ts'

const CTX: ResponseEncodeContext = {
  model: 'gpt-5.1',
  requestId: 'req_1',
  created: 1700000000,
  includeUsage: false,
  customTools: ['apply_patch'],
}

function encode(events: IStreamEvent[], ctx = CTX): string {
  const enc = createResponsesStreamEncoder(ctx)
  return events.map((e) => enc.push(e)).join('')
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

/**
 * Equivalent events: adjacent deltas of one block joined (a freeform call's input is re-sent whole, so its pieces
 * differ from the upstream's; the content does not).
 */
function coalesce(events: IStreamEvent[]): IStreamEvent[] {
  const out: IStreamEvent[] = []
  for (const e of events) {
    const prev = out[out.length - 1]
    if (prev?.type === 'arguments_delta' && e.type === 'arguments_delta' && prev.block === e.block)
      out[out.length - 1] = { ...prev, json: prev.json + e.json }
    else if (prev?.type === 'text_delta' && e.type === 'text_delta' && prev.block === e.block)
      out[out.length - 1] = { ...prev, text: prev.text + e.text }
    else if (prev?.type === 'thinking_delta' && e.type === 'thinking_delta' && prev.block === e.block)
      out[out.length - 1] = { ...prev, text: prev.text + e.text }
    else out.push(e)
  }
  return out
}

/** Decode (split as given) → encode → decode again, as equivalent events. */
function roundTrip(chunks: Uint8Array[]): IStreamEvent[] {
  return coalesce(decodeChunks([encode(decodeChunks(chunks))]))
}

describe('Responses stream: recorded streams decode and re-encode to equivalent events (issue 17 acceptance 3)', () => {
  for (const [name, text] of Object.entries(RECORDED_STREAMS)) {
    const whole = coalesce(decodeChunks([text]))
    const all = bytes(text)

    it(`${name}: the re-encoded stream is a valid Responses sequence and decodes to the same events`, () => {
      const encoded = encode(decodeChunks([text]))
      expect(checkResponsesStream(encoded)).toEqual([])
      expect(coalesce(decodeChunks([encoded]))).toEqual(whole)
    })

    it(`${name}: split at every byte offset`, () => {
      for (let i = 0; i <= all.length; i++) {
        expect(roundTrip([all.slice(0, i), all.slice(i)])).toEqual(whole)
      }
    })

    it(`${name}: random multi-splits`, () => {
      fc.assert(
        fc.property(fc.uniqueArray(fc.integer({ min: 0, max: all.length }), { maxLength: 12 }), (cuts) => {
          const sorted = [0, ...cuts.sort((a, b) => a - b), all.length]
          const chunks = sorted.slice(1).map((end, k) => all.slice(sorted[k], end))
          expect(roundTrip(chunks)).toEqual(whole)
        }),
        { numRuns: 150 },
      )
    })
  }
})

describe('Responses stream encoder (§8 #23)', () => {
  it('writes the exact event sequence for text: created, in_progress, added with content [], deltas, full-text dones, completed with output and usage', () => {
    const text = encode([
      { type: 'start', id: 'msg_01', model: 'claude' },
      { type: 'block_start', block: 0, kind: 'text' },
      { type: 'text_delta', block: 0, text: 'Hel' },
      { type: 'text_delta', block: 0, text: 'lo' },
      { type: 'block_stop', block: 0 },
      { type: 'usage', usage: { input: 10, cacheRead: 4, cacheWrite: 0, output: 2 } },
      { type: 'finish', reason: 'stop' },
      { type: 'end' },
    ])
    const events = text
      .trim()
      .split('\n\n')
      .map((b) => JSON.parse(b.split('\ndata: ')[1]) as { type: string; sequence_number: number })
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ])
    expect(events.map((e) => e.sequence_number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(events[2]).toMatchObject({ item: { type: 'message', content: [] } })
    expect(events[9]).toEqual({
      type: 'response.completed',
      sequence_number: 9,
      response: {
        id: 'resp_msg_01',
        object: 'response',
        created_at: 1700000000,
        status: 'completed',
        error: null,
        incomplete_details: null,
        model: 'gpt-5.1',
        output: [
          {
            id: 'msg_msg_01_0',
            type: 'message',
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text: 'Hello', annotations: [] }],
          },
        ],
        usage: {
          input_tokens: 10,
          input_tokens_details: { cached_tokens: 4 },
          output_tokens: 2,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: 12,
        },
      },
    })
  })

  it('interleaved tool blocks from OpenAI chat: each call its own item, fc_ ids derived, call_id kept (§8 #22)', () => {
    const text = encode([
      { type: 'start', id: 'chatcmpl-1', model: 'gpt-4o' },
      { type: 'block_start', block: 0, kind: 'tool_call', id: 'call_a', name: 'f' },
      { type: 'block_start', block: 1, kind: 'tool_call', id: 'call_b', name: 'g' },
      { type: 'arguments_delta', block: 0, json: '{"x":' },
      { type: 'arguments_delta', block: 1, json: '{"y":2}' },
      { type: 'arguments_delta', block: 0, json: '1}' },
      { type: 'block_stop', block: 0 },
      { type: 'block_stop', block: 1 },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'end' },
    ])
    expect(checkResponsesStream(text)).toEqual([])
    const back = decodeChunks([text])
    expect(back.filter((e) => e.type === 'block_start')).toEqual([
      { type: 'block_start', block: 0, kind: 'tool_call', id: 'call_a', name: 'f', itemId: 'fc_call_a' },
      { type: 'block_start', block: 1, kind: 'tool_call', id: 'call_b', name: 'g', itemId: 'fc_call_b' },
    ])
    expect(
      back.filter((e) => e.type === 'arguments_delta').map((e) => e.type === 'arguments_delta' && e.json),
    ).toEqual(['{"x":', '{"y":2}', '1}'])
  })

  it('a tool-only stream from Anthropic with a foreign id and no start event still starts at created', () => {
    const text = encode([
      { type: 'block_start', block: 0, kind: 'tool_call', id: 'toolu_01X', name: 'Bash' },
      { type: 'arguments_delta', block: 0, json: '{"command":"ls"}' },
      { type: 'block_stop', block: 0 },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'end' },
    ])
    expect(checkResponsesStream(text)).toEqual([])
    expect(text).toContain('"id":"resp_req_1"')
    expect(text).toContain('"id":"fc_toolu_01X","type":"function_call"')
  })

  it('Anthropic thinking with its signature becomes a completed reasoning item tagged with its origin', () => {
    const text = encode([
      { type: 'start', id: 'msg_1', model: 'claude' },
      { type: 'block_start', block: 0, kind: 'thinking', origin: 'anthropic' },
      { type: 'thinking_delta', block: 0, text: 'hmm' },
      { type: 'signature_delta', block: 0, signature: 'EqQBCkYIBxgC' },
      { type: 'block_stop', block: 0 },
      { type: 'block_start', block: 1, kind: 'text' },
      { type: 'text_delta', block: 1, text: 'ok' },
      { type: 'block_stop', block: 1 },
      { type: 'finish', reason: 'stop' },
      { type: 'end' },
    ])
    expect(checkResponsesStream(text)).toEqual([])
    expect(text).toContain('"encrypted_content":"anygw:v1:anthropic:EqQBCkYIBxgC"')
    const back = decodeChunks([text])
    expect(back[1]).toEqual({
      type: 'block_start',
      block: 0,
      kind: 'thinking',
      origin: 'openai',
      itemId: 'rs_msg_1_0',
    })
  })

  it('an error mid-block closes the open items and ends with response.failed', () => {
    const text = encode([
      { type: 'start', id: 'x', model: 'm' },
      { type: 'block_start', block: 0, kind: 'text' },
      { type: 'text_delta', block: 0, text: 'par' },
      { type: 'error', error: { status: 529, kind: 'overloaded', message: 'Overloaded' } },
      { type: 'text_delta', block: 0, text: 'ignored' },
    ])
    expect(checkResponsesStream(text)).toEqual([])
    expect(text).toContain('"status":"failed"')
    expect(text).not.toContain('ignored')
    expect(decodeChunks([text]).at(-1)).toMatchObject({ type: 'error', error: { message: 'Overloaded' } })
  })

  it('length and content filter end with response.incomplete and the reason', () => {
    for (const [reason, detail] of [
      ['length', 'max_output_tokens'],
      ['content_filter', 'content_filter'],
    ] as const) {
      const text = encode([
        { type: 'start', id: 'x', model: 'm' },
        { type: 'finish', reason },
        { type: 'end' },
      ])
      expect(checkResponsesStream(text)).toEqual([])
      expect(text).toContain(`"incomplete_details":{"reason":"${detail}"}`)
    }
  })

  it('a freeform tool call goes back to the client as custom_tool_call with its input', () => {
    const text = encode([
      { type: 'start', id: 'x', model: 'm' },
      { type: 'block_start', block: 0, kind: 'tool_call', id: 'toolu_2', name: 'apply_patch' },
      { type: 'arguments_delta', block: 0, json: '{"input":"*** Begin' },
      { type: 'arguments_delta', block: 0, json: ' Patch"}' },
      { type: 'block_stop', block: 0 },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'end' },
    ])
    expect(checkResponsesStream(text)).toEqual([])
    expect(text).toContain(
      '"type":"custom_tool_call","status":"completed","call_id":"toolu_2","name":"apply_patch","input":"*** Begin Patch"',
    )
  })

  it('redacted thinking travels as a tagged reasoning item the request decoder turns back into redacted thinking', () => {
    const text = encode([
      { type: 'start', id: 'm1', model: 'claude' },
      { type: 'block_start', block: 0, kind: 'redacted_thinking', data: 'REDACTED==', origin: 'anthropic' },
      { type: 'block_stop', block: 0 },
      { type: 'finish', reason: 'stop' },
      { type: 'end' },
    ])
    expect(checkResponsesStream(text)).toEqual([])
    const completed = text.trim().split('\n\n').at(-1)!.split('\ndata: ')[1]
    const item = (JSON.parse(completed) as { response: { output: JsonObject[] } }).response.output[0]
    expect(item).toEqual({
      id: 'rs_m1_0',
      type: 'reasoning',
      summary: [],
      encrypted_content: 'anygw:v1:anthropic-redacted:REDACTED==',
    })
    const req = openaiResponsesCodec.decodeRequest({ model: 'x', input: [item] })
    expect(req.messages[0].parts[0]).toMatchObject({
      type: 'thinking',
      origin: 'anthropic',
      redacted: 'REDACTED==',
    })
  })

  it('is the codec of the openai-responses dialect', () => {
    expect(openaiResponsesCodec.dialect).toBe('openai-responses')
  })

  it('a refusal block becomes a message item with a refusal part, repeated whole in its done events', () => {
    const text = encode([
      { type: 'start', id: 'r1', model: 'm' },
      { type: 'block_start', block: 0, kind: 'refusal' },
      { type: 'text_delta', block: 0, text: 'I can' },
      { type: 'text_delta', block: 0, text: 'not help' },
      { type: 'block_stop', block: 0 },
      { type: 'finish', reason: 'refusal' },
      { type: 'end' },
    ])
    expect(checkResponsesStream(text)).toEqual([])
    expect(text).toContain(
      '"type":"response.refusal.done","item_id":"msg_r1_0","output_index":0,"content_index":0,"refusal":"I cannot help"',
    )
    expect(text).toContain('"incomplete_details":{"reason":"content_filter"}')
  })
})
