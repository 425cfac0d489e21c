/**
 * The 400s real providers answer to a conversation history they cannot accept, so a translation that breaks
 * a tool loop fails here as it would against the provider (translation-map §1.1, §1.4, §8 #15 #16 #25).
 * Each returns the provider's message, or undefined when the history is acceptable.
 */

import { FAKE_SIGNATURE_PREFIX } from './fake-content.ts'

type Obj = Record<string, unknown>

function list(value: unknown): Obj[] {
  return Array.isArray(value) ? (value as Obj[]) : []
}

/** OpenAI chat: an assistant message with `tool_calls` must be followed by a `tool` message for each id. */
export function checkChatHistory(body: Obj): string | undefined {
  const messages = list(body.messages)
  for (let i = 0; i < messages.length; i++) {
    const calls = list(messages[i].tool_calls)
    if (messages[i].role !== 'assistant' || calls.length === 0) continue
    const answered = new Set<unknown>()
    for (let j = i + 1; j < messages.length && messages[j].role === 'tool'; j++)
      answered.add(messages[j].tool_call_id)
    const missing = calls.filter((c) => !answered.has(c.id)).map((c) => String(c.id))
    if (missing.length > 0 && i + 1 < messages.length)
      return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${missing.join(', ')}`
  }
  return undefined
}

/** Responses: a `function_call_output` must answer a `function_call` of the input (with `store: false`). */
export function checkResponsesHistory(body: Obj): string | undefined {
  const input = list(body.input)
  const calls = new Set(input.filter((i) => i?.type === 'function_call').map((i) => i.call_id))
  for (const item of input) {
    if (item?.type === 'function_call' && typeof item.id === 'string' && !item.id.startsWith('fc'))
      return `Invalid 'input[].id': '${item.id}'. Expected an ID that begins with 'fc'.`
    if (
      item?.type === 'function_call_output' &&
      !calls.has(item.call_id) &&
      body.previous_response_id == null
    )
      return `No tool call found for function call output with call_id ${String(item.call_id)}.`
  }
  return undefined
}

/**
 * Anthropic: text blocks non-empty; every `tool_use` answered by a `tool_result` in the very next (user)
 * message, all results of a turn in that one message; tool ids of the allowed charset. With thinking on, the
 * assistant turn of an open tool loop starts with its thinking block, whose signature must be one Anthropic
 * issued (translation-map §2.2).
 */
export function checkMessagesHistory(body: Obj): string | undefined {
  const messages = list(body.messages)
  const thinking = (body.thinking as Obj | undefined)?.type
  if (thinking === 'enabled' || thinking === 'adaptive') {
    const problem = checkThinkingReplay(messages)
    if (problem) return problem
  }
  for (let i = 0; i < messages.length; i++) {
    const blocks = list(messages[i].content)
    if (typeof messages[i].content === 'string' && messages[i].content === '' && i < messages.length - 1)
      return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`
    for (const [j, b] of blocks.entries()) {
      if (b?.type === 'text' && b.text === '')
        return `messages.${i}.content.${j}.text: text content blocks must be non-empty`
      const id = b?.type === 'tool_use' ? b.id : b?.type === 'tool_result' ? b.tool_use_id : undefined
      if (id !== undefined && (typeof id !== 'string' || !/^[a-zA-Z0-9_-]+$/.test(id)))
        return `messages.${i}.content.${j}: String should match pattern '^[a-zA-Z0-9_-]+$'`
    }
    const uses = blocks.filter((b) => b?.type === 'tool_use').map((b) => b.id)
    if (messages[i].role !== 'assistant' || uses.length === 0 || i + 1 >= messages.length) continue
    const next = list(messages[i + 1].content)
    const results = new Set(next.filter((b) => b?.type === 'tool_result').map((b) => b.tool_use_id))
    const missing = uses.filter((id) => !results.has(id))
    if (missing.length > 0)
      return `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`
  }
  return undefined
}

function checkThinkingReplay(messages: Obj[]): string | undefined {
  for (const [i, m] of messages.entries())
    for (const b of list(m.content))
      if (
        b?.type === 'thinking' &&
        !(typeof b.signature === 'string' && b.signature.startsWith(FAKE_SIGNATURE_PREFIX))
      )
        return `messages.${i}.content: Invalid \`signature\` in \`thinking\` block`
  const last = messages.at(-1)
  const openLoop = list(last?.content).some((b) => b?.type === 'tool_result')
  const assistant = messages.at(-2)
  if (!openLoop || assistant?.role !== 'assistant') return undefined
  const first = list(assistant.content)[0]?.type
  if (first !== 'thinking' && first !== 'redacted_thinking')
    return `messages.${messages.length - 2}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(first)}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks).`
  return undefined
}

/**
 * Gemini: the turn after N function calls holds N function responses; with call ids on (Gemini 3), the first
 * call of each model turn must come back with its `thoughtSignature`.
 */
export function checkGenerateHistory(body: Obj, callIds: boolean): string | undefined {
  const contents = list(body.contents)
  for (let i = 0; i < contents.length; i++) {
    const calls = list(contents[i].parts).filter((p) => p?.functionCall)
    if (calls.length === 0) continue
    if (callIds && typeof calls[0].thoughtSignature !== 'string')
      return `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly. Additional data, function call \`default_api:${String((calls[0].functionCall as Obj).name)}\`, position ${i + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`
    const responses = list(contents[i + 1]?.parts).filter((p) => p?.functionResponse)
    if (i + 1 < contents.length && responses.length !== calls.length)
      return 'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.'
  }
  return undefined
}
