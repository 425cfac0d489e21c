import type { IDocumentPart, IImagePart, IMediaSource, IPart, Json } from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import { isObject, readString, refuseUnknownKeys, splitDataUrl } from './responses-read-json.ts'

const DETAILS = new Set(['auto', 'low', 'high'])

function refuse(path: string, why: string): never {
  throw new TranslationRefusal(path, `${path}: ${why}`)
}

function mediaFromUrl(url: string): IMediaSource {
  const split = splitDataUrl(url)
  return split ? { kind: 'base64', ...split } : { kind: 'url', url }
}

export function decodeInputImage(part: { [key: string]: Json }, path: string): IImagePart {
  refuseUnknownKeys(part, new Set(['type', 'image_url', 'file_id', 'detail']), path)
  const url = readString(part, 'image_url', `${path}.image_url`)
  const fileId = readString(part, 'file_id', `${path}.file_id`)
  const detail = readString(part, 'detail', `${path}.detail`)
  let source: IMediaSource
  if (url !== undefined) source = mediaFromUrl(url)
  else if (fileId !== undefined) source = { kind: 'file_id', fileId, origin: 'openai' }
  else refuse(path, 'an input_image needs image_url or file_id')
  const image: IImagePart = { type: 'image', source, path }
  if (detail !== undefined) {
    if (!DETAILS.has(detail)) refuse(`${path}.detail`, `detail "${detail}" cannot be translated`)
    image.detail = detail as IImagePart['detail']
  }
  return image
}

function decodeInputFile(part: { [key: string]: Json }, path: string): IDocumentPart {
  refuseUnknownKeys(part, new Set(['type', 'file_data', 'file_id', 'file_url', 'filename']), path)
  const data = readString(part, 'file_data', `${path}.file_data`)
  const fileId = readString(part, 'file_id', `${path}.file_id`)
  const fileUrl = readString(part, 'file_url', `${path}.file_url`)
  const filename = readString(part, 'filename', `${path}.filename`)
  let source: IMediaSource
  if (data !== undefined) {
    const split = splitDataUrl(data)
    if (!split) refuse(`${path}.file_data`, 'file_data must be a data URL (data:<type>;base64,…)')
    source = { kind: 'base64', ...split }
  } else if (fileId !== undefined) source = { kind: 'file_id', fileId, origin: 'openai' }
  else if (fileUrl !== undefined) source = { kind: 'url', url: fileUrl }
  else refuse(path, 'an input_file needs file_data, file_id or file_url')
  const doc: IDocumentPart = { type: 'document', source, path }
  if (filename !== undefined) doc.filename = filename
  return doc
}

/**
 * One content part of an input message or of a function_call_output's array. `annotations` and `logprobs` of a
 * replayed output_text are OpenAI's citations and token scores: dropped on purpose (translation-map §2.2).
 */
export function decodeContentPart(raw: Json, path: string): IPart {
  if (!isObject(raw)) refuse(path, 'expected a content part object')
  const type = readString(raw, 'type', `${path}.type`)
  switch (String(type)) {
    case 'input_text':
    case 'output_text':
      refuseUnknownKeys(raw, new Set(['type', 'text', 'annotations', 'logprobs']), path)
      return { type: 'text', text: readString(raw, 'text', `${path}.text`) ?? '', path }
    case 'refusal':
      refuseUnknownKeys(raw, new Set(['type', 'refusal']), path)
      return { type: 'refusal', text: readString(raw, 'refusal', `${path}.refusal`) ?? '', path }
    case 'input_image':
      return decodeInputImage(raw, path)
    case 'input_file':
      return decodeInputFile(raw, path)
    default:
      return refuse(`${path}.type`, `content part "${String(type)}" cannot be translated to another provider`)
  }
}
