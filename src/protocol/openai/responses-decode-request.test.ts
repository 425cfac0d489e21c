import { describe, expect, it } from 'vitest'
import type { JsonObject } from '../translate/internal-model.ts'
import { decodeResponsesRequest } from './responses-decode-request.ts'
import { encodeResponsesRequest } from './responses-encode-request.ts'
import { CODEX_BODY, refusalOf } from '../../../test/support/protocol/responses-fixtures.ts'

const CTX = { upstreamModel: 'gpt-5.1', defaultMaxOutputTokens: 128000 }

describe('decodeResponsesRequest', () => {
  it('decodes a Codex CLI turn without refusing anything it sends', () => {
    const req = decodeResponsesRequest(CODEX_BODY)
    expect(req.model).toBe('gpt-5.1-codex')
    expect(req.stream).toBe(true)
    expect(req.system).toEqual([
      { role: 'system', text: 'You are Codex, a coding agent.', path: 'instructions' },
      { role: 'developer', text: '<permissions>…</permissions>', path: 'input[0].content[0]' },
    ])
    expect(req.messages.map((m) => [m.role, m.path, m.parts.map((p) => p.type)])).toEqual([
      ['user', 'input[1]', ['text']],
      ['user', 'input[2]', ['text']],
      ['assistant', 'input[3]', ['thinking', 'tool_call']],
      ['user', 'input[5]', ['tool_result']],
      ['assistant', 'input[6]', ['text']],
    ])
    expect(req.messages[2].parts).toEqual([
      {
        type: 'thinking',
        text: 'I will write the file.',
        origin: 'openai',
        signature: 'gAAAAABencrypted',
        itemId: 'rs_01',
        path: 'input[3]',
      },
      {
        type: 'tool_call',
        id: 'call_A',
        itemId: 'fc_01',
        name: 'shell',
        arguments: '{"command":["bash","-lc","echo hi > hello.txt"]}',
        path: 'input[4]',
      },
    ])
    expect(req.messages[3].parts[0]).toMatchObject({
      type: 'tool_result',
      callId: 'call_A',
      path: 'input[5]',
    })
    expect(req.tools?.[0]).toMatchObject({ name: 'shell', strict: false, path: 'tools[0]' })
    expect(req.toolChoice).toEqual({ type: 'auto' })
    expect(req.parallelToolCalls).toBe(false)
    expect(req.reasoning).toEqual({ enabled: true, effort: 'medium', summary: 'auto' })
    expect(req.cacheKey).toBe('session-1')
    expect(req.paths).toMatchObject({ reasoning: 'reasoning', cacheKey: 'prompt_cache_key', tools: 'tools' })
  })

  it('takes a string input as one user message', () => {
    const req = decodeResponsesRequest({ model: 'm', input: 'hi' })
    expect(req.messages).toEqual([
      { role: 'user', parts: [{ type: 'text', text: 'hi', path: 'input' }], path: 'input' },
    ])
  })

  it('decodes images (URL and data URL, image/jpg normalised) and files', () => {
    const req = decodeResponsesRequest({
      model: 'm',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_image', image_url: 'https://x.test/a.png', detail: 'high' },
            { type: 'input_image', image_url: 'data:image/jpg;base64,AAAA' },
            { type: 'input_file', file_data: 'data:application/pdf;base64,JVBE', filename: 'a.pdf' },
            { type: 'input_file', file_id: 'file-123' },
          ],
        },
      ],
    })
    expect(req.messages[0].parts).toEqual([
      {
        type: 'image',
        source: { kind: 'url', url: 'https://x.test/a.png' },
        detail: 'high',
        path: 'input[0].content[0]',
      },
      {
        type: 'image',
        source: { kind: 'base64', mediaType: 'image/jpeg', data: 'AAAA' },
        path: 'input[0].content[1]',
      },
      {
        type: 'document',
        source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBE' },
        filename: 'a.pdf',
        path: 'input[0].content[2]',
      },
      {
        type: 'document',
        source: { kind: 'file_id', fileId: 'file-123', origin: 'openai' },
        path: 'input[0].content[3]',
      },
    ])
  })

  it('decodes a function_call_output given as an array of input parts', () => {
    const req = decodeResponsesRequest({
      model: 'm',
      input: [
        { type: 'function_call', call_id: 'c1', name: 'shot', arguments: '{}' },
        {
          type: 'function_call_output',
          call_id: 'c1',
          output: [
            { type: 'input_text', text: 'see' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBO' },
          ],
        },
      ],
    })
    expect(req.messages[1].parts[0]).toEqual({
      type: 'tool_result',
      callId: 'c1',
      content: [
        { type: 'text', text: 'see', path: 'input[1].output[0]' },
        {
          type: 'image',
          source: { kind: 'base64', mediaType: 'image/png', data: 'iVBO' },
          path: 'input[1].output[1]',
        },
      ],
      path: 'input[1]',
    })
  })

  it('folds parallel call outputs into one user turn', () => {
    const req = decodeResponsesRequest({
      model: 'm',
      input: [
        { type: 'function_call', call_id: 'c1', name: 'a', arguments: '{}' },
        { type: 'function_call', call_id: 'c2', name: 'b', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'x' },
        { type: 'function_call_output', call_id: 'c2', output: 'y' },
        { role: 'user', content: 'next' },
      ],
    })
    expect(req.messages.map((m) => m.parts.length)).toEqual([2, 2, 1])
  })

  it('maps text.format json_schema, max_output_tokens, temperature, top_p, safety_identifier', () => {
    const req = decodeResponsesRequest({
      model: 'm',
      input: 'x',
      text: { format: { type: 'json_schema', name: 'r', schema: { type: 'object' }, strict: true } },
      max_output_tokens: 500,
      temperature: 0.3,
      top_p: 0.9,
      safety_identifier: 'u1',
    })
    expect(req.output).toEqual({ type: 'json_schema', name: 'r', schema: { type: 'object' }, strict: true })
    expect(req.paths).toMatchObject({
      output: 'text.format',
      maxOutputTokens: 'max_output_tokens',
      temperature: 'temperature',
      topP: 'top_p',
      user: 'safety_identifier',
    })
    expect(req.user).toBe('u1')
  })

  it('represents a custom (freeform) tool as a function taking {input} and its call with that input', () => {
    const req = decodeResponsesRequest({
      model: 'm',
      input: [
        {
          type: 'custom_tool_call',
          id: 'ctc_1',
          call_id: 'call_P',
          name: 'apply_patch',
          input: '*** Begin Patch',
        },
        { type: 'custom_tool_call_output', call_id: 'call_P', output: 'ok' },
      ],
      tools: [
        {
          type: 'custom',
          name: 'apply_patch',
          description: 'Apply a patch',
          format: { type: 'grammar', syntax: 'lark', definition: 'start: "x"' },
        },
      ],
    })
    expect(req.tools?.[0]).toMatchObject({
      name: 'apply_patch',
      custom: { format: { type: 'grammar', syntax: 'lark', definition: 'start: "x"' } },
      parameters: { type: 'object', required: ['input'] },
    })
    expect(req.messages[0].parts[0]).toMatchObject({
      type: 'tool_call',
      id: 'call_P',
      arguments: JSON.stringify({ input: '*** Begin Patch' }),
    })
    const body = encodeResponsesRequest(req, CTX)
    expect(body.input).toEqual([
      {
        type: 'custom_tool_call',
        id: 'ctc_1',
        call_id: 'call_P',
        name: 'apply_patch',
        input: '*** Begin Patch',
      },
      { type: 'custom_tool_call_output', call_id: 'call_P', output: 'ok' },
    ])
  })

  it('keeps another provider`s replay token through a tagged encrypted_content', () => {
    const req = decodeResponsesRequest({
      model: 'm',
      input: [{ type: 'reasoning', id: 'rs_x', summary: [], encrypted_content: 'anygw:v1:anthropic:SIG==' }],
    })
    expect(req.messages[0].parts[0]).toMatchObject({
      type: 'thinking',
      origin: 'anthropic',
      signature: 'SIG==',
      text: '',
    })
  })

  describe('refusals name the field', () => {
    const cases: [string, JsonObject, string][] = [
      ['previous_response_id', { previous_response_id: 'resp_1' }, 'previous_response_id'],
      ['conversation', { conversation: 'conv_1' }, 'conversation'],
      ['a built-in tool', { tools: [{ type: 'web_search' }] }, 'tools[0]'],
      ['local_shell', { tools: [{ type: 'function', name: 'f' }, { type: 'local_shell' }] }, 'tools[1]'],
      ['an item_reference', { input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input[0].type'],
      [
        'input audio',
        { input: [{ role: 'user', content: [{ type: 'input_audio' }] }] },
        'input[0].content[0].type',
      ],
      ['an unknown top-level field', { top_logprobs: 3 }, 'top_logprobs'],
      ['a prompt template', { prompt: { id: 'pmpt_1' } }, 'prompt'],
      ['an allowed_tools choice', { tool_choice: { type: 'allowed_tools', tools: [] } }, 'tool_choice'],
    ]
    for (const [name, extra, field] of cases) {
      it(name, () => {
        const err = refusalOf(() => decodeResponsesRequest({ model: 'm', input: 'x', ...extra }))
        expect(err.field).toBe(field)
        expect(err.message).toContain(field)
      })
    }
  })

  it('accepts the harmless fields and null values the SDK sends', () => {
    const req = decodeResponsesRequest({
      model: 'm',
      input: 'x',
      store: true,
      metadata: { a: 'b' },
      service_tier: 'auto',
      truncation: 'disabled',
      include: [],
      previous_response_id: null,
      background: false,
      user: 'u',
      temperature: null,
    })
    expect(req.user).toBe('u')
    expect(req.temperature).toBeUndefined()
  })

  it('reasoning effort none turns thinking off; a developer item after the turns joins the instructions in order', () => {
    const req = decodeResponsesRequest({
      model: 'm',
      instructions: 'A',
      input: [
        { role: 'user', content: 'hi' },
        { role: 'developer', content: 'B' },
      ],
      reasoning: { effort: 'none' },
    })
    expect(req.reasoning).toEqual({ enabled: false, effort: 'none' })
    expect(req.system.map((s) => [s.role, s.text, s.path])).toEqual([
      ['system', 'A', 'instructions'],
      ['developer', 'B', 'input[1].content'],
    ])
    expect(req.messages).toHaveLength(1)
  })
})
