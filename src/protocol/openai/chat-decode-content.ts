import type { IImagePart, IPart, ITextPart, Json } from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import { decodeMediaUrl } from './chat-data-url.ts'
import {
  isUnset,
  optionalString,
  readArray,
  readObject,
  readString,
  refuseUnknownKeys,
} from './chat-read-json.ts'

const TEXT_KEYS = new Set(['type', 'text'])
const IMAGE_KEYS = new Set(['type', 'image_url'])
const IMAGE_URL_KEYS = new Set(['url', 'detail'])
const AUDIO_KEYS = new Set(['type', 'input_audio'])
const AUDIO_DATA_KEYS = new Set(['data', 'format'])
const FILE_KEYS = new Set(['type', 'file'])
const FILE_DATA_KEYS = new Set(['file_data', 'file_id', 'filename'])
const DETAILS = new Set(['auto', 'low', 'high'])

function decodeTextPart(raw: Json, path: string): ITextPart {
  const part = readObject(raw, path)
  refuseUnknownKeys(part, TEXT_KEYS, path)
  return { type: 'text', text: readString(part.text, `${path}.text`), path }
}

function decodeImagePart(part: { [k: string]: Json }, path: string): IImagePart {
  refuseUnknownKeys(part, IMAGE_KEYS, path)
  const image = readObject(part.image_url, `${path}.image_url`)
  refuseUnknownKeys(image, IMAGE_URL_KEYS, `${path}.image_url`)
  const url = readString(image.url, `${path}.image_url.url`)
  const out: IImagePart = { type: 'image', source: decodeMediaUrl(url, `${path}.image_url.url`), path }
  const detail = optionalString(image.detail, `${path}.image_url.detail`)
  if (detail !== undefined) {
    if (!DETAILS.has(detail)) {
      throw new TranslationRefusal(`${path}.image_url.detail`, `${path}.image_url.detail: unknown value`)
    }
    out.detail = detail as IImagePart['detail']
  }
  return out
}

function decodeFilePart(part: { [k: string]: Json }, path: string): IPart {
  refuseUnknownKeys(part, FILE_KEYS, path)
  const file = readObject(part.file, `${path}.file`)
  refuseUnknownKeys(file, FILE_DATA_KEYS, `${path}.file`)
  const filename = optionalString(file.filename, `${path}.file.filename`)
  const fileId = optionalString(file.file_id, `${path}.file.file_id`)
  const named = filename === undefined ? {} : { filename }
  if (fileId !== undefined) {
    return { type: 'document', source: { kind: 'file_id', fileId, origin: 'openai' }, ...named, path }
  }
  const data = readString(file.file_data, `${path}.file.file_data`)
  const source = decodeMediaUrl(data, `${path}.file.file_data`)
  if (source.kind !== 'base64') {
    throw new TranslationRefusal(
      `${path}.file.file_data`,
      `${path}.file.file_data: expected a base64 data URL`,
    )
  }
  return { type: 'document', source, ...named, path }
}

function decodeUserPart(raw: Json, path: string): IPart {
  const part = readObject(raw, path)
  switch (typeof part.type === 'string' ? part.type : '') {
    case 'text':
      return decodeTextPart(part, path)
    case 'image_url':
      return decodeImagePart(part, path)
    case 'input_audio': {
      refuseUnknownKeys(part, AUDIO_KEYS, path)
      const audio = readObject(part.input_audio, `${path}.input_audio`)
      refuseUnknownKeys(audio, AUDIO_DATA_KEYS, `${path}.input_audio`)
      return {
        type: 'audio',
        data: readString(audio.data, `${path}.input_audio.data`),
        format: readString(audio.format, `${path}.input_audio.format`),
        path,
      }
    }
    case 'file':
      return decodeFilePart(part, path)
    default:
      throw new TranslationRefusal(`${path}.type`, `${path}.type: unknown content part type`)
  }
}

/** A user message's `content`: a string is one text part, an array is read part by part. */
export function decodeUserContent(raw: Json | undefined, path: string): IPart[] {
  if (typeof raw === 'string') return [{ type: 'text', text: raw, path }]
  return readArray(raw, path).map((p, j) => decodeUserPart(p, `${path}[${j}]`))
}

/** Content that may only hold text (system, developer and tool messages): a string, or text parts. */
export function decodeTextContent(raw: Json | undefined, path: string): ITextPart[] {
  if (typeof raw === 'string') return [{ type: 'text', text: raw, path }]
  return readArray(raw, path).map((p, j) => {
    const part = readObject(p, `${path}[${j}]`)
    if (part.type !== 'text') {
      throw new TranslationRefusal(
        `${path}[${j}].type`,
        `${path}[${j}].type: only text parts are allowed here`,
      )
    }
    return decodeTextPart(part, `${path}[${j}]`)
  })
}

/**
 * An assistant message's `content`: text and refusal parts. Empty text is no part at all: clients send `""` or
 * null next to `tool_calls`, and an empty text block is an error at Anthropic (translation map §8 #25).
 */
export function decodeAssistantContent(raw: Json | undefined, path: string): IPart[] {
  if (isUnset(raw)) return []
  if (typeof raw === 'string') return raw === '' ? [] : [{ type: 'text', text: raw, path }]
  const parts: IPart[] = []
  readArray(raw, path).forEach((p, j) => {
    const partPath = `${path}[${j}]`
    const part = readObject(p, partPath)
    if (part.type === 'refusal') {
      refuseUnknownKeys(part, new Set(['type', 'refusal']), partPath)
      parts.push({ type: 'refusal', text: readString(part.refusal, `${partPath}.refusal`), path: partPath })
    } else if (part.type === 'text') {
      const text = decodeTextPart(part, partPath)
      if (text.text !== '') parts.push(text)
    } else {
      throw new TranslationRefusal(
        `${partPath}.type`,
        `${partPath}.type: unknown assistant content part type`,
      )
    }
  })
  return parts
}
