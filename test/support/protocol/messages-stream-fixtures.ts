/**
 * Recorded-style Anthropic Messages streams (event sequences as docs.claude.com/en/docs/build-with-claude/streaming
 * shows them), for the stream codec's tests: plain text with cache usage and multi-byte characters, thinking with
 * its signature then a tool call with fragmented arguments, parallel tool calls, redacted thinking with a stop
 * sequence and citations, and an overload error mid-block.
 */

type Frame = [event: string, data: object]

function sse(frames: Frame[]): string {
  return frames.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join('')
}

const MODEL = 'claude-sonnet-4-5-20250929'

function messageStart(id: string, usage: object): Frame {
  return [
    'message_start',
    {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model: MODEL,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage,
      },
    },
  ]
}

const ping: Frame = ['ping', { type: 'ping' }]
const stop = (index: number): Frame => ['content_block_stop', { type: 'content_block_stop', index }]
const delta = (index: number, d: object): Frame => [
  'content_block_delta',
  { type: 'content_block_delta', index, delta: d },
]
const blockStart = (index: number, block: object): Frame => [
  'content_block_start',
  { type: 'content_block_start', index, content_block: block },
]
const messageDelta = (stopReason: string, usage: object, stopSequence: string | null = null): Frame => [
  'message_delta',
  { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: stopSequence }, usage },
]
const messageStop: Frame = ['message_stop', { type: 'message_stop' }]

export const STREAM_MODEL = MODEL

export const TEXT_STREAM = sse([
  messageStart('msg_01TextA', {
    input_tokens: 12,
    cache_creation_input_tokens: 300,
    cache_read_input_tokens: 2000,
    output_tokens: 1,
  }),
  blockStart(0, { type: 'text', text: '' }),
  ping,
  delta(0, { type: 'text_delta', text: 'Bonjour, ça va ? ' }),
  delta(0, { type: 'text_delta', text: 'Très bien 👍 — 日本語も' }),
  stop(0),
  messageDelta('end_turn', {
    input_tokens: 12,
    cache_creation_input_tokens: 300,
    cache_read_input_tokens: 2000,
    output_tokens: 15,
  }),
  messageStop,
])

export const THINKING_TOOL_STREAM = sse([
  messageStart('msg_01Think', { input_tokens: 472, output_tokens: 2 }),
  blockStart(0, { type: 'thinking', thinking: '', signature: '' }),
  delta(0, { type: 'thinking_delta', thinking: 'The user wants the weather. ' }),
  delta(0, { type: 'thinking_delta', thinking: 'I will call get_weather.' }),
  delta(0, { type: 'signature_delta', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds' }),
  stop(0),
  blockStart(1, { type: 'text', text: '' }),
  delta(1, { type: 'text_delta', text: 'Let me check.' }),
  stop(1),
  blockStart(2, { type: 'tool_use', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', input: {} }),
  delta(2, { type: 'input_json_delta', partial_json: '' }),
  delta(2, { type: 'input_json_delta', partial_json: '{"location": "San Fra' }),
  delta(2, { type: 'input_json_delta', partial_json: 'ncisco, CA", "unit": "fah' }),
  delta(2, { type: 'input_json_delta', partial_json: 'renheit"}' }),
  stop(2),
  messageDelta('tool_use', { output_tokens: 89 }),
  messageStop,
])

export const PARALLEL_TOOLS_STREAM = sse([
  messageStart('msg_01Para', { input_tokens: 600, cache_read_input_tokens: 0, output_tokens: 1 }),
  blockStart(0, { type: 'tool_use', id: 'toolu_A', name: 'read_file', input: {} }),
  delta(0, { type: 'input_json_delta', partial_json: '{"pa' }),
  delta(0, { type: 'input_json_delta', partial_json: 'th":"src/a.ts"}' }),
  stop(0),
  ping,
  blockStart(1, { type: 'tool_use', id: 'toolu_B', name: 'read_file', input: {} }),
  delta(1, { type: 'input_json_delta', partial_json: '{"path":' }),
  delta(1, { type: 'input_json_delta', partial_json: '"src/b.ts"}' }),
  stop(1),
  messageDelta('tool_use', { output_tokens: 40 }),
  messageDelta('tool_use', { input_tokens: 600, output_tokens: 42 }),
  messageStop,
])

export const REDACTED_STOP_SEQUENCE_STREAM = sse([
  messageStart('msg_01Redact', { input_tokens: 50, output_tokens: 1 }),
  blockStart(0, {
    type: 'redacted_thinking',
    data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP',
  }),
  stop(0),
  blockStart(1, { type: 'text', text: '' }),
  delta(1, { type: 'text_delta', text: 'According to the document, ' }),
  delta(1, {
    type: 'citations_delta',
    citation: {
      type: 'char_location',
      cited_text: 'x',
      document_index: 0,
      start_char_index: 0,
      end_char_index: 1,
    },
  }),
  delta(1, { type: 'text_delta', text: 'the answer is 42.' }),
  stop(1),
  messageDelta('stop_sequence', { output_tokens: 20 }, '###'),
  messageStop,
])

export const ERROR_MID_STREAM = sse([
  messageStart('msg_01Err', { input_tokens: 30, output_tokens: 1 }),
  blockStart(0, { type: 'text', text: '' }),
  delta(0, { type: 'text_delta', text: 'Partial answ' }),
  ['error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }],
])

export const RECORDED_STREAMS: Readonly<Record<string, string>> = {
  text: TEXT_STREAM,
  'thinking + tool': THINKING_TOOL_STREAM,
  'parallel tools': PARALLEL_TOOLS_STREAM,
  'redacted + stop sequence': REDACTED_STOP_SEQUENCE_STREAM,
  'error mid-stream': ERROR_MID_STREAM,
}
