import type {
  IMessage,
  IPart,
  ISystemText,
  IToolResultPart,
  Json,
  JsonObject,
} from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import { encodeDataUrl } from './chat-data-url.ts'

/** The input audio formats Chat Completions accepts. */
const AUDIO_FORMATS = new Set(['wav', 'mp3'])

const refuse = (path: string, why: string): never => {
  throw new TranslationRefusal(path, `${path}: ${why}`)
}

function encodeUserPart(part: IPart): JsonObject {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text }
    case 'image': {
      const { source } = part
      if (source.kind !== 'url' && source.kind !== 'base64') {
        return refuse(part.path, 'this image source cannot be sent to OpenAI Chat Completions')
      }
      const url = source.kind === 'url' ? source.url : encodeDataUrl(source.mediaType, source.data)
      return { type: 'image_url', image_url: part.detail ? { url, detail: part.detail } : { url } }
    }
    case 'document': {
      const { source } = part
      // A title has no place in chat; it names the file when the client gave no filename.
      const filename = part.filename ?? part.title
      const file: JsonObject = filename === undefined ? {} : { filename }
      if (source.kind === 'base64') {
        return { type: 'file', file: { file_data: encodeDataUrl(source.mediaType, source.data), ...file } }
      }
      if (source.kind === 'file_id' && source.origin === 'openai') {
        return { type: 'file', file: { file_id: source.fileId } }
      }
      return refuse(
        part.path,
        'only inline documents and OpenAI file ids can be sent to OpenAI Chat Completions',
      )
    }
    case 'audio':
      if (!AUDIO_FORMATS.has(part.format))
        return refuse(part.path, `audio format "${part.format}" is not wav or mp3`)
      return { type: 'input_audio', input_audio: { data: part.data, format: part.format } }
    case 'refusal':
    case 'thinking':
    case 'tool_call':
    case 'tool_result':
      return refuse(
        part.path,
        `a ${part.type} part cannot be sent in a user message to OpenAI Chat Completions`,
      )
  }
}

/** A tool result as a `tool` message: its content is text only, so an image in it is refused. */
function encodeToolResult(part: IToolResultPart): JsonObject {
  const content: Json =
    typeof part.content === 'string'
      ? part.content
      : part.content.map((p) =>
          p.type === 'text'
            ? { type: 'text', text: p.text }
            : refuse(p.path, 'a tool result sent to OpenAI Chat Completions can only hold text'),
        )
  return { role: 'tool', tool_call_id: part.callId, content }
}

/** A user turn: its tool results first, as `tool` messages, then its other parts as one user message. */
function encodeUserTurn(msg: IMessage): JsonObject[] {
  const out: JsonObject[] = []
  const rest: IPart[] = []
  for (const part of msg.parts) {
    if (part.type === 'tool_result') out.push(encodeToolResult(part))
    else if (part.type !== 'thinking') rest.push(part)
  }
  if (rest.length === 1 && rest[0]?.type === 'text') out.push({ role: 'user', content: rest[0].text })
  else if (rest.length > 0 || out.length === 0) out.push({ role: 'user', content: rest.map(encodeUserPart) })
  return out
}

/**
 * An assistant turn: text joined into `content` (null beside tool calls when there is none), refusals into
 * `refusal`, calls into `tool_calls` with their arguments string. Thinking is dropped: chat has no field that
 * carries reasoning back to the model, and another provider's never becomes text (translation map §8 #2).
 */
function encodeAssistantTurn(msg: IMessage): JsonObject {
  const texts: string[] = []
  const refusals: string[] = []
  const calls: JsonObject[] = []
  for (const part of msg.parts) {
    if (part.type === 'text') texts.push(part.text)
    else if (part.type === 'refusal') refusals.push(part.text)
    else if (part.type === 'tool_call') {
      calls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } })
    } else if (part.type !== 'thinking') {
      refuse(
        part.path,
        `a ${part.type} part cannot be sent in an assistant message to OpenAI Chat Completions`,
      )
    }
  }
  const out: JsonObject = {
    role: 'assistant',
    content: texts.length > 0 ? texts.join('') : calls.length > 0 ? null : '',
  }
  if (refusals.length > 0) {
    out.refusal = refusals.join('')
    if (texts.length === 0) out.content = null
  }
  if (calls.length > 0) out.tool_calls = calls
  return out
}

/**
 * System texts and turns → `messages`. A final assistant turn (a prefill, which Anthropic and Gemini continue) has no
 * meaning in chat and is refused (translation map §1.1).
 */
export function encodeChatMessages(system: ISystemText[], messages: IMessage[]): JsonObject[] {
  const last = messages[messages.length - 1]
  if (last?.role === 'assistant') {
    refuse(last.path, 'a final assistant message (prefill) cannot be sent to OpenAI Chat Completions')
  }
  const out: JsonObject[] = system.map((s) => ({ role: s.role, content: s.text }))
  for (const msg of messages) {
    if (msg.role === 'user') out.push(...encodeUserTurn(msg))
    else out.push(encodeAssistantTurn(msg))
  }
  return out
}
