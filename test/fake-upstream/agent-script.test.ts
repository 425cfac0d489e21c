import Anthropic from '@anthropic-ai/sdk'
import { GoogleGenAI, type Part } from '@google/genai'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT_DONE_TEXT, agentCalls, agentTaskPrompt } from './agent-script.ts'
import { type FakeUpstream, startFakeUpstream } from './start-fake-upstream.ts'

const FILE = '/tmp/agent-test/hello.txt'
const CONTENT = 'hello agent'
const PROMPT = agentTaskPrompt(FILE, CONTENT)
const schema = {
  type: 'object',
  properties: { file_path: { type: 'string' }, content: { type: 'string' } },
  required: ['file_path', 'content'],
}
const WRITE_ARGS = { file_path: FILE, content: CONTENT }

/** The scripted agent answers each SDK, plain and streamed: the file-writing call, then after its result, done. */
describe('the scripted agent of the CLI tests, read by the official SDKs', () => {
  let up: FakeUpstream
  let openai: OpenAI
  let anthropic: Anthropic
  let gemini: GoogleGenAI

  beforeAll(async () => {
    up = await startFakeUpstream()
    openai = new OpenAI({ baseURL: `${up.url}/v1`, apiKey: 'sk-test', maxRetries: 0 })
    anthropic = new Anthropic({ baseURL: up.url, apiKey: 'sk-test', maxRetries: 0 })
    gemini = new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: up.url } })
  })
  afterAll(async () => up?.close())

  /** The last two recorded answers: a tool call, then the final answer to its result. */
  function expectRoundTrip(callId: string | undefined) {
    const [tool, final] = agentCalls(up.url).slice(-2)
    expect(tool.kind).toBe('tool')
    expect(tool.callId).toBe(callId)
    expect(final.kind).toBe('final')
    expect(final.resultId).toBe(callId)
    expect(final.usage.output).toBeGreaterThan(0)
  }

  it.for([false, true])('Chat Completions (stream %s)', async (stream) => {
    const tools = [{ type: 'function' as const, function: { name: 'Write', parameters: schema } }]
    const model = 'agent-chat'
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: PROMPT }]
    let call: { id: string; name: string; args: string }
    if (stream) {
      const s = openai.chat.completions.stream({ model, messages, tools, stream: true })
      const done = await s.finalChatCompletion()
      const tc = done.choices[0].message.tool_calls?.[0]
      if (tc?.type !== 'function') throw new Error('no function call')
      call = { id: tc.id, name: tc.function.name, args: tc.function.arguments }
      expect(done.choices[0].finish_reason).toBe('tool_calls')
    } else {
      const r = await openai.chat.completions.create({ model, messages, tools })
      const tc = r.choices[0].message.tool_calls?.[0]
      if (tc?.type !== 'function') throw new Error('no function call')
      call = { id: tc.id, name: tc.function.name, args: tc.function.arguments }
      expect(r.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(0)
    }
    expect(call.name).toBe('Write')
    expect(JSON.parse(call.args)).toEqual(WRITE_ARGS)
    const r2 = await openai.chat.completions.create({
      model,
      tools,
      messages: [
        ...messages,
        {
          role: 'assistant',
          tool_calls: [
            { id: call.id, type: 'function', function: { name: call.name, arguments: call.args } },
          ],
        },
        { role: 'tool', tool_call_id: call.id, content: 'written' },
      ],
    })
    expect(r2.choices[0].message.content).toContain(AGENT_DONE_TEXT)
    expectRoundTrip(call.id)
  })

  it.for([false, true])('Responses (stream %s)', async (stream) => {
    const tools = [{ type: 'function' as const, name: 'exec_command', parameters: schema, strict: false }]
    const model = 'agent-responses'
    const r = stream
      ? await openai.responses.stream({ model, input: PROMPT, tools }).finalResponse()
      : await openai.responses.create({ model, input: PROMPT, tools })
    const call = r.output.find((o) => o.type === 'function_call')
    if (call?.type !== 'function_call') throw new Error('no function call')
    expect(call.name).toBe('exec_command')
    expect(JSON.parse(call.arguments)).toEqual({ cmd: `printf '%s' '${CONTENT}' > '${FILE}'` })
    const r2 = await openai.responses.create({
      model,
      tools,
      input: [
        { role: 'user', content: PROMPT },
        { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
        { type: 'function_call_output', call_id: call.call_id, output: 'ok' },
      ],
    })
    expect(r2.output_text).toContain(AGENT_DONE_TEXT)
    expectRoundTrip(call.call_id)
  })

  it.for([false, true])('Messages (stream %s)', async (stream) => {
    const tools = [{ name: 'Write', input_schema: schema as Anthropic.Tool.InputSchema }]
    const body = { model: 'agent-messages', max_tokens: 1000, tools }
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: PROMPT }]
    const m = stream
      ? await anthropic.messages.stream({ ...body, messages }).finalMessage()
      : await anthropic.messages.create({ ...body, messages })
    expect(m.stop_reason).toBe('tool_use')
    const use = m.content.find((b) => b.type === 'tool_use')
    if (use?.type !== 'tool_use') throw new Error('no tool_use')
    expect(use.input).toEqual(WRITE_ARGS)
    expect(m.usage.cache_read_input_tokens).toBeGreaterThan(0)
    const m2 = await anthropic.messages.create({
      ...body,
      messages: [
        ...messages,
        { role: 'assistant', content: m.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'done' }] },
      ],
    })
    expect(m2.content.find((b) => b.type === 'text')?.text).toContain(AGENT_DONE_TEXT)
    expectRoundTrip(use.id)
  })

  it.for([false, true])('generateContent (stream %s)', async (stream) => {
    const model = 'agent-gemini'
    const config = {
      tools: [{ functionDeclarations: [{ name: 'write_file', parametersJsonSchema: schema }] }],
    }
    const contents = [{ role: 'user', parts: [{ text: PROMPT }] }]
    let parts: Part[] = []
    if (stream) {
      for await (const chunk of await gemini.models.generateContentStream({ model, contents, config }))
        parts.push(...(chunk.candidates?.[0]?.content?.parts ?? []))
    } else {
      const r = await gemini.models.generateContent({ model, contents, config })
      parts = r.candidates?.[0]?.content?.parts ?? []
      expect(r.usageMetadata?.cachedContentTokenCount).toBeGreaterThan(0)
    }
    const fc = parts.find((p) => p.functionCall)?.functionCall
    expect(fc?.name).toBe('write_file')
    expect(fc?.args).toEqual(WRITE_ARGS)
    const r2 = await gemini.models.generateContent({
      model,
      config,
      contents: [
        ...contents,
        { role: 'model', parts },
        { role: 'user', parts: [{ functionResponse: { name: 'write_file', response: { output: 'ok' } } }] },
      ],
    })
    expect(r2.text).toContain(AGENT_DONE_TEXT)
    const [tool, final] = agentCalls(up.url).slice(-2)
    expect([tool.kind, tool.callId, final.kind, final.resultName]).toEqual([
      'tool',
      undefined,
      'final',
      'write_file',
    ])
  })
})
