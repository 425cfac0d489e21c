import { describe, expect, it } from 'vitest'
import type { IRequest, JsonObject } from '../translate/internal-model.ts'
import { geminiGenerateCodec as codec } from './generate-codec.ts'
import { DUMMY_THOUGHT_SIGNATURE } from './generate-encode-request.ts'
import { encodeGeminiCallId } from './generate-ids.ts'
import {
  baseRequest,
  cliRequest,
  ctx,
  refusal,
} from '../../../test/support/protocol/generate-test-support.ts'

describe('gemini-generate encodeRequest', () => {
  it('round trip: a Gemini CLI request decodes and encodes back to the same body', () => {
    const body = codec.encodeRequest(codec.decodeRequest(cliRequest), ctx)
    // Equivalences: the functionResponse ids Gemini CLI minted for id-less calls stay on our side, and
    // {output:"…"} is how Gemini wraps text.
    const expected = structuredClone(cliRequest) as {
      contents: { parts: JsonObject[] }[]
      systemInstruction: JsonObject
    }
    for (const part of expected.contents[2].parts) delete (part.functionResponse as JsonObject).id
    delete expected.systemInstruction.role
    expect(body).toEqual(expected)
    expect(body).not.toHaveProperty('model')
  })

  it('round trip: converted `parameters` come back as the equivalent parametersJsonSchema', () => {
    const body = codec.encodeRequest(
      codec.decodeRequest({
        contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
        tools: [
          {
            functionDeclarations: [
              { name: 'f', parameters: { type: 'OBJECT', properties: { q: { type: 'STRING' } } } },
            ],
          },
        ],
      }),
      ctx,
    )
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          { name: 'f', parametersJsonSchema: { type: 'object', properties: { q: { type: 'string' } } } },
        ],
      },
    ])
  })

  it('keeps several system messages, in order, as systemInstruction parts (§8 #20)', () => {
    const body = codec.encodeRequest(
      baseRequest({
        system: [
          { role: 'system', text: 'one', path: 'messages[0]' },
          { role: 'developer', text: 'two', path: 'messages[1]' },
        ],
        messages: [
          { role: 'user', parts: [{ type: 'text', text: 'hi', path: 'messages[2]' }], path: 'messages[2]' },
        ],
      }),
      ctx,
    )
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'one' }, { text: 'two' }] })
    expect(body.contents).toEqual([{ role: 'user', parts: [{ text: 'hi' }] }])
  })

  /** History as an OpenAI chat client sends it after two parallel calls the gateway got from another provider. */
  const chatHistory = (results: IRequest['messages']): IRequest =>
    baseRequest({
      messages: [
        {
          role: 'user',
          parts: [{ type: 'text', text: 'weather?', path: 'messages[0].content' }],
          path: 'messages[0]',
        },
        {
          role: 'assistant',
          parts: [
            { type: 'text', text: '', path: 'messages[1].content' },
            {
              type: 'tool_call',
              id: 'call_a',
              name: 'weather',
              arguments: '{"city":"Paris"}',
              path: 'messages[1].tool_calls[0]',
            },
            {
              type: 'tool_call',
              id: 'call_b',
              name: 'time',
              arguments: '',
              path: 'messages[1].tool_calls[1]',
            },
          ],
          path: 'messages[1]',
        },
        ...results,
      ],
    })

  it('names each functionResponse from the call in history, N responses for N calls, in call order (§8 #16)', () => {
    const body = codec.encodeRequest(
      chatHistory([
        {
          role: 'user',
          parts: [{ type: 'tool_result', callId: 'call_b', content: '12:00', path: 'messages[2]' }],
          path: 'messages[2]',
        },
        {
          role: 'user',
          parts: [{ type: 'tool_result', callId: 'call_a', content: '{"temp":21}', path: 'messages[3]' }],
          path: 'messages[3]',
        },
        {
          role: 'user',
          parts: [{ type: 'text', text: 'thanks', path: 'messages[4].content' }],
          path: 'messages[4]',
        },
      ]),
      ctx,
    )
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'weather?' }] },
      {
        role: 'model',
        parts: [
          // Empty text omitted (§8 #25); calls Gemini never signed get the documented dummy on the first one.
          {
            functionCall: { name: 'weather', args: { city: 'Paris' } },
            thoughtSignature: DUMMY_THOUGHT_SIGNATURE,
          },
          { functionCall: { name: 'time', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'weather', response: { temp: 21 } } },
          { functionResponse: { name: 'time', response: { output: '12:00' } } },
          { text: 'thanks' },
        ],
      },
    ])
  })

  it('wraps an error result as {error} and joins text parts of a result', () => {
    const body = codec.encodeRequest(
      chatHistory([
        {
          role: 'user',
          parts: [
            {
              type: 'tool_result',
              callId: 'call_a',
              content: 'city unknown',
              isError: true,
              path: 'messages[2].content[0]',
            },
            {
              type: 'tool_result',
              callId: 'call_b',
              content: [
                { type: 'text', text: 'line 1', path: 'p' },
                {
                  type: 'image',
                  source: { kind: 'base64', mediaType: 'image/png', data: 'iVBO' },
                  path: 'q',
                },
              ],
              path: 'messages[2].content[1]',
            },
          ],
          path: 'messages[2]',
        },
      ]),
      ctx,
    )
    const turn = (body.contents as { parts: JsonObject[] }[])[2]
    expect(turn.parts).toEqual([
      { functionResponse: { name: 'weather', response: { error: 'city unknown' } } },
      { functionResponse: { name: 'time', response: { output: 'line 1' } } },
      { inlineData: { mimeType: 'image/png', data: 'iVBO' } },
    ])
  })

  it('refuses a call left without a result, naming the call (§8 #16)', () => {
    const e = refusal(() =>
      codec.encodeRequest(
        chatHistory([
          {
            role: 'user',
            parts: [{ type: 'tool_result', callId: 'call_a', content: 'x', path: 'messages[2]' }],
            path: 'messages[2]',
          },
        ]),
        ctx,
      ),
    )
    expect(e.field).toBe('messages[1].tool_calls[1]')
  })

  it('refuses a result that answers no call of the previous turn', () => {
    const e = refusal(() =>
      codec.encodeRequest(
        chatHistory([
          {
            role: 'user',
            parts: [
              { type: 'tool_result', callId: 'call_a', content: 'x', path: 'messages[2]' },
              { type: 'tool_result', callId: 'call_b', content: 'x', path: 'messages[3]' },
              { type: 'tool_result', callId: 'call_zzz', content: 'x', path: 'messages[4]' },
            ],
            path: 'messages[2]',
          },
        ]),
        ctx,
      ),
    )
    expect(e.field).toBe('messages[4]')
  })

  it('restores a thought signature carried in the id a Chat/Anthropic client returns, and sends only real Gemini ids (§8 #4, #5)', () => {
    const signed = encodeGeminiCallId({ key: 'resp1_0', thoughtSignature: 'Q2lnbmF0dXJlKy8=' })
    const real = encodeGeminiCallId({ realId: 'fc-77' })
    expect(signed).toMatch(/^[A-Za-z0-9_-]+$/)
    const body = codec.encodeRequest(
      baseRequest({
        messages: [
          { role: 'user', parts: [{ type: 'text', text: 'go', path: 'm0' }], path: 'm0' },
          {
            role: 'assistant',
            parts: [
              { type: 'tool_call', id: signed, name: 'a', arguments: '{}', path: 'm1.0' },
              { type: 'tool_call', id: real, name: 'b', arguments: '{}', path: 'm1.1' },
            ],
            path: 'm1',
          },
          {
            role: 'user',
            parts: [
              { type: 'tool_result', callId: signed, content: 'A', path: 'm2.0' },
              { type: 'tool_result', callId: real, content: 'B', path: 'm2.1' },
            ],
            path: 'm2',
          },
        ],
      }),
      ctx,
    )
    const contents = body.contents as { parts: JsonObject[] }[]
    expect(contents[1].parts).toEqual([
      { functionCall: { name: 'a', args: {} }, thoughtSignature: 'Q2lnbmF0dXJlKy8=' },
      { functionCall: { id: 'fc-77', name: 'b', args: {} } },
    ])
    expect(contents[2].parts).toEqual([
      { functionResponse: { name: 'a', response: { output: 'A' } } },
      { functionResponse: { id: 'fc-77', name: 'b', response: { output: 'B' } } },
    ])
  })

  it('drops thinking of another provider, never as text (§8 #2), and replays Gemini thoughts with signatures', () => {
    const body = codec.encodeRequest(
      baseRequest({
        messages: [
          { role: 'user', parts: [{ type: 'text', text: 'q', path: 'a' }], path: 'a' },
          {
            role: 'assistant',
            parts: [
              { type: 'thinking', text: 'claude thinks', signature: 'EqQB', origin: 'anthropic', path: 'b0' },
              { type: 'thinking', text: 'gemini thinks', origin: 'gemini', path: 'b1' },
              { type: 'text', text: 'answer', path: 'b2' },
              { type: 'thinking', text: '', signature: 'c2ln', origin: 'gemini', path: 'b3' },
            ],
            path: 'b',
          },
        ],
      }),
      ctx,
    )
    expect((body.contents as JsonObject[])[1]).toEqual({
      role: 'model',
      parts: [
        { text: 'gemini thinks', thought: true },
        { text: 'answer', thoughtSignature: 'c2ln' },
      ],
    })
  })

  it('sends base64 and data-URL images inline and refuses a web URL naming the client field', () => {
    const image = (url: string): IRequest =>
      baseRequest({
        messages: [
          {
            role: 'user',
            parts: [
              { type: 'image', source: { kind: 'url', url }, path: 'messages[0].content[1].image_url.url' },
            ],
            path: 'messages[0]',
          },
        ],
      })
    expect(codec.encodeRequest(image('data:image/jpg;base64,/9j/4AAQ'), ctx).contents).toEqual([
      { role: 'user', parts: [{ inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQ' } }] },
    ])
    expect(refusal(() => codec.encodeRequest(image('https://example.com/cat.png'), ctx)).field).toBe(
      'messages[0].content[1].image_url.url',
    )
  })

  it("refuses another provider's file id and sends Gemini's own as fileData", () => {
    const doc = (origin: 'openai' | 'gemini'): IRequest =>
      baseRequest({
        messages: [
          {
            role: 'user',
            parts: [
              {
                type: 'document',
                source: { kind: 'file_id', fileId: 'files/abc', origin, mediaType: 'application/pdf' },
                path: 'x.file_id',
              },
            ],
            path: 'x',
          },
        ],
      })
    expect(refusal(() => codec.encodeRequest(doc('openai'), ctx)).field).toBe('x.file_id')
    expect(codec.encodeRequest(doc('gemini'), ctx).contents).toEqual([
      { role: 'user', parts: [{ fileData: { mimeType: 'application/pdf', fileUri: 'files/abc' } }] },
    ])
  })

  it('sends an Anthropic plain-text document as text/plain inline data', () => {
    const body = codec.encodeRequest(
      baseRequest({
        messages: [
          {
            role: 'user',
            parts: [{ type: 'document', source: { kind: 'text', text: 'héllo' }, path: 'd' }],
            path: 'm',
          },
        ],
      }),
      ctx,
    )
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ inlineData: { mimeType: 'text/plain', data: 'aMOpbGxv' } }] },
    ])
  })
})
