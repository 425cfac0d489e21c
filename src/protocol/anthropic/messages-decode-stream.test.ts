import { describe, expect, it } from 'vitest'
import { decodeText } from '../../../test/support/protocol/messages-stream-test-helpers.ts'
import {
  ERROR_MID_STREAM,
  PARALLEL_TOOLS_STREAM,
  REDACTED_STOP_SEQUENCE_STREAM,
  TEXT_STREAM,
  THINKING_TOOL_STREAM,
} from '../../../test/support/protocol/messages-stream-fixtures.ts'

describe('Anthropic stream decoder', () => {
  it('decodes text with cache usage: input is all prompt tokens, the last value of each field wins', () => {
    expect(decodeText(TEXT_STREAM)).toEqual([
      {
        type: 'start',
        id: 'msg_01TextA',
        model: 'claude-sonnet-4-5-20250929',
        usage: { input: 2312, cacheRead: 2000, cacheWrite: 300, output: 1 },
      },
      { type: 'block_start', block: 0, kind: 'text' },
      { type: 'text_delta', block: 0, text: 'Bonjour, ça va ? ' },
      { type: 'text_delta', block: 0, text: 'Très bien 👍 — 日本語も' },
      { type: 'block_stop', block: 0 },
      { type: 'usage', usage: { input: 2312, cacheRead: 2000, cacheWrite: 300, output: 15 } },
      { type: 'finish', reason: 'stop' },
      { type: 'end' },
    ])
  })

  it('§8 #1 / #14: decodes thinking with its signature last, then text, then a tool call with every argument fragment', () => {
    const events = decodeText(THINKING_TOOL_STREAM)
    expect(events).toEqual([
      {
        type: 'start',
        id: 'msg_01Think',
        model: 'claude-sonnet-4-5-20250929',
        usage: { input: 472, cacheRead: 0, cacheWrite: 0, output: 2 },
      },
      { type: 'block_start', block: 0, kind: 'thinking', origin: 'anthropic' },
      { type: 'thinking_delta', block: 0, text: 'The user wants the weather. ' },
      { type: 'thinking_delta', block: 0, text: 'I will call get_weather.' },
      {
        type: 'signature_delta',
        block: 0,
        signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds',
      },
      { type: 'block_stop', block: 0 },
      { type: 'block_start', block: 1, kind: 'text' },
      { type: 'text_delta', block: 1, text: 'Let me check.' },
      { type: 'block_stop', block: 1 },
      {
        type: 'block_start',
        block: 2,
        kind: 'tool_call',
        id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
        name: 'get_weather',
      },
      { type: 'arguments_delta', block: 2, json: '{"location": "San Fra' },
      { type: 'arguments_delta', block: 2, json: 'ncisco, CA", "unit": "fah' },
      { type: 'arguments_delta', block: 2, json: 'renheit"}' },
      { type: 'block_stop', block: 2 },
      { type: 'usage', usage: { input: 472, cacheRead: 0, cacheWrite: 0, output: 89 } },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'end' },
    ])
  })

  it('§8 #11: never sums usage over several message_delta events', () => {
    const usages = decodeText(PARALLEL_TOOLS_STREAM).filter((e) => e.type === 'usage')
    expect(usages.at(-1)).toEqual({
      type: 'usage',
      usage: { input: 600, cacheRead: 0, cacheWrite: 0, output: 42 },
    })
    const calls = decodeText(PARALLEL_TOOLS_STREAM).filter((e) => e.type === 'block_start')
    expect(calls).toEqual([
      { type: 'block_start', block: 0, kind: 'tool_call', id: 'toolu_A', name: 'read_file' },
      { type: 'block_start', block: 1, kind: 'tool_call', id: 'toolu_B', name: 'read_file' },
    ])
  })

  it('keeps redacted thinking data, drops citations_delta, reports the stop sequence', () => {
    const events = decodeText(REDACTED_STOP_SEQUENCE_STREAM)
    expect(events[1]).toEqual({
      type: 'block_start',
      block: 0,
      kind: 'redacted_thinking',
      data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP',
      origin: 'anthropic',
    })
    expect(
      events.filter((e) => e.type === 'text_delta').map((e) => e.type === 'text_delta' && e.text),
    ).toEqual(['According to the document, ', 'the answer is 42.'])
    expect(events).toContainEqual({ type: 'finish', reason: 'stop_sequence', stopSequence: '###' })
  })

  it('an error mid-block closes the block, then reports 529 overloaded', () => {
    expect(decodeText(ERROR_MID_STREAM).slice(-2)).toEqual([
      { type: 'block_stop', block: 0 },
      { type: 'error', error: { status: 529, kind: 'overloaded', message: 'Overloaded' } },
    ])
  })

  it('a stream cut before message_stop closes its open block at end() and leaves the cut to the caller', () => {
    const cut = TEXT_STREAM.slice(0, TEXT_STREAM.indexOf('event: content_block_stop'))
    expect(decodeText(cut).slice(-2)).toEqual([
      { type: 'text_delta', block: 0, text: 'Très bien 👍 — 日本語も' },
      { type: 'block_stop', block: 0 },
    ])
  })
})
