import { describe, expect, it } from 'vitest'
import type { IStreamEvent } from '../translate/internal-model.ts'
import { decodeGeminiCallId } from './generate-ids.ts'
import { GEMINI_STREAMS } from '../../../test/support/protocol/generate-stream-fixtures.ts'
import { decodeText } from '../../../test/support/protocol/generate-stream-support.ts'

const ofType = <T extends IStreamEvent['type']>(events: IStreamEvent[], type: T) =>
  events.filter((e): e is Extract<IStreamEvent, { type: T }> => e.type === type)

describe('gemini-generate stream decoder', () => {
  it('text increments form one text block; usage once, last value of each field (§8 #11, #12)', () => {
    expect(decodeText(GEMINI_STREAMS.text)).toEqual([
      { type: 'start', id: 'r-text', model: 'gemini-2.5-flash' },
      { type: 'block_start', block: 0, kind: 'text' },
      { type: 'text_delta', block: 0, text: 'Hello, ' },
      { type: 'text_delta', block: 0, text: 'wörld — 你好 🌍' },
      { type: 'text_delta', block: 0, text: '!' },
      { type: 'block_stop', block: 0 },
      { type: 'usage', usage: { input: 12, cacheRead: 4, cacheWrite: 0, output: 8 } },
      { type: 'finish', reason: 'stop' },
      { type: 'end' },
    ])
  })

  it('thoughts form a thinking block; signatures on text parts become signed thinking blocks; thoughts count as output (§8 #10)', () => {
    const events = decodeText(GEMINI_STREAMS.thinking)
    expect(ofType(events, 'block_start').map((e) => e.kind)).toEqual([
      'thinking',
      'text',
      'thinking',
      'thinking',
    ])
    expect(ofType(events, 'signature_delta').map((e) => e.signature)).toEqual([
      'CiQB0e2Kb9k+Lw/xyz==',
      'EqQBCkgIARABGAIiQJ3m/+k=',
    ])
    expect(ofType(events, 'usage')).toEqual([
      { type: 'usage', usage: { input: 30, cacheRead: 0, cacheWrite: 0, output: 134, reasoning: 120 } },
    ])
  })

  it('STOP with function calls is tool_calls (§8 #6); each call has a unique id carrying its signature (§8 #4, #5)', () => {
    const events = decodeText(GEMINI_STREAMS.parallelTools)
    const calls = ofType(events, 'block_start').filter((e) => e.kind === 'tool_call')
    expect(calls.map((c) => c.block)).toEqual([1, 2, 3])
    const ids = calls.map((c) => (c.kind === 'tool_call' ? c.id : ''))
    expect(new Set(ids).size).toBe(3)
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(decodeGeminiCallId(ids[0])).toEqual({ key: 'r-tools_0', thoughtSignature: 'CoYBAdHtim+/sig=' })
    expect(decodeGeminiCallId(ids[2])).toEqual({ realId: 'fc_9x' })
    expect(ofType(events, 'arguments_delta').map((e) => JSON.parse(e.json) as unknown)).toEqual([
      { city: 'Paris', units: 'c' },
      { city: 'Tōkyō', days: [1, 2] },
      {},
    ])
    expect(ofType(events, 'finish')).toEqual([{ type: 'finish', reason: 'tool_calls' }])
    // Tool-use prompt tokens are input.
    expect(ofType(events, 'usage')[0].usage.input).toBe(85)
  })

  it('MAX_TOKENS is length (§8 #7)', () => {
    expect(ofType(decodeText(GEMINI_STREAMS.maxTokens), 'finish')).toEqual([
      { type: 'finish', reason: 'length' },
    ])
  })

  it('MALFORMED_FUNCTION_CALL is an error finish, never content_filter (§8 #8)', () => {
    expect(ofType(decodeText(GEMINI_STREAMS.malformedCall), 'finish')).toEqual([
      { type: 'finish', reason: 'error' },
    ])
  })

  it('a blocked prompt without candidates is content_filter', () => {
    expect(ofType(decodeText(GEMINI_STREAMS.blockedPrompt), 'finish')).toEqual([
      { type: 'finish', reason: 'content_filter' },
    ])
  })

  it('an error mid-stream closes the open block, then reports the error (503 overloaded)', () => {
    const events = decodeText(GEMINI_STREAMS.errorMidStream)
    expect(events.slice(-2)).toEqual([
      { type: 'block_stop', block: 0 },
      {
        type: 'error',
        error: {
          status: 503,
          kind: 'overloaded',
          message: 'The model is overloaded. Please try again later.',
          code: 'UNAVAILABLE',
        },
      },
    ])
  })

  it('a stream cut before its finishReason ends with an error, not a normal end', () => {
    const cut = GEMINI_STREAMS.text.split('\r\n\r\n').slice(0, 2).join('\r\n\r\n') + '\r\n\r\n'
    const events = decodeText(cut)
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { kind: 'server' } })
    expect(ofType(events, 'end')).toEqual([])
  })
})
