import { describe, expect, it } from 'vitest'
import type { Json, JsonObject } from '../translate/internal-model.ts'
import { anthropicMessagesCodec as codec } from './messages-codec.ts'

/**
 * decode then encode of Anthropic requests gives an equivalent request: the same body up to the forms Anthropic
 * treats as identical (string content ↔ one text block, string system ↔ one text block) and the hints dropped
 * on purpose (cache_control).
 */

function normalise(body: JsonObject): Json {
  const strip = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(strip)
    if (v === null || typeof v !== 'object') return v
    const out: JsonObject = {}
    for (const [k, x] of Object.entries(v)) if (k !== 'cache_control') out[k] = strip(x)
    return out
  }
  const copy = strip(body) as JsonObject
  if (typeof copy.system === 'string') copy.system = [{ type: 'text', text: copy.system }]
  copy.messages = (copy.messages as JsonObject[]).map((m) =>
    typeof m.content === 'string' ? { ...m, content: [{ type: 'text', text: m.content }] } : m,
  )
  return copy
}

const ctx = (model: string) => ({ upstreamModel: model, defaultMaxOutputTokens: 64000 })

const requests: Record<string, JsonObject> = {
  'Claude Code turn with thinking, tools and a tool result': {
    model: 'claude-sonnet-4-5',
    max_tokens: 32000,
    system: [
      { type: 'text', text: 'You are Claude Code.' },
      { type: 'text', text: 'cwd: /repo', cache_control: { type: 'ephemeral' } },
    ],
    messages: [
      { role: 'user', content: 'fix the bug' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Read first.', signature: 'sig1' },
          { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { file_path: '/repo/a.ts' } },
          { type: 'tool_use', id: 'toolu_2', name: 'Read', input: { file_path: '/repo/b.ts' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'export const a = 1' },
          {
            type: 'tool_result',
            tool_use_id: 'toolu_2',
            content: [{ type: 'text', text: 'oops' }],
            is_error: true,
          },
          { type: 'text', text: 'go on' },
        ],
      },
    ],
    tools: [
      {
        name: 'Read',
        description: 'Read a file',
        input_schema: {
          type: 'object',
          properties: { file_path: { type: 'string' } },
          required: ['file_path'],
        },
      },
    ],
    tool_choice: { type: 'auto', disable_parallel_tool_use: false },
    thinking: { type: 'adaptive' },
    output_config: { effort: 'high' },
    metadata: { user_id: 'session-1' },
    stream: true,
  },
  'sampling, stop sequences, forced tool, image and document': {
    model: 'claude-haiku-4-5',
    max_tokens: 1000,
    system: 'Be brief.',
    temperature: 0.3,
    top_p: 0.9,
    top_k: 20,
    stop_sequences: ['###'],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/x.jpg' } },
          {
            type: 'document',
            source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
            title: 'Spec',
          },
          { type: 'text', text: 'Summarise.' },
        ],
      },
    ],
    tools: [{ name: 'summary', input_schema: { type: 'object', properties: { s: { type: 'string' } } } }],
    tool_choice: { type: 'tool', name: 'summary', disable_parallel_tool_use: true },
  },
  'thinking with a budget and a JSON schema output': {
    model: 'claude-opus-4-1',
    max_tokens: 8000,
    messages: [{ role: 'user', content: 'Give me JSON.' }],
    thinking: { type: 'enabled', budget_tokens: 2048 },
    output_config: {
      format: { type: 'json_schema', schema: { type: 'object', properties: { n: { type: 'integer' } } } },
    },
  },
  'thinking disabled with redacted thinking in history': {
    model: 'claude-sonnet-4-5',
    max_tokens: 100,
    messages: [
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: [
          { type: 'redacted_thinking', data: 'abc' },
          { type: 'text', text: 'hello' },
        ],
      },
      { role: 'user', content: 'again' },
    ],
    thinking: { type: 'disabled' },
  },
}

describe('Anthropic request round trip', () => {
  it.each(Object.entries(requests))('%s', (_name, body) => {
    const encoded = codec.encodeRequest(codec.decodeRequest(body), ctx(body.model as string))
    expect(normalise(encoded)).toEqual(normalise(body))
  })
})
