import type { IMediaSource, IPart } from '../translate/internal-model.ts'

/** `image/jpg` is not a registered type; providers other than Gemini reject it (translation-map §8 #21). */
export function normaliseMediaType(mediaType: string): string {
  const lower = mediaType.toLowerCase()
  return lower === 'image/jpg' ? 'image/jpeg' : lower
}

/** Audio formats as OpenAI names them (`mp3`, `wav`), from Gemini's MIME types and back. */
export function audioFormatOf(mimeType: string): string {
  const sub = mimeType.slice('audio/'.length)
  return sub === 'mpeg' ? 'mp3' : sub === 'x-wav' || sub === 'wave' ? 'wav' : sub
}

/** A Gemini `inlineData`/`fileData` part by its MIME type: an image, audio, or a document (PDF, text, video…). */
export function mediaPart(mimeType: string, source: IMediaSource, path: string): IPart {
  const type = normaliseMediaType(mimeType)
  const src: IMediaSource = source.kind === 'base64' ? { ...source, mediaType: type } : source
  if (type.startsWith('image/')) return { type: 'image', source: src, path }
  if (type.startsWith('audio/') && source.kind === 'base64')
    return { type: 'audio', data: source.data, format: audioFormatOf(type), path }
  return { type: 'document', source: src, path }
}

/** Standard base64 of a text's UTF-8 bytes (an Anthropic plain-text document sent as Gemini `inlineData`). */
export function utf8ToBase64(text: string): string {
  let binary = ''
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** A `data:` URL's type and base64 payload, when the URL is one. */
export function splitDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url)
  return m ? { mediaType: normaliseMediaType(m[1]), data: m[2] } : undefined
}
