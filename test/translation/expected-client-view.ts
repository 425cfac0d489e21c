/**
 * What a client must see of an upstream's answer in its own protocol: the finish reason (translation-map §2.1)
 * and the usage (§4) — the whole prompt, the cache read (and Anthropic's cache write) and the output with its
 * reasoning, each in the client's own fields. Also the tool results an upstream request carried, read from each
 * provider's wire, so a cell can check the ids crossed back.
 */
import { expect } from 'vitest'
import type { ClientName } from './client-turn.ts'
import type { NativeUsage } from './contract-fixture.ts'
import { readUsageFields, type UpstreamApi } from './read-usage-fields.ts'
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

/** The API each client speaks, whose usage fields it reads. */
const CLIENT_API: Record<ClientName, UpstreamApi> = {
  chat: 'openai-chat',
  responses: 'openai-responses',
  messages: 'anthropic-messages',
  generate: 'gemini-generate',
}

/** Checks the usage a client saw against the upstream's own usage, per translation-map §4. */
export function expectClientUsage(
  client: ClientName,
  usage: WireJson | undefined,
  native: NativeUsage,
): void {
  expect(usage, `${client} client got usage`).toBeDefined()
  const seen = readUsageFields(CLIENT_API[client], usage!)
  const view = { input: seen.input, cacheRead: seen.cacheRead, output: seen.output, total: seen.total }
  const expected = {
    input: native.input,
    cacheRead: native.cacheRead,
    output: native.output,
    total: seen.total === undefined ? undefined : native.input + native.output,
  }
  expect(view, `${client} client usage (in its own fields) from the upstream's`).toEqual(expected)
  // Anthropic clients see cache writes (in one field: the split is the provider's own).
  if (client === 'messages')
    expect(seen.cacheWrite5m + seen.cacheWrite1h).toBe(native.cacheWrite5m + native.cacheWrite1h)
  // Reasoning: shown where the client has the field and the upstream told it (never invented).
  const reasoning = seen.reasoning ?? 0
  if (!native.reasoning) expect(reasoning, 'no invented reasoning').toBe(0)
  else if (client !== 'messages') expect(reasoning, 'reasoning tokens').toBe(native.reasoning)
  else if (reasoning !== 0) expect(reasoning).toBe(native.reasoning)
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
