import type {
  IImagePart,
  IMessage,
  IPart,
  ISystemText,
  ITextPart,
  IThinkingPart,
  Json,
  JsonObject,
} from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import { decodeContentPart } from './responses-decode-content.ts'
import { untagEncryptedContent } from './responses-reasoning-tag.ts'
import { isObject, readArray, readString, refuseUnknownKeys, requireString } from './responses-read-json.ts'

function refuse(path: string, why: string): never {
  throw new TranslationRefusal(path, `${path}: ${why}`)
}

/** Item ids and statuses of replayed items, and Codex's `phase` on assistant messages, change nothing upstream. */
const MESSAGE_KEYS = new Set(['type', 'role', 'content', 'id', 'status', 'phase'])
const CALL_KEYS = new Set(['type', 'id', 'call_id', 'name', 'arguments', 'status'])
const CUSTOM_CALL_KEYS = new Set(['type', 'id', 'call_id', 'name', 'input', 'status'])
const OUTPUT_KEYS = new Set(['type', 'id', 'call_id', 'output', 'status'])
const REASONING_KEYS = new Set(['type', 'id', 'summary', 'encrypted_content', 'content', 'status'])

function decodeMessageContent(item: JsonObject, path: string): IPart[] {
  const content = item.content
  if (typeof content === 'string') return [{ type: 'text', text: content, path: `${path}.content` }]
  const parts = readArray(item, 'content', `${path}.content`) ?? []
  return parts.map((p, j) => decodeContentPart(p, `${path}.content[${j}]`))
}

function decodeSystem(item: JsonObject, role: 'system' | 'developer', path: string): ISystemText[] {
  return decodeMessageContent(item, path).map((p) => {
    if (p.type !== 'text') refuse(p.path, `a ${role} message carries text only`)
    return { role, text: p.text, path: p.path }
  })
}

function decodeToolOutput(item: JsonObject, path: string): IPart {
  refuseUnknownKeys(item, OUTPUT_KEYS, path)
  const callId = requireString(item, 'call_id', `${path}.call_id`)
  const output = item.output
  if (typeof output === 'string') return { type: 'tool_result', callId, content: output, path }
  if (!Array.isArray(output)) refuse(`${path}.output`, 'expected a string or an array of input parts')
  const content = output.map((p, j) => {
    const part = decodeContentPart(p, `${path}.output[${j}]`)
    if (part.type !== 'text' && part.type !== 'image')
      refuse(part.path, 'a tool result carries text and images only')
    return part as ITextPart | IImagePart
  })
  return { type: 'tool_result', callId, content, path }
}

/** A reasoning item: its summaries (else its raw reasoning text) joined as one thinking part. */
export function decodeReasoningItem(item: JsonObject, path: string): IThinkingPart {
  refuseUnknownKeys(item, REASONING_KEYS, path)
  const texts = (key: string, type: string): string[] =>
    (readArray(item, key, `${path}.${key}`) ?? []).map((s, j) => {
      if (!isObject(s) || s.type !== type || typeof s.text !== 'string')
        refuse(`${path}.${key}[${j}]`, `expected a ${type}`)
      return s.text
    })
  const summary = texts('summary', 'summary_text')
  const text = (summary.length > 0 ? summary : texts('content', 'reasoning_text')).join('\n\n')
  const replay = untagEncryptedContent(readString(item, 'encrypted_content', `${path}.encrypted_content`))
  const part: IThinkingPart = { type: 'thinking', text, origin: replay.origin, path }
  if (replay.signature !== undefined) part.signature = replay.signature
  if (replay.redacted !== undefined) part.redacted = replay.redacted
  const id = readString(item, 'id', `${path}.id`)
  if (id !== undefined) part.itemId = id
  return part
}

export function decodeCallItem(item: JsonObject, path: string, custom: boolean): IPart {
  refuseUnknownKeys(item, custom ? CUSTOM_CALL_KEYS : CALL_KEYS, path)
  const args = custom
    ? JSON.stringify({ input: readString(item, 'input', `${path}.input`) ?? '' })
    : (readString(item, 'arguments', `${path}.arguments`) ?? '')
  const part: IPart = {
    type: 'tool_call',
    id: requireString(item, 'call_id', `${path}.call_id`),
    name: requireString(item, 'name', `${path}.name`),
    arguments: args,
    path,
  }
  const id = readString(item, 'id', `${path}.id`)
  if (id !== undefined) part.itemId = id
  return part
}

/**
 * `input` (a string or items) as messages and system texts. Consecutive assistant-side items (assistant messages,
 * reasoning, calls) form one assistant turn, consecutive call outputs one user turn, as Anthropic and Gemini need.
 * A system or developer item anywhere joins the instructions, in order (its place among the turns has no
 * equivalent elsewhere; docs/translation.md).
 */
export function decodeResponsesInput(input: Json | undefined): {
  system: ISystemText[]
  messages: IMessage[]
} {
  const system: ISystemText[] = []
  const messages: IMessage[] = []
  if (input === undefined || input === null) return { system, messages }
  if (typeof input === 'string') {
    messages.push({ role: 'user', parts: [{ type: 'text', text: input, path: 'input' }], path: 'input' })
    return { system, messages }
  }
  if (!Array.isArray(input)) refuse('input', 'expected a string or an array of items')
  /** The last message was opened by tool outputs, so more outputs join it. */
  let lastIsOutputs = false
  const add = (role: IMessage['role'], parts: IPart[], path: string, outputs: boolean): void => {
    const last = messages[messages.length - 1]
    const join = last?.role === role && (role === 'assistant' || (outputs && lastIsOutputs))
    if (join) last.parts.push(...parts)
    else messages.push({ role, parts, path })
    lastIsOutputs = outputs
  }
  input.forEach((raw, i) => {
    const path = `input[${i}]`
    if (!isObject(raw)) refuse(path, 'expected an item object')
    const type = readString(raw, 'type', `${path}.type`) ?? 'message'
    switch (type) {
      case 'message': {
        refuseUnknownKeys(raw, MESSAGE_KEYS, path)
        const role = requireString(raw, 'role', `${path}.role`)
        if (role === 'system' || role === 'developer') system.push(...decodeSystem(raw, role, path))
        else if (role === 'user' || role === 'assistant')
          add(role, decodeMessageContent(raw, path), path, false)
        else refuse(`${path}.role`, `role "${role}" cannot be translated`)
        return
      }
      case 'function_call':
      case 'custom_tool_call':
        return add('assistant', [decodeCallItem(raw, path, type === 'custom_tool_call')], path, false)
      case 'reasoning':
        return add('assistant', [decodeReasoningItem(raw, path)], path, false)
      case 'function_call_output':
      case 'custom_tool_call_output':
        return add('user', [decodeToolOutput(raw, path)], path, true)
      default:
        // item_reference and built-in tools' items (web_search_call, local_shell_call…) are OpenAI-side state.
        return refuse(`${path}.type`, `input item "${type}" cannot be translated to another provider`)
    }
  })
  return { system, messages }
}
