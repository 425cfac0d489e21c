import { describe, expect, it } from 'vitest'
import type { IStreamEvent } from '../translate/internal-model.ts'
import { dataEvents, encodeEvents } from '../../../test/support/protocol/generate-stream-support.ts'

type Chunk = {
  candidates?: {
    content: { role: string; parts: Record<string, unknown>[] }
    finishReason?: string
    index: number
  }[]
  usageMetadata?: Record<string, number>
  responseId?: string
  modelVersion?: string
  error?: { code: number; message: string; status: string }
}

const parts = (text: string) =>
  (dataEvents(text) as Chunk[]).flatMap((c) => c.candidates?.[0].content.parts ?? [])

/** A Gemini client's stream is valid: every event a response with the id and model, one final finishReason last. */
function expectValidStream(text: string, opts: { error?: boolean } = {}): Chunk[] {
  expect(text).not.toContain('[DONE]')
  for (const frame of text.split('\r\n\r\n').slice(0, -1)) expect(frame.startsWith('data: ')).toBe(true)
  const chunks = dataEvents(text) as Chunk[]
  const body = opts.error ? chunks.slice(0, -1) : chunks
  for (const c of body) {
    expect(c.responseId).toBeTruthy()
    expect(c.modelVersion).toBe('gemini-2.5-flash')
    expect(c.candidates).toHaveLength(1)
  }
  const finishes = body.filter((c) => c.candidates?.[0].finishReason !== undefined)
  if (opts.error) {
    expect(finishes).toEqual([])
    expect(chunks.at(-1)?.error).toBeDefined()
  } else {
    expect(finishes).toHaveLength(1)
    expect(body.at(-1)).toBe(finishes[0])
  }
  return chunks
}

describe('gemini-generate stream encoder (Gemini as the client dialect)', () => {
  it('emits one event per text increment as it arrives', () => {
    const first = encodeEvents([
      { type: 'start', id: 'msg_1', model: 'claude' },
      { type: 'block_start', block: 0, kind: 'text' },
      { type: 'text_delta', block: 0, text: 'Hi' },
    ])
    expect(parts(first)).toEqual([{ text: 'Hi' }])
  })

  it('OpenAI chat interleaved tool calls: each call whole once complete, then finish with usage that came after it', () => {
    const events: IStreamEvent[] = [
      { type: 'start', id: 'chatcmpl-1', model: 'gpt' },
      { type: 'block_start', block: 0, kind: 'tool_call', id: 'call_a', name: 'read' },
      { type: 'block_start', block: 1, kind: 'tool_call', id: 'call_b', name: 'grep' },
      { type: 'arguments_delta', block: 0, json: '{"pa' },
      { type: 'arguments_delta', block: 1, json: '{"q":"x"}' },
      { type: 'arguments_delta', block: 0, json: 'th":"a"}' },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'block_stop', block: 0 },
      { type: 'block_stop', block: 1 },
      { type: 'usage', usage: { input: 100, cacheRead: 40, cacheWrite: 0, output: 30, reasoning: 10 } },
      { type: 'end' },
    ]
    const text = encodeEvents(events)
    const chunks = expectValidStream(text)
    expect(parts(text).filter((p) => p.functionCall)).toEqual([
      { functionCall: { id: 'call_a', name: 'read', args: { path: 'a' } } },
      { functionCall: { id: 'call_b', name: 'grep', args: { q: 'x' } } },
    ])
    expect(chunks.at(-1)).toMatchObject({
      candidates: [{ finishReason: 'STOP' }],
      usageMetadata: {
        promptTokenCount: 100,
        cachedContentTokenCount: 40,
        candidatesTokenCount: 20,
        thoughtsTokenCount: 10,
        totalTokenCount: 130,
      },
    })
  })

  it('a tool-only Anthropic stream starting at block 0', () => {
    const text = encodeEvents([
      { type: 'start', id: 'msg_2', model: 'claude' },
      { type: 'block_start', block: 0, kind: 'tool_call', id: 'toolu_01', name: 'Bash' },
      { type: 'arguments_delta', block: 0, json: '' },
      { type: 'arguments_delta', block: 0, json: '{"command":"ls"}' },
      { type: 'block_stop', block: 0 },
      { type: 'usage', usage: { input: 50, cacheRead: 0, cacheWrite: 10, output: 12 } },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'end' },
    ])
    const chunks = expectValidStream(text)
    expect(chunks[0].candidates?.[0].content.parts).toEqual([
      { functionCall: { id: 'toolu_01', name: 'Bash', args: { command: 'ls' } } },
    ])
    // Anthropic reports no reasoning count: no thoughtsTokenCount; the cache write is prompt.
    expect(chunks.at(-1)?.usageMetadata).toEqual({
      promptTokenCount: 50,
      candidatesTokenCount: 12,
      totalTokenCount: 62,
    })
  })

  it('Anthropic thinking is shown as thoughts; its signature (valid only at Anthropic) is not sent', () => {
    const text = encodeEvents([
      { type: 'start', id: 'msg_3', model: 'claude' },
      { type: 'block_start', block: 0, kind: 'thinking', origin: 'anthropic' },
      { type: 'thinking_delta', block: 0, text: 'Let me think' },
      { type: 'signature_delta', block: 0, signature: 'EqQBCkgIAR' },
      { type: 'block_stop', block: 0 },
      { type: 'block_start', block: 1, kind: 'text' },
      { type: 'text_delta', block: 1, text: 'Done.' },
      { type: 'block_stop', block: 1 },
      { type: 'finish', reason: 'stop' },
      { type: 'end' },
    ])
    expectValidStream(text)
    expect(parts(text)).toEqual([{ text: 'Let me think', thought: true }, { text: 'Done.' }, { text: '' }])
  })

  it('an error mid tool-call block: the incomplete call is not sent, the error event ends the stream', () => {
    const text = encodeEvents([
      { type: 'start', id: 'resp_1', model: 'gpt' },
      { type: 'block_start', block: 0, kind: 'text' },
      { type: 'text_delta', block: 0, text: 'Running' },
      { type: 'block_stop', block: 0 },
      { type: 'block_start', block: 1, kind: 'tool_call', id: 'call_z', name: 'run' },
      { type: 'arguments_delta', block: 1, json: '{"cmd":' },
      { type: 'error', error: { status: 529, kind: 'overloaded', message: 'Overloaded' } },
      { type: 'text_delta', block: 0, text: 'ignored after the error' },
    ])
    const chunks = expectValidStream(text, { error: true })
    expect(parts(text)).toEqual([{ text: 'Running' }])
    expect(chunks.at(-1)).toEqual({ error: { code: 503, message: 'Overloaded', status: 'UNAVAILABLE' } })
    expect(text.endsWith('\r\n\r\n')).toBe(true)
  })

  it('flushes a call still open when the answer finishes', () => {
    const text = encodeEvents([
      { type: 'start', id: 'x', model: 'm' },
      { type: 'block_start', block: 0, kind: 'tool_call', id: 'call_q', name: 'f' },
      { type: 'arguments_delta', block: 0, json: '{"a":1}' },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'end' },
    ])
    expectValidStream(text)
    expect(parts(text)[0]).toEqual({ functionCall: { id: 'call_q', name: 'f', args: { a: 1 } } })
  })

  it('uses the request id when the upstream gave none, and maps length to MAX_TOKENS', () => {
    const chunks = expectValidStream(
      encodeEvents([
        { type: 'start', id: '', model: 'm' },
        { type: 'block_start', block: 0, kind: 'text' },
        { type: 'text_delta', block: 0, text: 'a' },
        { type: 'finish', reason: 'length' },
        { type: 'end' },
      ]),
    )
    expect(chunks[0].responseId).toBe('req-1')
    expect(chunks.at(-1)?.candidates?.[0].finishReason).toBe('MAX_TOKENS')
  })
})
