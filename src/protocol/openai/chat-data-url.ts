import type { IMediaSource } from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'

const DATA_URL = /^data:([^;,]+)((?:;[^;,]*)*);base64,(.*)$/s

/** `image/jpg` is not a registered type; Anthropic rejects it (translation map §8 #21). */
const normaliseMediaType = (t: string): string =>
  t.toLowerCase() === 'image/jpg' ? 'image/jpeg' : t.toLowerCase()

/**
 * A URL field of a chat content part as a media source: a base64 `data:` URL is split into its media type and bare
 * data; any other URL is kept as a URL. A `data:` URL that is not base64 is refused (no provider takes it).
 */
export function decodeMediaUrl(url: string, path: string): IMediaSource {
  if (!url.startsWith('data:')) return { kind: 'url', url }
  const m = DATA_URL.exec(url)
  if (!m) throw new TranslationRefusal(path, `${path}: only base64 data URLs can be translated`)
  return { kind: 'base64', mediaType: normaliseMediaType(m[1] ?? ''), data: m[3] ?? '' }
}

/** Bare base64 and its media type as the full data URL chat expects (never bare base64, §8 #21). */
export function encodeDataUrl(mediaType: string, data: string): string {
  return `data:${mediaType};base64,${data}`
}
