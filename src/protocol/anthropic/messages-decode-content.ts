import type {
  IImagePart,
  IMediaSource,
  IPart,
  ITextPart,
  IToolResultPart,
  Json,
  JsonObject,
} from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import {
  expectArray,
  expectObject,
  expectString,
  maybeBoolean,
  maybeString,
  refuseOtherKeys,
} from './messages-read-json.ts'

/**
 * Anthropic content blocks (of a request's messages or an answer) as internal parts. Dropped on purpose, as
 * hints with no meaning for another provider: `cache_control` on any block, and `citations` on text blocks and
 * the `citations` switch of documents (citations have no common shape across providers, translation-map §2.2).
 * Everything else a block can carry is placed or refused naming its field.
 */

const TEXT_KEYS = new Set(['type', 'text', 'cache_control', 'citations'])
const IMAGE_KEYS = new Set(['type', 'source', 'cache_control'])
const DOCUMENT_KEYS = new Set(['type', 'source', 'title', 'cache_control', 'citations'])
const TOOL_USE_KEYS = new Set(['type', 'id', 'name', 'input', 'cache_control'])
const TOOL_RESULT_KEYS = new Set(['type', 'tool_use_id', 'content', 'is_error', 'cache_control'])
const THINKING_KEYS = new Set(['type', 'thinking', 'signature'])
const REDACTED_KEYS = new Set(['type', 'data'])

export function decodeTextBlock(block: JsonObject, path: string): ITextPart {
  refuseOtherKeys(block, TEXT_KEYS, path)
  return { type: 'text', text: expectString(block.text, `${path}.text`), path }
}

function decodeSource(raw: Json | undefined, path: string, allowText: boolean): IMediaSource {
  const source = expectObject(raw, path)
  const kind = source.type
  if (kind === 'base64') {
    refuseOtherKeys(source, new Set(['type', 'media_type', 'data']), path)
    const mediaType = expectString(source.media_type, `${path}.media_type`).toLowerCase()
    return {
      kind: 'base64',
      mediaType: mediaType === 'image/jpg' ? 'image/jpeg' : mediaType,
      data: expectString(source.data, `${path}.data`),
    }
  }
  if (kind === 'url') {
    refuseOtherKeys(source, new Set(['type', 'url']), path)
    return { kind: 'url', url: expectString(source.url, `${path}.url`) }
  }
  if (kind === 'file') {
    refuseOtherKeys(source, new Set(['type', 'file_id']), path)
    return { kind: 'file_id', fileId: expectString(source.file_id, `${path}.file_id`), origin: 'anthropic' }
  }
  if (kind === 'text' && allowText) {
    refuseOtherKeys(source, new Set(['type', 'media_type', 'data']), path)
    return { kind: 'text', text: expectString(source.data, `${path}.data`) }
  }
  const where = `${path}.type`
  throw new TranslationRefusal(where, `${where}: source type ${JSON.stringify(kind)} cannot be translated`)
}

function decodeImage(block: JsonObject, path: string): IImagePart {
  refuseOtherKeys(block, IMAGE_KEYS, path)
  return { type: 'image', source: decodeSource(block.source, `${path}.source`, false), path }
}

function decodeToolResult(block: JsonObject, path: string): IToolResultPart {
  refuseOtherKeys(block, TOOL_RESULT_KEYS, path)
  const callId = expectString(block.tool_use_id, `${path}.tool_use_id`)
  let content: IToolResultPart['content'] = ''
  if (typeof block.content === 'string') content = block.content
  else if (block.content !== undefined && block.content !== null) {
    content = expectArray(block.content, `${path}.content`).map((item, i) => {
      const at = `${path}.content[${i}]`
      const inner = expectObject(item, at)
      if (inner.type === 'text') return decodeTextBlock(inner, at)
      if (inner.type === 'image') return decodeImage(inner, at)
      throw new TranslationRefusal(
        at,
        `${at}: a ${JSON.stringify(inner.type)} block in a tool result cannot be translated`,
      )
    })
  }
  const isError = maybeBoolean(block.is_error, `${path}.is_error`)
  return { type: 'tool_result', callId, content, ...(isError ? { isError } : {}), path }
}

/** One content block; `path` is the client's field, e.g. `messages[3].content[1]`. */
export function decodeContentBlock(raw: Json, path: string): IPart {
  const block = expectObject(raw, path)
  switch (typeof block.type === 'string' ? block.type : '') {
    case 'text':
      return decodeTextBlock(block, path)
    case 'image':
      return decodeImage(block, path)
    case 'document': {
      refuseOtherKeys(block, DOCUMENT_KEYS, path)
      const title = maybeString(block.title, `${path}.title`)
      const source = decodeSource(block.source, `${path}.source`, true)
      return { type: 'document', source, ...(title !== undefined ? { title } : {}), path }
    }
    case 'tool_use': {
      refuseOtherKeys(block, TOOL_USE_KEYS, path)
      return {
        type: 'tool_call',
        id: expectString(block.id, `${path}.id`),
        name: expectString(block.name, `${path}.name`),
        arguments: JSON.stringify(expectObject(block.input ?? {}, `${path}.input`)),
        path,
      }
    }
    case 'tool_result':
      return decodeToolResult(block, path)
    case 'thinking': {
      refuseOtherKeys(block, THINKING_KEYS, path)
      const signature = maybeString(block.signature, `${path}.signature`)
      return {
        type: 'thinking',
        text: expectString(block.thinking, `${path}.thinking`),
        ...(signature !== undefined ? { signature } : {}),
        origin: 'anthropic',
        path,
      }
    }
    case 'redacted_thinking':
      refuseOtherKeys(block, REDACTED_KEYS, path)
      return {
        type: 'thinking',
        text: '',
        redacted: expectString(block.data, `${path}.data`),
        origin: 'anthropic',
        path,
      }
    default: {
      // Server-tool blocks (server_tool_use, web_search_tool_result, …), search results, container uploads:
      // they belong to Anthropic's own tools and have no counterpart elsewhere.
      throw new TranslationRefusal(
        path,
        `${path}: a ${JSON.stringify(block.type)} block cannot be translated to another provider`,
      )
    }
  }
}

/** A `content` that is a string (one text part) or an array of blocks. */
export function decodeContent(raw: Json | undefined, path: string): IPart[] {
  if (typeof raw === 'string') return [{ type: 'text', text: raw, path }]
  return expectArray(raw, path).map((b, i) => decodeContentBlock(b, `${path}[${i}]`))
}
