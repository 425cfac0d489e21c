import { describe, expect, it } from 'vitest'
import type { JsonObject } from '../translate/internal-model.ts'
import { geminiGenerateCodec as codec } from './generate-codec.ts'
import { cliRequest, refusal } from '../../../test/support/protocol/generate-test-support.ts'

describe('gemini-generate decodeRequest', () => {
  const req = codec.decodeRequest(cliRequest)

  it('leaves the model to the engine (it is in the path) and keeps every system part in order', () => {
    expect(req.model).toBe('')
    expect(req.system).toEqual([
      { role: 'system', text: 'You are a CLI agent.', path: 'systemInstruction.parts[0]' },
      { role: 'system', text: 'Be brief.', path: 'systemInstruction.parts[1]' },
    ])
  })

  it('reads sampling, limits and thinking with the client field names as paths', () => {
    expect(req).toMatchObject({
      temperature: 0.7,
      topP: 0.95,
      topK: 64,
      maxOutputTokens: 8192,
      stop: ['END'],
      seed: 7,
      reasoning: { enabled: true, budgetTokens: 8192, summary: 'auto' },
      toolChoice: { type: 'auto' },
    })
    expect(req.paths).toMatchObject({
      topK: 'generationConfig.topK',
      stop: 'generationConfig.stopSequences',
      reasoning: 'generationConfig.thinkingConfig',
      toolChoice: 'toolConfig.functionCallingConfig',
      tools: 'tools',
    })
  })

  it('synthesises a unique id per call without one and pairs responses by order within the name (§8 #4)', () => {
    const [, model, user] = req.messages
    const calls = model.parts.filter((p) => p.type === 'tool_call')
    expect(calls).toHaveLength(2)
    expect(calls[0].id).not.toBe(calls[1].id)
    expect(calls[0]).toMatchObject({
      name: 'list_directory',
      arguments: '{"path":"src"}',
      thoughtSignature: 'c2lnLW9uZQ==',
    })
    expect(user.parts).toEqual([
      {
        type: 'tool_result',
        callId: calls[0].id,
        name: 'list_directory',
        content: 'a.ts\nb.ts',
        path: 'contents[2].parts[0].functionResponse',
      },
      {
        type: 'tool_result',
        callId: calls[1].id,
        name: 'list_directory',
        content: '{"files":["x.test.ts"]}',
        path: 'contents[2].parts[1].functionResponse',
      },
    ])
  })

  it("pairs by Gemini's own id when the call had one, and across responses split over two user turns", () => {
    const r = codec.decodeRequest({
      contents: [
        { role: 'user', parts: [{ text: 'go' }] },
        {
          role: 'model',
          parts: [
            { functionCall: { id: 'g-1', name: 'f', args: {} }, thoughtSignature: 'c2ln' },
            { functionCall: { id: 'g-2', name: 'f', args: {} } },
          ],
        },
        {
          role: 'user',
          parts: [{ functionResponse: { id: 'g-2', name: 'f', response: { output: 'two' } } }],
        },
        {
          role: 'user',
          parts: [{ functionResponse: { id: 'g-1', name: 'f', response: { output: 'one' } } }],
        },
      ],
    })
    expect(r.messages.slice(2).map((m) => m.parts[0])).toMatchObject([
      { type: 'tool_result', callId: 'g-2', content: 'two' },
      { type: 'tool_result', callId: 'g-1', content: 'one' },
    ])
    expect(r.messages[1].parts[0]).toMatchObject({ type: 'tool_call', id: 'g-1', thoughtSignature: 'c2ln' })
  })

  it('reads an {error} response as an error result', () => {
    const r = codec.decodeRequest({
      contents: [
        { role: 'model', parts: [{ functionCall: { name: 'f' } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'f', response: { error: 'denied' } } }] },
      ],
    })
    expect(r.messages[1].parts[0]).toMatchObject({ type: 'tool_result', content: 'denied', isError: true })
  })

  it("reads a Gemini 3 multimodal function response's images after its text", () => {
    const r = codec.decodeRequest({
      contents: [
        { role: 'model', parts: [{ functionCall: { name: 'read_file', args: { path: 'a.png' } } }] },
        {
          role: 'user',
          parts: [
            {
              functionResponse: {
                name: 'read_file',
                response: { output: 'binary file' },
                parts: [{ inlineData: { mimeType: 'image/png', data: 'iVBORw0K' } }],
              },
            },
          ],
        },
      ],
    })
    const path = 'contents[1].parts[0].functionResponse'
    expect(r.messages[1].parts[0]).toMatchObject({
      type: 'tool_result',
      content: [
        { type: 'text', text: 'binary file', path },
        {
          type: 'image',
          source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0K' },
          path: `${path}.parts[0].inlineData`,
        },
      ],
    })
  })

  it('reads thought parts as Gemini thinking', () => {
    expect(req.messages[1].parts[0]).toEqual({
      type: 'thinking',
      text: 'I will list them.',
      origin: 'gemini',
      path: 'contents[1].parts[0]',
    })
  })

  it('converts the OpenAPI-subset `parameters` to JSON Schema', () => {
    const r = codec.decodeRequest({
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
      tools: [
        {
          functionDeclarations: [
            {
              name: 'f',
              parameters: {
                type: 'OBJECT',
                properties: {
                  a: { type: 'STRING', nullable: true },
                  b: { type: 'ARRAY', items: { type: 'INTEGER' } },
                },
                required: ['a'],
                propertyOrdering: ['a', 'b'],
              },
            },
          ],
        },
      ],
    })
    expect(r.tools?.[0].parameters).toEqual({
      type: 'object',
      properties: { a: { type: ['string', 'null'] }, b: { type: 'array', items: { type: 'integer' } } },
      required: ['a'],
    })
  })

  it('accepts the snake_case spelling of Google curl examples', () => {
    const r = codec.decodeRequest({
      system_instruction: { parts: [{ text: 'sys' }] },
      contents: [{ role: 'user', parts: [{ inline_data: { mime_type: 'image/jpg', data: 'AAAA' } }] }],
      generation_config: { max_output_tokens: 5, response_mime_type: 'application/json' },
    })
    expect(r.system[0].text).toBe('sys')
    expect(r.messages[0].parts[0]).toEqual({
      type: 'image',
      source: { kind: 'base64', mediaType: 'image/jpeg', data: 'AAAA' },
      path: 'contents[0].parts[0].inlineData',
    })
    expect(r.maxOutputTokens).toBe(5)
    expect(r.output).toEqual({ type: 'json_object' })
  })

  it('reads a schema answer, tool choice of one function and Gemini 3 thinking levels', () => {
    const r = codec.decodeRequest({
      contents: [{ parts: [{ text: 'x' }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] } },
      generationConfig: {
        responseMimeType: 'application/json',
        responseJsonSchema: { type: 'object', properties: { n: { type: 'number' } } },
        thinkingConfig: { thinkingLevel: 'LOW' },
      },
    })
    expect(r.toolChoice).toEqual({ type: 'tool', name: 'f' })
    expect(r.output).toEqual({
      type: 'json_schema',
      schema: { type: 'object', properties: { n: { type: 'number' } } },
    })
    expect(r.paths.output).toBe('generationConfig.responseJsonSchema')
    expect(r.reasoning).toEqual({ enabled: true, effort: 'low' })
  })

  it('reads thinkingBudget 0 as thinking off', () => {
    const r = codec.decodeRequest({
      contents: [],
      generationConfig: { thinkingConfig: { thinkingBudget: 0 } },
    })
    expect(r.reasoning).toEqual({ enabled: false, budgetTokens: 0 })
  })

  it('drops the documented harmless fields: model, safety settings that only loosen Google filters', () => {
    const r = codec.decodeRequest({
      model: 'models/gemini-2.5-pro',
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
    })
    expect(r.messages).toHaveLength(1)
  })

  describe('refuses what cannot be placed, naming the field', () => {
    const cases: [string, JsonObject, string][] = [
      [
        'built-in Google Search',
        { contents: [], tools: [{ functionDeclarations: [] }, { googleSearch: {} }] },
        'tools[1].googleSearch',
      ],
      ['code execution', { contents: [], tools: [{ codeExecution: {} }] }, 'tools[0].codeExecution'],
      ['url context', { contents: [], tools: [{ urlContext: {} }] }, 'tools[0].urlContext'],
      ['a cached content', { contents: [], cachedContent: 'cachedContents/abc' }, 'cachedContent'],
      [
        'log probabilities',
        { contents: [], generationConfig: { responseLogprobs: true } },
        'generationConfig.responseLogprobs',
      ],
      ['logprobs count', { contents: [], generationConfig: { logprobs: 3 } }, 'generationConfig.logprobs'],
      [
        'a stricter safety threshold',
        {
          contents: [],
          safetySettings: [{ category: 'HARM_CATEGORY_HATE_SPEECH', threshold: 'BLOCK_LOW_AND_ABOVE' }],
        },
        'safetySettings[0].threshold',
      ],
      [
        'a choice among several functions',
        {
          contents: [],
          toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['a', 'b'] } },
        },
        'toolConfig.functionCallingConfig.allowedFunctionNames',
      ],
      [
        'audio answers',
        { contents: [], generationConfig: { responseModalities: ['AUDIO'] } },
        'generationConfig.responseModalities',
      ],
      [
        'video metadata',
        { contents: [{ role: 'user', parts: [{ videoMetadata: {} }] }] },
        'contents[0].parts[0].videoMetadata',
      ],
      [
        'an enum answer',
        { contents: [], generationConfig: { responseMimeType: 'text/x.enum' } },
        'generationConfig.responseMimeType',
      ],
      [
        'a response nobody asked for',
        { contents: [{ role: 'user', parts: [{ functionResponse: { name: 'f', response: {} } }] }] },
        'contents[0].parts[0].functionResponse',
      ],
      ['an unknown top-level field', { contents: [], labels: { a: 'b' } }, 'labels'],
    ]
    for (const [what, body, field] of cases) {
      it(what, () => {
        const e = refusal(() => codec.decodeRequest(body))
        expect(e.field).toBe(field)
        expect(e.message).toContain(field)
      })
    }
  })
})
