/**
 * Tool-call ids for calls that came from Gemini (docs/translation.md › Gemini › Tool-call ids).
 *
 * Gemini's `functionCall.id` is optional (the Developer API often omits it; Gemini 3 returns one) and its
 * `thoughtSignature` sits on the part, where a Chat Completions, Responses or Messages client has no room for it.
 * So the id a client sees for a Gemini call carries both, reversibly and in `[A-Za-z0-9_-]` only (Anthropic's
 * tool-id charset), and the client hands them back to us when it returns the call in its history:
 *
 *   `gm` kind length `_` key [signature]
 *   kind      `r` the key is Gemini's own id; `e` the same, base64url-encoded (it had other characters);
 *             `s` the key is synthesised (Gemini gave no id; response id + the call's ordinal)
 *   length    decimal length of the key, so the key may contain `_` and `-`
 *   signature `S` + the signature's standard base64 in the url alphabet without padding, or
 *             `U` + base64url of the signature's UTF-8 bytes when it is not canonical base64
 *
 * Only `r`/`e` ids are sent back to Gemini as `functionCall.id`/`functionResponse.id`; a synthesised or foreign
 * id never is. Pure and deterministic.
 */

export interface GeminiCallId {
  /** Gemini's own id, when it gave one. */
  realId?: string
  /** The synthesised key, when it did not. */
  key?: string
  thoughtSignature?: string
}

const SAFE = /^[A-Za-z0-9_-]+$/
const MARKED = /^gm([rse])(\d{1,4})_/
const STANDARD_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

function utf8ToBase64Url(text: string): string {
  let binary = ''
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte)
  return toUrlAlphabet(btoa(binary))
}

function base64UrlToUtf8(data: string): string | undefined {
  try {
    const binary = atob(fromUrlAlphabet(data))
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0))
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

function toUrlAlphabet(base64: string): string {
  return base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromUrlAlphabet(data: string): string {
  const std = data.replace(/-/g, '+').replace(/_/g, '/')
  return std + '='.repeat((4 - (std.length % 4)) % 4)
}

function encodeSignature(signature: string): string {
  if (STANDARD_BASE64.test(signature)) {
    const url = toUrlAlphabet(signature)
    if (fromUrlAlphabet(url) === signature) return 'S' + url
  }
  return 'U' + utf8ToBase64Url(signature)
}

/** The id a client sees for a Gemini call: its real id when it had one, else the synthesised key. */
export function encodeGeminiCallId(call: GeminiCallId): string {
  let kind: string
  let key: string
  if (call.realId !== undefined) {
    kind = SAFE.test(call.realId) ? 'r' : 'e'
    key = kind === 'r' ? call.realId : utf8ToBase64Url(call.realId)
  } else {
    kind = 's'
    key = call.key ?? ''
  }
  const signature = call.thoughtSignature ? encodeSignature(call.thoughtSignature) : ''
  return `gm${kind}${key.length}_${key}${signature}`
}

/** The parts of an id made by encodeGeminiCallId, or undefined for any other id (another provider's, a client's). */
export function decodeGeminiCallId(id: string): GeminiCallId | undefined {
  const m = MARKED.exec(id)
  if (!m) return undefined
  const kind = m[1]
  const length = Number(m[2])
  const start = m[0].length
  const key = id.slice(start, start + length)
  if (key.length !== length || (length > 0 && !SAFE.test(key))) return undefined
  const rest = id.slice(start + length)
  let thoughtSignature: string | undefined
  if (rest !== '') {
    const data = rest.slice(1)
    if (!SAFE.test(data)) return undefined
    if (rest[0] === 'S') thoughtSignature = fromUrlAlphabet(data)
    else if (rest[0] === 'U') thoughtSignature = base64UrlToUtf8(data)
    if (thoughtSignature === undefined) return undefined
  }
  const out: GeminiCallId = {}
  if (kind === 's') out.key = key
  else {
    const realId = kind === 'r' ? key : base64UrlToUtf8(key)
    if (realId === undefined) return undefined
    out.realId = realId
  }
  if (thoughtSignature !== undefined) out.thoughtSignature = thoughtSignature
  return out
}

/** FNV-1a of a text, base 36: a deterministic stand-in for a response id Gemini did not give. */
export function hashText(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(36)
}

/**
 * The key of the n-th call of an answer without Gemini ids: unique per call (the ordinal) and per answer (the
 * response id, or a hash of the call when Gemini gave no response id either).
 */
export function synthesiseCallKey(responseId: string | undefined, ordinal: number, fallback: string): string {
  const base = responseId ? responseId.replace(/[^A-Za-z0-9-]/g, '-') : 'h' + hashText(fallback)
  return `${base}_${ordinal}`
}

/** The id a client sees for the n-th functionCall part of a Gemini answer (stream or not, the same id). */
export function geminiCallIdFor(
  realId: string | undefined,
  responseId: string | undefined,
  ordinal: number,
  callText: string,
  thoughtSignature: string | undefined,
): string {
  return realId !== undefined && realId !== ''
    ? encodeGeminiCallId({ realId, thoughtSignature })
    : encodeGeminiCallId({ key: synthesiseCallKey(responseId, ordinal, callText), thoughtSignature })
}
