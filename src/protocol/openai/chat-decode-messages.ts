import type { IMessage, IPart, ISystemText, IToolCallPart, Json } from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import { decodeAssistantContent, decodeTextContent, decodeUserContent } from './chat-decode-content.ts'
import {
  isUnset,
  optionalString,
  readArray,
  readObject,
  readString,
  refuseUnknownKeys,
} from './chat-read-json.ts'

const SYSTEM_KEYS = new Set(['role', 'content'])
const USER_KEYS = new Set(['role', 'content'])
const ASSISTANT_KEYS = new Set(['role', 'content', 'refusal', 'tool_calls', 'reasoning_content'])
const TOOL_KEYS = new Set(['role', 'content', 'tool_call_id', 'name'])
const CALL_KEYS = new Set(['id', 'type', 'function'])
const FUNCTION_KEYS = new Set(['name', 'arguments'])

function decodeToolCall(raw: Json, path: string): IToolCallPart {
  const call = readObject(raw, path)
  refuseUnknownKeys(call, CALL_KEYS, path)
  if (call.type !== 'function') {
    throw new TranslationRefusal(`${path}.type`, `${path}.type: only function tool calls can be translated`)
  }
  const fn = readObject(call.function, `${path}.function`)
  refuseUnknownKeys(fn, FUNCTION_KEYS, `${path}.function`)
  return {
    type: 'tool_call',
    id: readString(call.id, `${path}.id`),
    name: readString(fn.name, `${path}.function.name`),
    arguments: readString(fn.arguments, `${path}.function.arguments`),
    path,
  }
}

/**
 * An assistant turn: its reasoning (`reasoning_content`, sent back by clients of DeepSeek-style servers), its text
 * and refusal, then its tool calls. Empty content beside tool calls is no part (translation map §8 #25).
 */
function decodeAssistant(msg: { [k: string]: Json }, path: string): IMessage {
  refuseUnknownKeys(msg, ASSISTANT_KEYS, path)
  const parts: IPart[] = []
  const reasoning = optionalString(msg.reasoning_content, `${path}.reasoning_content`)
  if (reasoning) {
    parts.push({ type: 'thinking', text: reasoning, origin: 'openai', path: `${path}.reasoning_content` })
  }
  parts.push(...decodeAssistantContent(msg.content, `${path}.content`))
  const refusal = optionalString(msg.refusal, `${path}.refusal`)
  if (refusal !== undefined) parts.push({ type: 'refusal', text: refusal, path: `${path}.refusal` })
  if (!isUnset(msg.tool_calls)) {
    readArray(msg.tool_calls, `${path}.tool_calls`).forEach((c, j) =>
      parts.push(decodeToolCall(c, `${path}.tool_calls[${j}]`)),
    )
  }
  return { role: 'assistant', parts, path }
}

/** The last message holds only tool results so far: the next tool result or user message joins it. */
const isToolResultTurn = (m: IMessage | undefined): m is IMessage =>
  m !== undefined && m.role === 'user' && m.parts.length > 0 && m.parts.every((p) => p.type === 'tool_result')

/**
 * `messages` → the system texts and the turns. Consecutive `tool` messages become the tool results of one user turn,
 * and a user message right after them joins that turn after the results (Anthropic needs all results of a turn in
 * one user message before any text, §8 #15). System and developer messages must precede every other message: one
 * later in the conversation has no place in Anthropic or Gemini, so it is refused naming `messages[i]`.
 */
export function decodeChatMessages(raw: Json | undefined): { system: ISystemText[]; messages: IMessage[] } {
  const system: ISystemText[] = []
  const messages: IMessage[] = []
  readArray(raw, 'messages').forEach((m, i) => {
    const path = `messages[${i}]`
    const msg = readObject(m, path)
    const last = messages[messages.length - 1]
    const role = typeof msg.role === 'string' ? msg.role : ''
    switch (role) {
      case 'system':
      case 'developer': {
        if (messages.length > 0) {
          throw new TranslationRefusal(
            path,
            `${path}: a ${role} message after the conversation has started cannot be translated; ` +
              'put system and developer messages first',
          )
        }
        refuseUnknownKeys(msg, SYSTEM_KEYS, path)
        for (const part of decodeTextContent(msg.content, `${path}.content`)) {
          system.push({ role, text: part.text, path: part.path })
        }
        return
      }
      case 'user': {
        refuseUnknownKeys(msg, USER_KEYS, path)
        const parts = decodeUserContent(msg.content, `${path}.content`)
        if (isToolResultTurn(last)) last.parts.push(...parts)
        else messages.push({ role: 'user', parts, path })
        return
      }
      case 'assistant':
        messages.push(decodeAssistant(msg, path))
        return
      case 'tool': {
        refuseUnknownKeys(msg, TOOL_KEYS, path)
        const content = decodeTextContent(msg.content, `${path}.content`)
        const name = optionalString(msg.name, `${path}.name`)
        const result: IPart = {
          type: 'tool_result',
          callId: readString(msg.tool_call_id, `${path}.tool_call_id`),
          content: typeof msg.content === 'string' ? msg.content : content,
          ...(name === undefined ? {} : { name }),
          path,
        }
        if (isToolResultTurn(last)) last.parts.push(result)
        else messages.push({ role: 'user', parts: [result], path })
        return
      }
      default:
        throw new TranslationRefusal(
          `${path}.role`,
          `${path}.role: only system, developer, user, assistant and tool messages can be translated`,
        )
    }
  })
  return { system, messages }
}
