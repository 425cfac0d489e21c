import { describe, expect, it } from 'vitest'
import { parseSse } from '../../../test/support/split-and-parse-sse.ts'
import type { ResponseEncodeContext } from '../translate/dialect-codec.ts'
import type { IStreamEvent } from '../translate/internal-model.ts'
import { createChatStreamEncoder } from './chat-encode-stream.ts'

interface Chunk {
  id?: string
  object?: string
  choices: { delta: Delta; finish_reason: string | null }[]
  usage?: Record<string, unknown> | null
  error?: { message: string; type: string; param: string | null; code: string | null }
}
interface Delta {
  role?: string
  content?: string
  refusal?: string
  reasoning_content?: string
  tool_calls?: {
    index: number
    id?: string
    type?: string
    function: { name?: string; arguments?: string }
  }[]
}

const ctx = (includeUsage: boolean): ResponseEncodeContext => ({
  model: 'client-model',
  requestId: 'req-9',
  created: 1700000000,
  includeUsage,
})

/**
 * Checks the chunks are a valid chat stream as the OpenAI SDK reads it and returns what a client assembles:
 * the role chunk first; each tool index introduced once, in order 0, 1, …, with id and name only then; one finish
 * chunk after every delta; the usage chunk (choices: []) only when asked for, just before `[DONE]`; or an error
 * event ending the stream.
 */
function readChatStream(text: string, includeUsage: boolean) {
  const events = parseSse([text]).events.map((e) => e.data)
  const last = events.pop()
  const chunks = events.map((d) => JSON.parse(d) as Chunk)
  const error = last !== '[DONE]' && last !== undefined ? (JSON.parse(last) as Chunk).error : undefined
  if (last !== '[DONE]') expect(error).toBeDefined()
  expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant')
  let content = ''
  let reasoning = ''
  let refusal = ''
  const calls: { id: string; name: string; args: string }[] = []
  let finish: string | null = null
  let usage: unknown
  for (const chunk of chunks) {
    expect(chunk.object).toBe('chat.completion.chunk')
    if (chunk.choices.length === 0) {
      expect(includeUsage).toBe(true)
      expect(finish).not.toBeNull()
      usage = chunk.usage
      continue
    }
    expect(usage).toBeUndefined()
    const [c] = chunk.choices
    if (!c) continue
    if (finish !== null) throw new Error('a delta after the finish chunk')
    content += c.delta.content ?? ''
    reasoning += c.delta.reasoning_content ?? ''
    refusal += c.delta.refusal ?? ''
    for (const call of c.delta.tool_calls ?? []) {
      const known = calls[call.index]
      if (known === undefined) {
        expect(call.index).toBe(calls.length)
        expect(call.type).toBe('function')
        calls.push({ id: call.id ?? '', name: call.function.name ?? '', args: call.function.arguments ?? '' })
      } else {
        expect(call.id).toBeUndefined()
        expect(call.function.name).toBeUndefined()
        known.args += call.function.arguments ?? ''
      }
    }
    finish = c.finish_reason
  }
  if (last === '[DONE]') expect(finish).not.toBeNull()
  return { content, reasoning, refusal, calls, finish, usage, error }
}

const encode = (events: IStreamEvent[], includeUsage = true): string => {
  const encoder = createChatStreamEncoder(ctx(includeUsage))
  return events.map((e) => encoder.push(e)).join('')
}

const usage = { input: 100, cacheRead: 40, cacheWrite: 10, output: 50 }

/** An Anthropic answer as its decoder numbers blocks: thinking 0, text 1, tool 2, tool 3 (§8 #13). */
const anthropicLike: IStreamEvent[] = [
  { type: 'start', id: 'msg_01', model: 'claude-x' },
  { type: 'block_start', block: 0, kind: 'thinking', origin: 'anthropic' },
  { type: 'thinking_delta', block: 0, text: 'secret plan' },
  { type: 'signature_delta', block: 0, signature: 'EqQBsig' },
  { type: 'block_stop', block: 0 },
  { type: 'block_start', block: 1, kind: 'text' },
  { type: 'text_delta', block: 1, text: 'Reading both.' },
  { type: 'block_stop', block: 1 },
  { type: 'block_start', block: 2, kind: 'tool_call', id: 'toolu_A', name: 'Read' },
  { type: 'arguments_delta', block: 2, json: '{"path":' },
  { type: 'arguments_delta', block: 2, json: '"a.ts"}' },
  { type: 'block_stop', block: 2 },
  { type: 'block_start', block: 3, kind: 'tool_call', id: 'toolu_B', name: 'Read' },
  { type: 'arguments_delta', block: 3, json: '{"path":"b.ts"}' },
  { type: 'block_stop', block: 3 },
  { type: 'usage', usage },
  { type: 'finish', reason: 'tool_calls' },
  { type: 'end' },
]

describe('chat stream encoder', () => {
  it('§8 #13: tool call indexes count tool blocks (not block numbers); Anthropic thinking is dropped (§8 #2)', () => {
    const text = encode(anthropicLike)
    const read = readChatStream(text, true)
    expect(read.calls).toEqual([
      { id: 'toolu_A', name: 'Read', args: '{"path":"a.ts"}' },
      { id: 'toolu_B', name: 'Read', args: '{"path":"b.ts"}' },
    ])
    expect(read.content).toBe('Reading both.')
    expect(read.reasoning).toBe('')
    expect(text).not.toContain('secret plan')
    expect(text).not.toContain('EqQBsig')
    expect(read.finish).toBe('tool_calls')
    expect(read.usage).toEqual({
      prompt_tokens: 100,
      completion_tokens: 50,
      total_tokens: 150,
      prompt_tokens_details: { cached_tokens: 40 },
    })
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true)
  })

  it('sends the usage chunk only when the client asked for include_usage', () => {
    const read = readChatStream(encode(anthropicLike, false), false)
    expect(read.usage).toBeUndefined()
    expect(encode(anthropicLike, false)).not.toContain('prompt_tokens')
  })

  it('writes each event as it arrives (nothing buffered): a text delta is out before the next event', () => {
    const encoder = createChatStreamEncoder(ctx(false))
    expect(encoder.push({ type: 'start', id: 'x', model: 'm' })).toContain('"role":"assistant"')
    encoder.push({ type: 'block_start', block: 0, kind: 'text' })
    expect(encoder.push({ type: 'text_delta', block: 0, text: 'Hel' })).toContain('"content":"Hel"')
    encoder.push({ type: 'block_start', block: 1, kind: 'tool_call', id: 'c1', name: 'f' })
    expect(encoder.push({ type: 'arguments_delta', block: 1, json: '{"a"' })).toContain(
      '"arguments":"{\\"a\\""',
    )
  })

  it('handles interleaved tool blocks (OpenAI chat upstream) keeping each call its own index', () => {
    const read = readChatStream(
      encode([
        { type: 'start', id: 'chatcmpl-1', model: 'm' },
        { type: 'block_start', block: 0, kind: 'tool_call', id: 'c0', name: 'a' },
        { type: 'block_start', block: 1, kind: 'tool_call', id: 'c1', name: 'b' },
        { type: 'arguments_delta', block: 1, json: '{"y":' },
        { type: 'arguments_delta', block: 0, json: '{"x":1}' },
        { type: 'arguments_delta', block: 1, json: '2}' },
        { type: 'block_stop', block: 0 },
        { type: 'block_stop', block: 1 },
        { type: 'finish', reason: 'tool_calls' },
        { type: 'end' },
      ]),
      true,
    )
    expect(read.calls).toEqual([
      { id: 'c0', name: 'a', args: '{"x":1}' },
      { id: 'c1', name: 'b', args: '{"y":2}' },
    ])
  })

  it('a tool-only Gemini-style stream (complete arguments in one delta, no start event) is valid', () => {
    const read = readChatStream(
      encode([
        {
          type: 'block_start',
          block: 0,
          kind: 'tool_call',
          id: 'call_gm_0',
          name: 'search',
          thoughtSignature: 'ts',
        },
        { type: 'arguments_delta', block: 0, json: '{"q":"x"}' },
        { type: 'block_stop', block: 0 },
        { type: 'usage', usage: { input: 5, cacheRead: 0, cacheWrite: 0, output: 9, reasoning: 4 } },
        { type: 'finish', reason: 'tool_calls' },
        { type: 'end' },
      ]),
      true,
    )
    expect(read.calls).toEqual([{ id: 'call_gm_0', name: 'search', args: '{"q":"x"}' }])
    expect(read.usage).toMatchObject({
      completion_tokens: 9,
      completion_tokens_details: { reasoning_tokens: 4 },
    })
  })

  it('an error mid-block ends the stream with the error event and no [DONE]; later events write nothing', () => {
    const encoder = createChatStreamEncoder(ctx(true))
    const text = [
      encoder.push({ type: 'start', id: 'msg_1', model: 'm' }),
      encoder.push({ type: 'block_start', block: 0, kind: 'tool_call', id: 't', name: 'f' }),
      encoder.push({ type: 'arguments_delta', block: 0, json: '{"a":' }),
      encoder.push({ type: 'error', error: { status: 529, kind: 'overloaded', message: 'Overloaded' } }),
    ].join('')
    expect(encoder.push({ type: 'end' })).toBe('')
    const read = readChatStream(text, true)
    expect(read.error).toEqual({
      message: 'Overloaded',
      type: 'server_error',
      param: null,
      code: 'overloaded',
    })
    expect(text).not.toContain('[DONE]')
  })

  it('OpenAI-family reasoning becomes reasoning_content; a refusal block becomes refusal deltas; refusal finish is content_filter', () => {
    const read = readChatStream(
      encode([
        { type: 'start', id: 'resp_1', model: 'm' },
        { type: 'block_start', block: 0, kind: 'thinking', origin: 'openai', itemId: 'rs_1' },
        { type: 'thinking_delta', block: 0, text: 'summary' },
        { type: 'block_stop', block: 0 },
        { type: 'block_start', block: 1, kind: 'refusal' },
        { type: 'text_delta', block: 1, text: 'No.' },
        { type: 'block_stop', block: 1 },
        { type: 'finish', reason: 'refusal' },
        { type: 'end' },
      ]),
      false,
    )
    expect(read).toMatchObject({
      reasoning: 'summary',
      refusal: 'No.',
      content: '',
      finish: 'content_filter',
    })
  })
})
