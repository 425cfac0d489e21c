import { describe, expect, it } from 'vitest'
import type { IStreamEvent } from '../translate/internal-model.ts'
import { createAnthropicStreamEncoder } from './messages-encode-stream.ts'
import { checkAnthropicStream } from '../../../test/support/protocol/messages-stream-test-helpers.ts'

const ctx = { model: 'claude-sonnet-4-5', requestId: 'req123', created: 1_700_000_000, includeUsage: false }

function encode(events: IStreamEvent[]): { text: string; perEvent: string[] } {
  const encoder = createAnthropicStreamEncoder(ctx)
  const perEvent = events.map((ev) => encoder.push(ev))
  return { text: perEvent.join(''), perEvent }
}

const usage = { input: 1200, cacheRead: 1000, cacheWrite: 0, output: 57 }

describe('Anthropic stream encoder (events as other dialects produce them)', () => {
  it('OpenAI chat interleaved parallel tool calls: later blocks held until the open one closes, in order', () => {
    const events: IStreamEvent[] = [
      { type: 'start', id: 'chatcmpl-9', model: 'gpt-5' },
      { type: 'block_start', block: 0, kind: 'tool_call', id: 'call_A', name: 'read' },
      { type: 'arguments_delta', block: 0, json: '{"path":' },
      { type: 'block_start', block: 1, kind: 'tool_call', id: 'call_B', name: 'read' },
      { type: 'arguments_delta', block: 1, json: '{"path":"b"}' },
      { type: 'arguments_delta', block: 0, json: '"a"}' },
      { type: 'block_stop', block: 0 },
      { type: 'block_stop', block: 1 },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage },
      { type: 'end' },
    ]
    const { text, perEvent } = encode(events)
    const out = checkAnthropicStream(text)
    // §8 #14: a tool-only stream starts at index 0; both calls with all of their arguments.
    expect(out.blocks).toEqual([
      { type: 'tool_use', id: 'call_A', name: 'read', json: '{"path":"a"}' },
      { type: 'tool_use', id: 'call_B', name: 'read', json: '{"path":"b"}' },
    ])
    expect(out.stopReason).toBe('tool_use')
    // Usage after the finish still reaches message_delta, in Anthropic's disjoint fields.
    expect(out.usage).toEqual({
      input_tokens: 200,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 1000,
      output_tokens: 57,
    })
    expect(out.id).toBe('chatcmpl-9')
    // Streamed as it arrives: the first call's fragment is written at once, the second call's only when the first closes.
    expect(perEvent[2]).toContain('input_json_delta')
    expect(perEvent[4]).toBe('')
    expect(perEvent[6]).toContain('"call_B"')
  })

  it('never emits an empty text block (content "" before tool calls, §8 #25)', () => {
    const out = checkAnthropicStream(
      encode([
        { type: 'start', id: 'x', model: 'm' },
        { type: 'block_start', block: 0, kind: 'text' },
        { type: 'text_delta', block: 0, text: '' },
        { type: 'block_stop', block: 0 },
        { type: 'block_start', block: 1, kind: 'tool_call', id: 'call_1', name: 'f' },
        { type: 'block_stop', block: 1 },
        { type: 'finish', reason: 'tool_calls' },
        { type: 'end' },
      ]).text,
    )
    expect(out.blocks).toEqual([{ type: 'tool_use', id: 'call_1', name: 'f', json: '' }])
  })

  it('§8 #1: a signature that arrives first (Responses encrypted content) is still sent last; another origin loses it', () => {
    const own = checkAnthropicStream(
      encode([
        { type: 'start', id: 'x', model: 'm' },
        { type: 'block_start', block: 0, kind: 'thinking', origin: 'anthropic' },
        { type: 'signature_delta', block: 0, signature: 'SIG' },
        { type: 'thinking_delta', block: 0, text: 'hmm' },
        { type: 'block_stop', block: 0 },
        { type: 'block_start', block: 1, kind: 'text' },
        { type: 'text_delta', block: 1, text: 'Hi' },
        { type: 'block_stop', block: 1 },
        { type: 'finish', reason: 'stop' },
        { type: 'end' },
      ]).text,
    )
    expect(own.blocks).toEqual([
      { type: 'thinking', thinking: 'hmm', signature: 'SIG' },
      { type: 'text', text: 'Hi' },
    ])
    const foreign = checkAnthropicStream(
      encode([
        { type: 'block_start', block: 0, kind: 'thinking', origin: 'openai', itemId: 'rs_1' },
        { type: 'thinking_delta', block: 0, text: 'summary' },
        { type: 'signature_delta', block: 0, signature: 'gAAAA-encrypted' },
        { type: 'block_stop', block: 0 },
        { type: 'block_start', block: 1, kind: 'redacted_thinking', data: 'x', origin: 'gemini' },
        { type: 'block_stop', block: 1 },
        { type: 'finish', reason: 'stop' },
        { type: 'end' },
      ]).text,
    )
    expect(foreign.blocks).toEqual([{ type: 'thinking', thinking: 'summary' }])
    expect(foreign.id).toBe('msg_req123')
  })

  it('an error mid-block closes the open block, then sends event: error (529 overloaded_error)', () => {
    const { text } = encode([
      { type: 'start', id: 'x', model: 'm' },
      { type: 'block_start', block: 0, kind: 'text' },
      { type: 'text_delta', block: 0, text: 'Partial' },
      { type: 'block_start', block: 1, kind: 'tool_call', id: 'c', name: 'f' },
      { type: 'error', error: { status: 503, kind: 'overloaded', message: 'The model is overloaded' } },
      { type: 'text_delta', block: 0, text: 'ignored' },
    ])
    const out = checkAnthropicStream(text)
    expect(out.blocks).toEqual([{ type: 'text', text: 'Partial' }])
    expect(out.error).toEqual({ type: 'overloaded_error', message: 'The model is overloaded' })
  })

  it('a Gemini-like stream (no start event, complete calls, finish with usage) is a valid sequence', () => {
    const out = checkAnthropicStream(
      encode([
        { type: 'block_start', block: 0, kind: 'text' },
        { type: 'text_delta', block: 0, text: 'Calling.' },
        {
          type: 'block_start',
          block: 1,
          kind: 'tool_call',
          id: 'call_gm_0',
          name: 'f',
          thoughtSignature: 'ts',
        },
        { type: 'arguments_delta', block: 1, json: '{"a":1}' },
        { type: 'block_stop', block: 1 },
        { type: 'usage', usage },
        { type: 'finish', reason: 'tool_calls' },
        { type: 'block_stop', block: 0 },
        { type: 'end' },
      ]).text,
    )
    expect(out.blocks).toEqual([
      { type: 'text', text: 'Calling.' },
      { type: 'tool_use', id: 'call_gm_0', name: 'f', json: '{"a":1}' },
    ])
    expect(out.stopReason).toBe('tool_use')
  })

  it('message_start carries the usage known at start, zeros otherwise', () => {
    const { perEvent } = encode([{ type: 'start', id: 'msg_1', model: 'm', usage: { ...usage, output: 1 } }])
    expect(perEvent[0]).toContain(
      '"usage":{"input_tokens":200,"cache_creation_input_tokens":0,"cache_read_input_tokens":1000,"output_tokens":1}',
    )
    expect(encode([{ type: 'start', id: 'msg_1', model: 'm' }]).perEvent[0]).toContain('"input_tokens":0')
  })
})
