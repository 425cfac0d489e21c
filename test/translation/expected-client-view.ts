/**
 * What a client must see of an upstream's answer in its own protocol: the finish reason (translation-map §2.1)
 * and the usage (§4) — the whole prompt, the cache read (and Anthropic's cache write) and the output with its
 * reasoning, each in the client's own fields. Also the tool results an upstream request carried, read from each
 * provider's wire, so a cell can check the ids crossed back.
 */
import { expect } from 'vitest'
import type { ClientName } from './client-turn.ts'
import type { NativeUsage, UpstreamApi } from './contract-fixture.ts'
import type { WireJson } from './wire-json.ts'

export const NATURAL_FINISH: Record<ClientName, string> = {
  chat: 'stop',
  responses: 'completed',
  messages: 'end_turn',
  generate: 'STOP',
}

export const TOOL_FINISH: Record<ClientName, string> = {
  chat: 'tool_calls',
  responses: 'completed',
  messages: 'tool_use',
  generate: 'STOP',
}

/** The client's usage in one shape; absent optional counts read as 0. */
interface UsageView {
  input: number
  cacheRead: number
  cacheWrite?: number
  output: number
  total?: number
  reasoning: number
}

function viewOf(client: ClientName, u: WireJson): UsageView {
  switch (client) {
    case 'chat':
      return {
        input: u.prompt_tokens,
        cacheRead: u.prompt_tokens_details?.cached_tokens ?? 0,
        output: u.completion_tokens,
        total: u.total_tokens,
        reasoning: u.completion_tokens_details?.reasoning_tokens ?? 0,
      }
    case 'responses':
      return {
        input: u.input_tokens,
        cacheRead: u.input_tokens_details?.cached_tokens ?? 0,
        output: u.output_tokens,
        total: u.total_tokens,
        reasoning: u.output_tokens_details?.reasoning_tokens ?? 0,
      }
    case 'messages':
      // Anthropic's three input categories are disjoint: the prompt is their sum.
      return {
        input: u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0),
        cacheRead: u.cache_read_input_tokens ?? 0,
        cacheWrite: u.cache_creation_input_tokens ?? 0,
        output: u.output_tokens,
        reasoning: u.output_tokens_details?.thinking_tokens ?? 0,
      }
    case 'generate':
      return {
        input: (u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0),
        cacheRead: u.cachedContentTokenCount ?? 0,
        // Gemini's thoughts are outside candidatesTokenCount.
        output: (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0),
        total: u.totalTokenCount,
        reasoning: u.thoughtsTokenCount ?? 0,
      }
  }
}

/** Checks the usage a client saw against the upstream's own usage, per translation-map §4. */
export function expectClientUsage(
  client: ClientName,
  usage: WireJson | undefined,
  native: NativeUsage,
): void {
  expect(usage, `${client} client got usage`).toBeDefined()
  const view = viewOf(client, usage!)
  const expected: UsageView = {
    input: native.input,
    cacheRead: native.cacheRead,
    output: native.output,
    reasoning: view.reasoning,
  }
  if (client === 'messages') expected.cacheWrite = native.cacheWrite5m + native.cacheWrite1h
  if (view.total !== undefined) expected.total = native.input + native.output
  expect(view, `${client} client usage (in its own fields) from the upstream's`).toEqual(expected)
  // Reasoning: shown where the client has the field and the upstream told it (never invented).
  if (native.reasoning === undefined || native.reasoning === 0)
    expect(view.reasoning, 'no invented reasoning').toBe(0)
  else if (client !== 'messages') expect(view.reasoning, 'reasoning tokens').toBe(native.reasoning)
  else if (view.reasoning !== 0) expect(view.reasoning).toBe(native.reasoning)
}

/** A tool result as the upstream received it. */
export interface ReceivedResult {
  id: string | undefined
  name: string | undefined
  content: string
}

/**
 * The tool results of the last turn of an upstream request, checking each provider's placement rule on the way:
 * Anthropic — all in ONE user message right after the assistant's tool_use turn; Gemini — one functionResponse
 * (with its name) per functionCall of the previous model turn.
 */
export function receivedToolResults(api: UpstreamApi, body: WireJson): ReceivedResult[] {
  switch (api) {
    case 'openai-chat': {
      const out: ReceivedResult[] = []
      for (let i = body.messages.length - 1; i >= 0 && body.messages[i].role === 'tool'; i--)
        out.unshift({
          id: body.messages[i].tool_call_id,
          name: undefined,
          content: textOf(body.messages[i].content),
        })
      return out
    }
    case 'openai-responses':
      return body.input
        .filter((i: WireJson) => i.type === 'function_call_output')
        .map((i: WireJson) => ({ id: i.call_id, name: undefined, content: textOf(i.output) }))
    case 'anthropic-messages': {
      const last = body.messages.at(-1)
      expect(last.role).toBe('user')
      expect(body.messages.at(-2).role, 'the results follow the assistant turn directly').toBe('assistant')
      const results = last.content.filter((b: WireJson) => b.type === 'tool_result')
      const uses = body.messages.at(-2).content.filter((b: WireJson) => b.type === 'tool_use')
      expect(results.length, 'every tool_result in the one user message').toBe(uses.length)
      return results.map((b: WireJson) => ({
        id: b.tool_use_id,
        name: undefined,
        content: textOf(b.content),
      }))
    }
    case 'gemini-generate': {
      const last = body.contents.at(-1)
      const calls = body.contents.at(-2).parts.filter((p: WireJson) => p.functionCall)
      const responses = last.parts.filter((p: WireJson) => p.functionResponse)
      expect(responses.length, 'one functionResponse per functionCall').toBe(calls.length)
      return responses.map((p: WireJson) => ({
        id: p.functionResponse.id,
        name: p.functionResponse.name,
        content: JSON.stringify(p.functionResponse.response),
      }))
    }
  }
}

/** The ids of the tool calls in the assistant turn an upstream request replays (before the results). */
export function replayedCallIds(api: UpstreamApi, body: WireJson): Array<string | undefined> {
  switch (api) {
    case 'openai-chat':
      return body.messages
        .filter((m: WireJson) => m.role === 'assistant')
        .at(-1)
        .tool_calls.map((c: WireJson) => c.id)
    case 'openai-responses':
      return body.input.filter((i: WireJson) => i.type === 'function_call').map((i: WireJson) => i.call_id)
    case 'anthropic-messages':
      return body.messages
        .at(-2)
        .content.filter((b: WireJson) => b.type === 'tool_use')
        .map((b: WireJson) => b.id)
    case 'gemini-generate':
      return body.contents
        .at(-2)
        .parts.filter((p: WireJson) => p.functionCall)
        .map((p: WireJson) => p.functionCall.id)
  }
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content))
    return content.map((p: WireJson) => (typeof p.text === 'string' ? p.text : JSON.stringify(p))).join('')
  return JSON.stringify(content)
}
