import { describe, expect, it } from 'vitest'
import type { JsonObject } from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import { decodeAnthropicRequest } from './messages-decode-request.ts'

/** What decoding `body` refuses: the field named, or undefined when it does not refuse. */
function refusedField(body: JsonObject): string | undefined {
  try {
    decodeAnthropicRequest(body)
    return undefined
  } catch (err) {
    if (err instanceof TranslationRefusal) return err.field
    throw err
  }
}

const base = { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Hi' }] }

/** A request as Claude Code sends it (shape observed late 2026, trimmed). */
const claudeCode: JsonObject = {
  model: 'claude-sonnet-4-5',
  max_tokens: 32000,
  stream: true,
  system: [
    { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." },
    { type: 'text', text: 'Working directory: /repo', cache_control: { type: 'ephemeral' } },
  ],
  messages: [
    {
      role: 'user',
      content: [{ type: 'text', text: 'List the files', cache_control: { type: 'ephemeral' } }],
    },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'I should run ls.', signature: 'EqQBCkYIBxgCKkA…' },
        { type: 'tool_use', id: 'toolu_01A', name: 'Bash', input: { command: 'ls' } },
      ],
    },
    {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_01A', content: 'a.ts\nb.ts', is_error: false }],
    },
  ],
  tools: [
    {
      name: 'Bash',
      description: 'Run a command',
      input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
      cache_control: { type: 'ephemeral' },
    },
  ],
  tool_choice: { type: 'auto', disable_parallel_tool_use: false },
  thinking: { type: 'adaptive' },
  output_config: { effort: 'high' },
  metadata: { user_id: 'user_abc_account_1_session_2' },
  temperature: 1,
}

describe('decodeAnthropicRequest', () => {
  it('decodes a Claude Code request without refusing anything it sends', () => {
    const req = decodeAnthropicRequest(claudeCode)
    expect(req.model).toBe('claude-sonnet-4-5')
    expect(req.stream).toBe(true)
    expect(req.system).toEqual([
      {
        role: 'system',
        text: "You are Claude Code, Anthropic's official CLI for Claude.",
        path: 'system[0]',
      },
      { role: 'system', text: 'Working directory: /repo', path: 'system[1]' },
    ])
    expect(req.messages[1].parts).toEqual([
      {
        type: 'thinking',
        text: 'I should run ls.',
        signature: 'EqQBCkYIBxgCKkA…',
        origin: 'anthropic',
        path: 'messages[1].content[0]',
      },
      {
        type: 'tool_call',
        id: 'toolu_01A',
        name: 'Bash',
        arguments: '{"command":"ls"}',
        path: 'messages[1].content[1]',
      },
    ])
    expect(req.messages[2].parts[0]).toEqual({
      type: 'tool_result',
      callId: 'toolu_01A',
      content: 'a.ts\nb.ts',
      path: 'messages[2].content[0]',
    })
    expect(req.tools?.[0]).toMatchObject({ name: 'Bash', description: 'Run a command', path: 'tools[0]' })
    expect(req.toolChoice).toEqual({ type: 'auto' })
    expect(req.parallelToolCalls).toBe(true)
    expect(req.reasoning).toEqual({ enabled: true, adaptive: true, effort: 'high' })
    expect(req.user).toBe('user_abc_account_1_session_2')
    expect(req.maxOutputTokens).toBe(32000)
    expect(req.temperature).toBe(1)
    expect(req.paths).toMatchObject({
      maxOutputTokens: 'max_tokens',
      temperature: 'temperature',
      tools: 'tools',
      toolChoice: 'tool_choice',
      parallelToolCalls: 'tool_choice.disable_parallel_tool_use',
      reasoning: 'thinking',
      user: 'metadata.user_id',
    })
  })

  it('reads a string system prompt and string content as text parts with their paths', () => {
    const req = decodeAnthropicRequest({ ...base, system: 'Be brief.' })
    expect(req.system).toEqual([{ role: 'system', text: 'Be brief.', path: 'system' }])
    expect(req.messages).toEqual([
      {
        role: 'user',
        parts: [{ type: 'text', text: 'Hi', path: 'messages[0].content' }],
        path: 'messages[0]',
      },
    ])
  })

  it('moves a system message found among the turns into the instructions, in order', () => {
    const req = decodeAnthropicRequest({
      ...base,
      system: 'First.',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'system', content: 'Second.' },
      ],
    })
    expect(req.system.map((s) => s.text)).toEqual(['First.', 'Second.'])
    expect(req.system[1].path).toBe('messages[1].content')
    expect(req.messages).toHaveLength(1)
  })

  it('decodes images (base64 with image/jpg normalised, url) and documents (base64, url, text)', () => {
    const req = decodeAnthropicRequest({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/jpg', data: 'AAA' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
            {
              type: 'document',
              source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' },
              title: 'T',
            },
            { type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain' } },
          ],
        },
      ],
    })
    expect(req.messages[0].parts.map((p) => ('source' in p ? p.source : undefined))).toEqual([
      { kind: 'base64', mediaType: 'image/jpeg', data: 'AAA' },
      { kind: 'url', url: 'https://example.com/a.png' },
      { kind: 'base64', mediaType: 'application/pdf', data: 'JVBER' },
      { kind: 'url', url: 'https://example.com/a.pdf' },
      { kind: 'text', text: 'plain' },
    ])
    expect(req.messages[0].parts[2]).toMatchObject({ type: 'document', title: 'T' })
  })

  it('decodes tool results with block content, images and is_error', () => {
    const req = decodeAnthropicRequest({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_1',
              is_error: true,
              content: [
                { type: 'text', text: 'failed' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
              ],
            },
          ],
        },
      ],
    })
    expect(req.messages[0].parts[0]).toEqual({
      type: 'tool_result',
      callId: 'toolu_1',
      isError: true,
      content: [
        { type: 'text', text: 'failed', path: 'messages[0].content[0].content[0]' },
        {
          type: 'image',
          source: { kind: 'base64', mediaType: 'image/png', data: 'iVBOR' },
          path: 'messages[0].content[0].content[1]',
        },
      ],
      path: 'messages[0].content[0]',
    })
  })

  it('keeps redacted thinking data and an empty signed thinking block', () => {
    const req = decodeAnthropicRequest({
      ...base,
      messages: [
        { role: 'user', content: 'Hi' },
        {
          role: 'assistant',
          content: [
            { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' },
            { type: 'thinking', thinking: '', signature: 'sig-omitted-display' },
            { type: 'text', text: 'Hello' },
          ],
        },
      ],
    })
    expect(req.messages[1].parts.slice(0, 2)).toEqual([
      {
        type: 'thinking',
        text: '',
        redacted: 'EmwKAhgBEgy3va3pzix',
        origin: 'anthropic',
        path: 'messages[1].content[0]',
      },
      {
        type: 'thinking',
        text: '',
        signature: 'sig-omitted-display',
        origin: 'anthropic',
        path: 'messages[1].content[1]',
      },
    ])
  })

  it('decodes every tool choice and thinking mode', () => {
    const choice = (tc: JsonObject) => decodeAnthropicRequest({ ...base, tool_choice: tc }).toolChoice
    expect(choice({ type: 'auto' })).toEqual({ type: 'auto' })
    expect(choice({ type: 'any' })).toEqual({ type: 'required' })
    expect(choice({ type: 'none' })).toEqual({ type: 'none' })
    expect(choice({ type: 'tool', name: 'Bash' })).toEqual({ type: 'tool', name: 'Bash' })
    const noParallel = decodeAnthropicRequest({
      ...base,
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    })
    expect(noParallel.parallelToolCalls).toBe(false)

    const thinking = (t: JsonObject) => decodeAnthropicRequest({ ...base, thinking: t }).reasoning
    expect(thinking({ type: 'enabled', budget_tokens: 2048 })).toEqual({ enabled: true, budgetTokens: 2048 })
    expect(thinking({ type: 'disabled' })).toEqual({ enabled: false })
    expect(thinking({ type: 'adaptive' })).toEqual({ enabled: true, adaptive: true })
  })

  it('reads effort alone as thinking off with an effort, and max as the highest internal effort', () => {
    expect(decodeAnthropicRequest({ ...base, output_config: { effort: 'low' } }).reasoning).toEqual({
      enabled: false,
      effort: 'low',
    })
    const max = decodeAnthropicRequest({ ...base, output_config: { effort: 'max' } })
    expect(max.reasoning?.effort).toBe('xhigh')
    expect(max.paths.reasoning).toBe('output_config.effort')
  })

  it('decodes a JSON schema output from output_config.format and the older output_format', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } }
    const a = decodeAnthropicRequest({ ...base, output_config: { format: { type: 'json_schema', schema } } })
    expect(a.output).toEqual({ type: 'json_schema', schema })
    expect(a.paths.output).toBe('output_config.format')
    const b = decodeAnthropicRequest({ ...base, output_format: { type: 'json_schema', schema } })
    expect(b.paths.output).toBe('output_format')
  })

  it('decodes sampling, stop sequences and limits with their paths', () => {
    const req = decodeAnthropicRequest({
      ...base,
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['END'],
    })
    expect(req).toMatchObject({ temperature: 0.2, topP: 0.9, topK: 40, stop: ['END'], maxOutputTokens: 1024 })
    expect(req.paths).toMatchObject({ topK: 'top_k', topP: 'top_p', stop: 'stop_sequences' })
  })

  it('drops cache_control and citations as documented hints', () => {
    const req = decodeAnthropicRequest({
      ...base,
      messages: [
        {
          role: 'user',
          content: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral' }, citations: [] }],
        },
      ],
    })
    expect(req.messages[0].parts[0]).toEqual({ type: 'text', text: 'x', path: 'messages[0].content[0]' })
  })

  describe('refusals name the field', () => {
    it.each([
      [
        'a server tool',
        { tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 5 }] },
        'tools[0]',
      ],
      [
        'context_management',
        { context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] } },
        'context_management.edits[0].type',
      ],
      ['container', { container: 'container_1' }, 'container'],
      ['mcp_servers', { mcp_servers: [{ type: 'url', url: 'https://mcp', name: 'm' }] }, 'mcp_servers'],
      ['an unknown top-level field', { inference_geo: 'us' }, 'inference_geo'],
      [
        'an unknown tool field',
        { tools: [{ name: 'a', input_schema: { type: 'object' }, allowed_callers: ['x'] }] },
        'tools[0].allowed_callers',
      ],
      ['an unknown effort', { output_config: { effort: 'ultra' } }, 'output_config.effort'],
      ['a bad thinking type', { thinking: { type: 'sometimes' } }, 'thinking.type'],
      [
        'a non-schema output format',
        { output_config: { format: { type: 'xml' } } },
        'output_config.format.type',
      ],
    ])('%s', (_name, extra, field) => {
      expect(refusedField({ ...base, ...(extra as JsonObject) })).toBe(field)
    })

    it('refuses server-tool blocks in history naming the block', () => {
      const body = {
        ...base,
        messages: [
          { role: 'user', content: 'search' },
          {
            role: 'assistant',
            content: [
              { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
            ],
          },
        ],
      }
      expect(refusedField(body)).toBe('messages[1].content[0]')
    })

    it('refuses a document block in a tool result and a bad role', () => {
      const doc = {
        ...base,
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: 't',
                content: [
                  { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } },
                ],
              },
            ],
          },
        ],
      }
      expect(refusedField(doc)).toBe('messages[0].content[0].content[0]')
      expect(refusedField({ ...base, messages: [{ role: 'tool', content: 'x' }] })).toBe('messages[0].role')
    })

    it("accepts Claude Code's default extras: clearing old thinking, thinking display, a deferred tool, a system turn's effort", () => {
      const req = decodeAnthropicRequest({
        ...base,
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'system', content: '# Environment', output_config: { effort: 'medium' } },
        ],
        context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
        thinking: { type: 'adaptive', display: 'omitted' },
        tools: [
          { name: 'Bash', input_schema: { type: 'object' } },
          {
            name: 'DeferredToolPlaceholder',
            input_schema: { type: 'object', properties: {} },
            defer_loading: true,
          },
        ],
      })
      // The deferred tool is never shown to the model up front, here as at Anthropic.
      expect(req.tools?.map((t) => t.name)).toEqual(['Bash'])
      expect(req.reasoning).toEqual({ enabled: true, adaptive: true })
      expect(req.system.at(-1)?.text).toBe('# Environment')
    })

    it('accepts empty context_management, container and mcp_servers (nothing to lose)', () => {
      expect(
        refusedField({ ...base, mcp_servers: [], context_management: {}, container: null }),
      ).toBeUndefined()
    })
  })
})
