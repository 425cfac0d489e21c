import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseSse, splitAt } from '../../../test/support/split-and-parse-sse.ts'
import type { ResponseEncodeContext } from '../translate/dialect-codec.ts'
import type { IStreamEvent } from '../translate/internal-model.ts'
import type { SseEvent } from '../sse/parse-sse-stream.ts'
import { createChatStreamDecoder } from './chat-decode-stream.ts'
import { createChatStreamEncoder } from './chat-encode-stream.ts'
import {
  CHAT_STREAM_FIXTURES,
  ERROR_MID_STREAM,
  INTERLEAVED_TOOLS_STREAM,
  PARALLEL_TOOLS_STREAM,
  REASONING_STREAM,
  TEXT_STREAM,
} from './chat-stream-fixtures.test.ts'

const ctx: ResponseEncodeContext = {
  model: 'gpt-4.1-2025',
  requestId: 'req-1',
  created: 1767225600,
  includeUsage: true,
}

/** Decodes SSE events with one decoder, `end()` included. */
function decodeEvents(events: readonly SseEvent[]): IStreamEvent[] {
  const decoder = createChatStreamDecoder()
  return [...events.flatMap((ev) => decoder.push(ev)), ...decoder.end()]
}

const decodeText = (chunks: readonly (string | Uint8Array)[]): IStreamEvent[] =>
  decodeEvents(parseSse(chunks).events)

function encode(events: readonly IStreamEvent[], c: ResponseEncodeContext = ctx): string {
  const encoder = createChatStreamEncoder(c)
  return events.map((ev) => encoder.push(ev)).join('')
}

describe('chat stream decoder', () => {
  it('decodes text, holds usage (last value) and the finish until [DONE]', () => {
    expect(decodeText([TEXT_STREAM])).toEqual([
      { type: 'start', id: 'chatcmpl-AbC1', model: 'gpt-4.1-2025' },
      { type: 'block_start', block: 0, kind: 'text' },
      { type: 'text_delta', block: 0, text: 'Hello' },
      { type: 'text_delta', block: 0, text: ', wörld 👋' },
      { type: 'text_delta', block: 0, text: ' — done.' },
      { type: 'block_stop', block: 0 },
      { type: 'usage', usage: { input: 20, cacheRead: 8, cacheWrite: 0, output: 6, reasoning: 0 } },
      { type: 'finish', reason: 'stop' },
      { type: 'end' },
    ])
  })

  it('decodes parallel tool calls: one block per index, ids and names from the first fragment, fragments kept', () => {
    const events = decodeText([PARALLEL_TOOLS_STREAM])
    expect(events.filter((e) => e.type === 'block_start')).toEqual([
      { type: 'block_start', block: 0, kind: 'tool_call', id: 'call_Pa', name: 'weather' },
      { type: 'block_start', block: 1, kind: 'tool_call', id: 'call_Ro', name: 'weather' },
    ])
    const args = (block: number) =>
      events.flatMap((e) => (e.type === 'arguments_delta' && e.block === block ? [e.json] : []))
    expect(args(0)).toEqual(['{"ci', 'ty":"Paris"}'])
    expect(args(1)).toEqual(['{"city":', '"Rome"}'])
    expect(events.slice(-3)).toEqual([
      { type: 'usage', usage: { input: 80, cacheRead: 0, cacheWrite: 0, output: 30 } },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'end' },
    ])
  })

  it('keeps interleaved tool indexes as separate open blocks and closes the text block when a call starts', () => {
    const events = decodeText([INTERLEAVED_TOOLS_STREAM])
    expect(events).toEqual([
      { type: 'start', id: 'chatcmpl-AbC1', model: 'gpt-4.1-2025' },
      { type: 'block_start', block: 0, kind: 'text' },
      { type: 'text_delta', block: 0, text: 'Checking both.' },
      { type: 'block_stop', block: 0 },
      { type: 'block_start', block: 1, kind: 'tool_call', id: 'call_1', name: 'read' },
      { type: 'arguments_delta', block: 1, json: '{"pa' },
      { type: 'block_start', block: 2, kind: 'tool_call', id: 'call_2', name: 'read' },
      { type: 'arguments_delta', block: 2, json: '{"pa' },
      { type: 'arguments_delta', block: 1, json: 'th":"a"}' },
      { type: 'arguments_delta', block: 2, json: 'th":"b"}' },
      { type: 'block_stop', block: 1 },
      { type: 'block_stop', block: 2 },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'end' },
    ])
  })

  it('decodes reasoning_content as an openai-origin thinking block and usage on the last content chunk', () => {
    const events = decodeText([REASONING_STREAM])
    expect(events.slice(1, 8)).toEqual([
      { type: 'block_start', block: 0, kind: 'thinking', origin: 'openai' },
      { type: 'thinking_delta', block: 0, text: 'The user greets; ' },
      { type: 'thinking_delta', block: 0, text: 'answer briefly.' },
      { type: 'block_stop', block: 0 },
      { type: 'block_start', block: 1, kind: 'text' },
      { type: 'text_delta', block: 1, text: 'Hi!' },
      { type: 'block_stop', block: 1 },
    ])
    expect(events).toContainEqual({
      type: 'usage',
      usage: { input: 12, cacheRead: 0, cacheWrite: 0, output: 40, reasoning: 37 },
    })
  })

  it('§8 #11: usage reported on every chunk is last-value-wins, never summed, and sent once', () => {
    const chunk = (content: string, n: number, finish: string | null = null) =>
      `data: ${JSON.stringify({
        id: 'c',
        model: 'm',
        choices: [{ index: 0, delta: { content }, finish_reason: finish }],
        usage: { prompt_tokens: 10, completion_tokens: n, total_tokens: 10 + n },
      })}\n\n`
    const events = decodeText([chunk('a', 1) + chunk('b', 2) + chunk('', 3, 'length') + 'data: [DONE]\n\n'])
    expect(events.filter((e) => e.type === 'usage')).toEqual([
      { type: 'usage', usage: { input: 10, cacheRead: 0, cacheWrite: 0, output: 3 } },
    ])
    expect(events).toContainEqual({ type: 'finish', reason: 'length' })
  })

  it('an error event mid-stream closes the open blocks, then reports the error', () => {
    expect(decodeText([ERROR_MID_STREAM]).slice(-3)).toEqual([
      { type: 'arguments_delta', block: 1, json: '{"q":' },
      { type: 'block_stop', block: 1 },
      {
        type: 'error',
        error: {
          status: 500,
          kind: 'server',
          message: 'The server had an error while processing your request.',
        },
      },
    ])
  })

  it('a stream cut before [DONE] only closes what is open (the engine reports the cut)', () => {
    const cut = TEXT_STREAM.slice(0, TEXT_STREAM.indexOf('data: {', 300))
    const events = decodeText([cut])
    expect(events.at(-1)).toEqual({ type: 'block_stop', block: 0 })
    expect(events.some((e) => e.type === 'end' || e.type === 'finish')).toBe(false)
  })
})

describe('chat stream: decode → encode → decode is the same, split at every byte offset (issue 17 acceptance 3)', () => {
  const encoder = new TextEncoder()
  for (const [name, text] of Object.entries(CHAT_STREAM_FIXTURES)) {
    const bytes = encoder.encode(text)
    const whole = decodeText([bytes])
    const reencoded = decodeText([encode(whole)])

    it(`${name}: the re-encoded stream decodes to the same events`, () => {
      expect(reencoded).toEqual(whole)
    })

    it(`${name}: the same events whatever byte offset the upstream text is split at`, () => {
      for (let cut = 0; cut <= bytes.length; cut++) {
        const events = decodeText(splitAt(bytes, [cut]))
        expect(events).toEqual(whole)
        expect(decodeText(splitAt(encoder.encode(encode(events)), [cut]))).toEqual(whole)
      }
    })

    it(`${name}: the same events for random multi-splits of the upstream and the re-encoded text`, () => {
      const again = encoder.encode(encode(whole))
      fc.assert(
        fc.property(fc.array(fc.nat(), { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 12 }), (a, b) => {
          const events = decodeText(splitAt(bytes, a, true))
          expect(events).toEqual(whole)
          expect(decodeText(splitAt(again, b, true))).toEqual(whole)
        }),
        { numRuns: 200 },
      )
    })
  }
})
