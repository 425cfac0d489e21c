import type { IMessage, JsonObject } from '../translate/internal-model.ts'
import { encodeContentBlock } from './messages-encode-content.ts'

/** An Anthropic message being built: its role and its blocks. */
export interface AnthropicTurn {
  role: 'user' | 'assistant'
  content: JsonObject[]
}

/**
 * Internal messages → Anthropic turns. Messages left without any block (only empty text, or only another
 * provider's thinking) are omitted, since Anthropic rejects empty content. Consecutive user messages are folded
 * into one, with every `tool_result` first: all results answering one assistant turn must sit in ONE user message
 * before any text (translation-map §1.1, §8 #15) — a Chat Completions history has one `tool` message per result,
 * often followed by a user message. Anthropic itself merges consecutive same-role turns, so folding changes no
 * meaning.
 */
export function encodeMessages(messages: readonly IMessage[]): AnthropicTurn[] {
  const turns: AnthropicTurn[] = []
  for (const msg of messages) {
    const content: JsonObject[] = []
    for (const part of msg.parts) {
      const block = encodeContentBlock(part)
      if (block) content.push(block)
    }
    if (content.length === 0) continue
    const last = turns.at(-1)
    if (msg.role === 'user' && last?.role === 'user') last.content.push(...content)
    else turns.push({ role: msg.role, content })
  }
  for (const turn of turns) {
    if (turn.role !== 'user') continue
    const results = turn.content.filter((b) => b.type === 'tool_result')
    if (results.length > 0)
      turn.content = [...results, ...turn.content.filter((b) => b.type !== 'tool_result')]
  }
  return turns
}

/**
 * A tool loop is open and cannot carry thinking: the last assistant turn called tools but holds no Anthropic
 * thinking block (the conversation ran on another provider). With thinking on, Anthropic demands that turn start
 * with a signed thinking block (§8 #3), which nobody has.
 */
export function isUnsignedToolLoop(turns: readonly AnthropicTurn[]): boolean {
  const assistant = turns.findLast((t) => t.role === 'assistant')
  if (!assistant) return false
  const called = assistant.content.some((b) => b.type === 'tool_use')
  const thought = assistant.content.some((b) => b.type === 'thinking' || b.type === 'redacted_thinking')
  return called && !thought
}
