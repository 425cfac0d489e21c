import type {
  IDocumentPart,
  IImagePart,
  IMediaSource,
  IPart,
  IToolResultPart,
  Json,
  JsonObject,
} from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import { isJsonObject } from './messages-read-json.ts'
import { sanitiseToolId } from './messages-tool-id.ts'

/**
 * Internal parts → Anthropic content blocks for a request to an Anthropic upstream. Anthropic rejects empty text
 * blocks, so empty text is omitted (§8 #25); images must be jpeg, png, gif or webp (§8 #21); tool ids are made
 * legal the same way on both ends of a pair (§8 #17); thinking of another provider is dropped, never turned into
 * text (§8 #2).
 */

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp'])
const DATA_URL = /^data:([^;,]+)((?:;[^;,]*)*),(.*)$/s
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/

function refuse(path: string, why: string): never {
  throw new TranslationRefusal(path, `${path}: ${why}`)
}

/** A `data:` URL split into media type and bare base64 (never sent to Anthropic as a URL). */
function splitDataUrl(url: string, path: string): { mediaType: string; data: string } {
  const m = DATA_URL.exec(url)
  if (!m || !m[2].split(';').includes('base64'))
    refuse(path, 'only base64 data URLs can be sent to Anthropic')
  return { mediaType: m[1].toLowerCase(), data: m[3] }
}

function normaliseMediaType(mediaType: string): string {
  const t = mediaType.toLowerCase()
  return t === 'image/jpg' ? 'image/jpeg' : t
}

function imageSource(source: IMediaSource, path: string): JsonObject {
  let base64: { mediaType: string; data: string }
  if (source.kind === 'url') {
    if (!source.url.startsWith('data:')) return { type: 'url', url: source.url }
    base64 = splitDataUrl(source.url, path)
  } else if (source.kind === 'base64') base64 = source
  else if (source.kind === 'file_id' && source.origin === 'anthropic')
    return { type: 'file', file_id: source.fileId }
  else if (source.kind === 'file_id')
    refuse(path, `a file id of ${source.origin} cannot be used with Anthropic`)
  else refuse(path, 'an image given as text cannot be sent to Anthropic')
  const mediaType = normaliseMediaType(base64.mediaType)
  if (!IMAGE_TYPES.has(mediaType)) {
    refuse(path, `Anthropic accepts jpeg, png, gif and webp images, not ${mediaType}`)
  }
  return { type: 'base64', media_type: mediaType, data: base64.data }
}

export function encodeImage(part: IImagePart): JsonObject {
  return { type: 'image', source: imageSource(part.source, part.path) }
}

function decodeBase64Text(data: string, path: string): string {
  try {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0))
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return refuse(path, 'the text document is not valid base64 UTF-8')
  }
}

function documentSource(source: IMediaSource, path: string): JsonObject {
  if (source.kind === 'text') return { type: 'text', media_type: 'text/plain', data: source.text }
  if (source.kind === 'file_id') {
    if (source.origin !== 'anthropic')
      refuse(path, `a file id of ${source.origin} cannot be used with Anthropic`)
    return { type: 'file', file_id: source.fileId }
  }
  if (source.kind === 'url' && !source.url.startsWith('data:')) return { type: 'url', url: source.url }
  const base64 = source.kind === 'base64' ? source : splitDataUrl(source.url, path)
  const mediaType = base64.mediaType.toLowerCase()
  if (mediaType === 'application/pdf') return { type: 'base64', media_type: mediaType, data: base64.data }
  if (mediaType === 'text/plain') {
    return { type: 'text', media_type: 'text/plain', data: decodeBase64Text(base64.data, path) }
  }
  return refuse(path, `Anthropic accepts PDF and plain-text documents, not ${mediaType}`)
}

function encodeDocument(part: IDocumentPart): JsonObject {
  const title = part.title ?? part.filename
  return {
    type: 'document',
    source: documentSource(part.source, part.path),
    ...(title !== undefined ? { title } : {}),
  }
}

/** Arguments JSON text → the object Anthropic's `input` holds; `""` is `{}` (OpenAI sends it for no arguments). */
export function parseToolInput(args: string, path: string): JsonObject {
  if (args.trim() === '') return {}
  let value: Json
  try {
    value = JSON.parse(args) as Json
  } catch {
    return refuse(path, 'the tool call arguments are not valid JSON')
  }
  return isJsonObject(value) ? value : refuse(path, 'the tool call arguments are not a JSON object')
}

export function checkToolName(name: string, path: string): string {
  return TOOL_NAME.test(name)
    ? name
    : refuse(path, `the tool name ${JSON.stringify(name)} is not valid for Anthropic`)
}

function encodeToolResult(part: IToolResultPart): JsonObject {
  const block: JsonObject = { type: 'tool_result', tool_use_id: sanitiseToolId(part.callId) }
  if (typeof part.content === 'string') {
    if (part.content !== '') block.content = part.content
  } else {
    const content: JsonObject[] = []
    for (const inner of part.content) {
      if (inner.type === 'image') content.push(encodeImage(inner))
      else if (inner.text !== '') content.push({ type: 'text', text: inner.text })
    }
    if (content.length > 0) block.content = content
  }
  if (part.isError) block.is_error = true
  return block
}

/** One part as a block, or undefined when it is dropped (empty text, another provider's thinking). */
export function encodeContentBlock(part: IPart): JsonObject | undefined {
  switch (part.type) {
    case 'text':
    case 'refusal':
      // An assistant's earlier refusal was visible text; Anthropic has no refusal block in history.
      return part.text === '' ? undefined : { type: 'text', text: part.text }
    case 'image':
      return encodeImage(part)
    case 'document':
      return encodeDocument(part)
    case 'audio':
      return refuse(part.path, 'Anthropic does not accept audio input')
    case 'tool_call':
      return {
        type: 'tool_use',
        id: sanitiseToolId(part.id),
        name: checkToolName(part.name, part.path),
        input: parseToolInput(part.arguments, part.path),
      }
    case 'tool_result':
      return encodeToolResult(part)
    case 'thinking':
      // Signatures are valid only at Anthropic; an unsigned block would be rejected ("Invalid signature").
      if (part.origin !== 'anthropic') return undefined
      if (part.redacted !== undefined) return { type: 'redacted_thinking', data: part.redacted }
      if (!part.signature) return undefined
      return { type: 'thinking', thinking: part.text, signature: part.signature }
  }
}
